"""DSSE v1 envelopes (secure-systems-lab/dsse protocol.md and envelope.md), registry profile.

The signature covers PAE(payloadType, payload), so neither the payload nor its
type can be swapped without breaking it. The registry stores and hashes the
envelope's own bytes, so it uses a strict profile of DSSE's JSON envelope:
RFC 8785 canonical JSON, standard base64 with padding, exactly one signature
whose keyid is the registry key id of the signing key. DSSE itself also allows
URL-safe base64 and several signatures; a registry verifier refuses both,
because either would give one event more than one byte form and hence more
than one hash.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass

from registry.ledger.canonical import canonical_json, parse_canonical, sha256_hex
from registry.ledger.errors import (
    CanonicalJSONError,
    EnvelopeFormatError,
    SignatureError,
    UnknownKeyError,
)
from registry.ledger.keys import PublicKey, SigningKey

__all__ = [
    "PAYLOAD_TYPE",
    "Envelope",
    "EnvelopeFormatError",
    "Signature",
    "SignatureError",
    "UnknownKeyError",
    "pae",
    "sign_envelope",
    "verify_envelope",
]

PAYLOAD_TYPE = "application/vnd.agreement-registry.event+json;version=1"

KeyLookup = Callable[[str], PublicKey | None]

_ENVELOPE_FIELDS = frozenset({"payload", "payloadType", "signatures"})
_SIGNATURE_FIELDS = frozenset({"keyid", "sig"})
_KEYID = re.compile(r"[0-9a-f]{16}")

# Printable ASCII but the quote and the backslash: the characters RFC 8785 writes as they are.
_VERBATIM = r"[\x20\x21\x23-\x5b\x5d-\x7e]*"
_VERBATIM_TEXT = re.compile(_VERBATIM)
_BASE64 = b"[A-Za-z0-9+/]*={0,2}"
# An envelope in its one canonical form when its payload type is verbatim text: members in
# RFC 8785 order, no whitespace, strings that need no escape. Bytes that match are exactly the
# canonical JSON of the document they spell (once both base64 strings are checked canonical);
# anything else takes the full strict parse and its precise message.
_CANONICAL_ENVELOPE = re.compile(
    b'\\{"payload":"(%b)","payloadType":"(%b)","signatures":\\[\\{"keyid":"([0-9a-f]{16})",'
    b'"sig":"(%b)"\\}\\]\\}' % (_BASE64, _VERBATIM.encode("ascii"), _BASE64)
)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.

    LEN is the decimal byte length, so a non-ASCII type counts UTF-8 bytes.
    """
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), bytes(payload))


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.keyid, str) or not isinstance(self.sig, bytes):
            raise EnvelopeFormatError("a signature is a keyid string and signature bytes")


@dataclass(frozen=True)
class Envelope:
    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.payload, bytes) or not isinstance(self.payload_type, str):
            raise EnvelopeFormatError("payload must be bytes and payload_type a string")
        if len(self.signatures) != 1 or not isinstance(self.signatures[0], Signature):
            raise EnvelopeFormatError("a registry envelope carries exactly one signature")

    @property
    def signature(self) -> Signature:
        """The envelope's one signature."""
        return self.signatures[0]

    def to_bytes(self) -> bytes:
        """The envelope's canonical bytes: what is stored, served and hashed."""
        raw = self.__dict__.get("_bytes")
        if raw is None:
            raw = self._canonical_bytes()
            object.__setattr__(self, "_bytes", raw)
        return raw

    def _canonical_bytes(self) -> bytes:
        (signature,) = self.signatures
        if _VERBATIM_TEXT.fullmatch(self.payload_type) and _KEYID.fullmatch(signature.keyid):
            # Every string is written as it is (base64, hex and verbatim text need no escape)
            # and the members are in RFC 8785 order: canonical_json's bytes, written directly.
            # A property test pins the two to each other.
            return (
                b'{"payload":"%b","payloadType":"%b","signatures":[{"keyid":"%b","sig":"%b"}]}'
                % (
                    binascii.b2a_base64(self.payload, newline=False),
                    self.payload_type.encode("ascii"),
                    signature.keyid.encode("ascii"),
                    binascii.b2a_base64(signature.sig, newline=False),
                )
            )
        return canonical_json(self._document())

    def _document(self) -> dict[str, object]:
        return {
            "payload": _b64encode(self.payload),
            "payloadType": self.payload_type,
            "signatures": [
                {"keyid": signature.keyid, "sig": _b64encode(signature.sig)}
                for signature in self.signatures
            ],
        }

    def digest_hex(self) -> str:
        """SHA-256 hex of ``to_bytes()``: what the next event names as its ``prev``."""
        return sha256_hex(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        """Parse envelope bytes strictly; anything but the one canonical form is refused."""
        found = _CANONICAL_ENVELOPE.fullmatch(data) if isinstance(data, bytes) else None
        if found is not None:
            payload, payload_type, keyid, sig = found.groups()
            try:
                decoded = binascii.a2b_base64(payload, strict_mode=True)
                signed = binascii.a2b_base64(sig, strict_mode=True)
            except binascii.Error:
                decoded = signed = None
            if (
                decoded is not None
                and signed is not None
                and binascii.b2a_base64(decoded, newline=False) == payload
                and binascii.b2a_base64(signed, newline=False) == sig
            ):
                envelope = cls(
                    decoded,
                    payload_type.decode("ascii"),
                    (Signature(keyid.decode("ascii"), signed),),
                )
                object.__setattr__(envelope, "_bytes", data)
                return envelope
        return cls._from_document(data)

    @classmethod
    def _from_document(cls, data: bytes) -> Envelope:
        try:
            document = parse_canonical(data)
        except CanonicalJSONError as error:
            raise EnvelopeFormatError(f"envelope: {error}") from None
        if not isinstance(document, dict) or set(document) != _ENVELOPE_FIELDS:
            raise EnvelopeFormatError(f"envelope keys must be exactly {sorted(_ENVELOPE_FIELDS)}")
        payload_type = document["payloadType"]
        if not isinstance(payload_type, str):
            raise EnvelopeFormatError("envelope payloadType must be a string")
        signatures = document["signatures"]
        if not isinstance(signatures, list) or len(signatures) != 1:
            raise EnvelopeFormatError("envelope must carry exactly one signature")
        entry = signatures[0]
        if not isinstance(entry, dict) or set(entry) != _SIGNATURE_FIELDS:
            raise EnvelopeFormatError(f"signature keys must be exactly {sorted(_SIGNATURE_FIELDS)}")
        keyid = entry["keyid"]
        if not isinstance(keyid, str) or not _KEYID.fullmatch(keyid):
            raise EnvelopeFormatError(f"signature keyid {keyid!r} is not 16 lowercase hex digits")
        envelope = cls(
            payload=_b64decode(document["payload"], "payload"),
            payload_type=payload_type,
            signatures=(Signature(keyid=keyid, sig=_b64decode(entry["sig"], "sig")),),
        )
        # The checks above should make this impossible; it is what digest_hex() relies on.
        # `data` is the canonical form of `document` (parse_canonical checked it), so the
        # envelope re-encodes to `data` exactly when its document is `document`.
        if envelope._document() != document:
            raise EnvelopeFormatError("envelope does not re-encode to the bytes it was read from")
        object.__setattr__(envelope, "_bytes", bytes(data))
        return envelope


def sign_envelope(payload: bytes, key: SigningKey, payload_type: str = PAYLOAD_TYPE) -> Envelope:
    """Sign PAE(payload_type, payload) with ``key`` and wrap it in an envelope."""
    signature = Signature(keyid=key.keyid, sig=key.sign(pae(payload_type, payload)))
    return Envelope(payload=bytes(payload), payload_type=payload_type, signatures=(signature,))


def verify_envelope(envelope: Envelope, lookup: KeyLookup, payload_type: str = PAYLOAD_TYPE) -> str:
    """Verify the envelope's signature; return the key id that verified it.

    ``lookup`` maps a key id to the public key the verifier trusts for it, or None.
    """
    if envelope.payload_type != payload_type:
        raise SignatureError(
            f"payload type {envelope.payload_type!r} is not the expected {payload_type!r}"
        )
    signature = envelope.signature
    key = lookup(signature.keyid)
    if key is None:
        raise UnknownKeyError(f"no trusted key has keyid {signature.keyid!r}")
    # The keyid is only a hint in DSSE; here it is also a claim, so hold it to the key.
    if key.keyid != signature.keyid:
        raise SignatureError(
            f"signature claims keyid {signature.keyid!r} but the key found hashes to {key.keyid!r}"
        )
    if not key.verify(signature.sig, pae(envelope.payload_type, envelope.payload)):
        raise SignatureError(f"signature by key {signature.keyid} does not verify")
    return signature.keyid


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: object, field: str) -> bytes:
    if not isinstance(text, str):
        raise EnvelopeFormatError(f"envelope {field} must be a base64 string")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeFormatError(f"envelope {field} is not standard base64") from None
    # b64decode tolerates stray bits in the last character; one value, one spelling.
    if _b64encode(data) != text:
        raise EnvelopeFormatError(f"envelope {field} is not canonical standard base64")
    return data
