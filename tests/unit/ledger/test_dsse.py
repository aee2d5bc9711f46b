"""DSSE envelopes: PAE pinned to the spec, signatures to secure-systems-lab/dsse test vectors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from registry.ledger.canonical import canonical_json, sha256_hex
from registry.ledger.dsse import (
    PAYLOAD_TYPE,
    Envelope,
    EnvelopeFormatError,
    Signature,
    SignatureError,
    UnknownKeyError,
    pae,
    sign_envelope,
    verify_envelope,
)
from registry.ledger.keys import Keyring, PublicKey, SigningKey

from .vectors import ids, load_document

DSSE = load_document("dsse_ed25519")
KEY_A = DSSE["keys"]["A"]
PUBLIC_A = PublicKey(bytes.fromhex(KEY_A["public"]))
SINGLE = [vector for vector in DSSE["vectors"] if len(vector["envelope"]["signatures"]) == 1]
ACCEPTED = [vector for vector in SINGLE if vector["expect"] == "accept"]
MULTIPLE = [vector for vector in DSSE["vectors"] if len(vector["envelope"]["signatures"]) > 1]
IN_TOTO = "application/vnd.in-toto+json"
BASE64_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vector(identifier: str) -> dict[str, Any]:
    (found,) = [vector for vector in DSSE["vectors"] if vector["id"] == identifier]
    return found


def decode(text: str) -> bytes:
    """Decode either base64 alphabet, as DSSE allows (the registry itself allows only one)."""
    return base64.urlsafe_b64decode(text) if "-" in text or "_" in text else base64.b64decode(text)


def registry_envelope(published: dict[str, Any]) -> Envelope:
    """A published single-signature envelope, with the registry's keyid for key A."""
    (signature,) = published["signatures"]
    return Envelope(
        payload=decode(published["payload"]),
        payload_type=published["payloadType"],
        signatures=(Signature(keyid=PUBLIC_A.keyid, sig=decode(signature["sig"])),),
    )


def trust_a(keyid: str) -> PublicKey | None:
    return PUBLIC_A if keyid == PUBLIC_A.keyid else None


def envelope_document(envelope: Envelope) -> dict[str, Any]:
    return json.loads(envelope.to_bytes())


# --- PAE ------------------------------------------------------------------------------


def test_pae_matches_the_example_in_the_dsse_protocol() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )


@pytest.mark.parametrize(
    "published", [*ACCEPTED, vector("empty-payload-type")], ids=lambda v: v["id"]
)
def test_pae_matches_the_published_vector(published: dict[str, Any]) -> None:
    envelope = published["envelope"]
    assert pae(envelope["payloadType"], decode(envelope["payload"])).hex() == published["pae"]


def test_pae_counts_utf8_bytes_of_the_payload_type() -> None:
    assert pae("application/vnd.exämple+json", b"").startswith(b"DSSEv1 29 ")


# --- published DSSE signatures (Ed25519, RFC 8032 TEST 1 key) -------------------------------


@pytest.mark.parametrize("published", ACCEPTED, ids=ids(ACCEPTED, "id"))
def test_a_published_dsse_signature_verifies_through_our_pae_and_ed25519(
    published: dict[str, Any],
) -> None:
    envelope = registry_envelope(published["envelope"])
    assert verify_envelope(envelope, trust_a, payload_type=envelope.payload_type) == PUBLIC_A.keyid


def test_signing_reproduces_the_published_dsse_signature_and_envelope_bytes() -> None:
    published = vector("single-signature")["envelope"]
    key = SigningKey.from_private_bytes(bytes.fromhex(KEY_A["seed"]))
    envelope = sign_envelope(decode(published["payload"]), key, payload_type=IN_TOTO)
    assert envelope.to_bytes() == (
        b'{"payload":"' + published["payload"].encode() + b'",'
        b'"payloadType":"application/vnd.in-toto+json",'
        b'"signatures":[{"keyid":"' + key.keyid.encode() + b'",'
        b'"sig":"' + published["signatures"][0]["sig"].encode() + b'"}]}'
    )


def test_a_published_signature_under_a_swapped_payload_type_is_refused() -> None:
    envelope = registry_envelope(vector("payload-type-swapped")["envelope"])
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(envelope, trust_a, payload_type=envelope.payload_type)


def test_a_valid_signature_over_an_unsupported_payload_type_is_refused() -> None:
    envelope = registry_envelope(vector("empty-payload-type")["envelope"])
    assert PUBLIC_A.verify(envelope.signature.sig, pae("", envelope.payload))
    with pytest.raises(SignatureError, match="payload type"):
        verify_envelope(envelope, trust_a, payload_type=IN_TOTO)


def test_registry_envelopes_refuse_the_url_safe_alphabet_that_dsse_also_allows() -> None:
    published = vector("url-safe-base64")["envelope"]
    document = {
        "payload": published["payload"],
        "payloadType": published["payloadType"],
        "signatures": [{"keyid": PUBLIC_A.keyid, "sig": published["signatures"][0]["sig"]}],
    }
    with pytest.raises(EnvelopeFormatError, match="not standard base64"):
        Envelope.from_bytes(canonical_json(document))


@pytest.mark.parametrize("published", MULTIPLE, ids=ids(MULTIPLE, "id"))
def test_registry_envelopes_refuse_more_than_one_signature(published: dict[str, Any]) -> None:
    document = dict(published["envelope"])
    document["signatures"] = [
        {"keyid": PUBLIC_A.keyid, "sig": signature["sig"]} for signature in document["signatures"]
    ]
    with pytest.raises(EnvelopeFormatError, match="exactly one signature"):
        Envelope.from_bytes(canonical_json(document))
    with pytest.raises(EnvelopeFormatError, match="exactly one signature"):
        Envelope(b"", IN_TOTO, (Signature("a", b""), Signature("b", b"")))


# --- the registry's own envelopes ------------------------------------------------------------


def test_an_envelope_round_trips_through_its_bytes(officer_key: SigningKey) -> None:
    envelope = sign_envelope(b'{"version":1}', officer_key)
    assert Envelope.from_bytes(envelope.to_bytes()) == envelope
    assert envelope.payload_type == PAYLOAD_TYPE
    assert envelope.signature.keyid == officer_key.keyid


def test_envelope_digest_is_the_sha256_of_its_bytes(officer_key: SigningKey) -> None:
    envelope = sign_envelope(b"{}", officer_key)
    assert envelope.digest_hex() == sha256_hex(envelope.to_bytes())


def test_a_signed_envelope_verifies_with_the_keyring(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    envelope = sign_envelope(b"{}", officer_key)
    assert verify_envelope(envelope, keyring.public_key) == officer_key.keyid


def _flip_first_byte(data: bytes) -> bytes:
    return bytes([data[0] ^ 0x01]) + data[1:]


def test_a_flipped_byte_in_the_payload_is_refused(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    good = sign_envelope(b'{"version":1}', officer_key)
    bad = Envelope(_flip_first_byte(good.payload), good.payload_type, good.signatures)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(Envelope.from_bytes(bad.to_bytes()), keyring.public_key)


def test_a_flipped_byte_in_the_payload_type_is_refused(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    good = sign_envelope(b"{}", officer_key)
    tampered_type = "b" + good.payload_type[1:]
    bad = Envelope.from_bytes(Envelope(good.payload, tampered_type, good.signatures).to_bytes())
    with pytest.raises(SignatureError, match="payload type"):
        verify_envelope(bad, keyring.public_key)
    # Even a verifier expecting the tampered type finds the signature does not cover it.
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(bad, keyring.public_key, payload_type=tampered_type)


@pytest.mark.parametrize("index", [0, 63], ids=["in-R", "in-S"])
def test_a_flipped_byte_in_the_signature_is_refused(
    officer_key: SigningKey, keyring: Keyring, index: int
) -> None:
    good = sign_envelope(b"{}", officer_key)
    sig = bytearray(good.signature.sig)
    sig[index] ^= 0x01
    bad = Envelope(good.payload, good.payload_type, (Signature(good.signature.keyid, bytes(sig)),))
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(Envelope.from_bytes(bad.to_bytes()), keyring.public_key)


def test_a_flipped_byte_in_the_keyid_is_an_unknown_key(
    officer_key: SigningKey, keyring: Keyring
) -> None:
    good = sign_envelope(b"{}", officer_key)
    keyid = good.signature.keyid
    flipped = ("1" if keyid[0] == "0" else "0") + keyid[1:]
    bad = Envelope(good.payload, good.payload_type, (Signature(flipped, good.signature.sig),))
    with pytest.raises(UnknownKeyError, match=flipped):
        verify_envelope(Envelope.from_bytes(bad.to_bytes()), keyring.public_key)


def test_an_envelope_by_a_key_outside_the_keyring_is_an_unknown_key(
    other_key: SigningKey, keyring: Keyring
) -> None:
    with pytest.raises(UnknownKeyError):
        verify_envelope(sign_envelope(b"{}", other_key), keyring.public_key)


def test_a_signature_by_another_key_claiming_a_trusted_keyid_is_refused(
    officer_key: SigningKey, other_key: SigningKey, keyring: Keyring
) -> None:
    forged = sign_envelope(b"{}", other_key)
    claimed = Envelope(
        forged.payload, forged.payload_type, (Signature(officer_key.keyid, forged.signature.sig),)
    )
    with pytest.raises(SignatureError, match="does not verify"):
        verify_envelope(claimed, keyring.public_key)


def test_a_lookup_returning_a_key_with_another_id_is_refused(
    officer_key: SigningKey, other_key: SigningKey
) -> None:
    envelope = sign_envelope(b"{}", officer_key)
    with pytest.raises(SignatureError, match="hashes to"):
        verify_envelope(envelope, lambda keyid: other_key.public_key)


# --- strict parsing ----------------------------------------------------------------------


@pytest.fixture
def document(officer_key: SigningKey) -> dict[str, Any]:
    """A valid envelope as a JSON document, for tests to spoil."""
    return envelope_document(sign_envelope(b"{}", officer_key))


def test_envelope_bytes_with_extra_whitespace_are_refused(document: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeFormatError, match="canonical"):
        Envelope.from_bytes(json.dumps(document, indent=1, sort_keys=True).encode())


def test_envelope_bytes_with_reordered_keys_are_refused(document: dict[str, Any]) -> None:
    reordered = {key: document[key] for key in reversed(list(document))}
    with pytest.raises(EnvelopeFormatError, match="canonical"):
        Envelope.from_bytes(json.dumps(reordered, separators=(",", ":")).encode())


def test_envelope_bytes_with_a_trailing_newline_are_refused(document: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeFormatError, match="canonical"):
        Envelope.from_bytes(canonical_json(document) + b"\n")


def _spoil(document: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    spoiled = json.loads(json.dumps(document))
    target = spoiled
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return spoiled


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        pytest.param(("extra",), 1, "keys must be exactly", id="extra-member"),
        pytest.param(("payloadType",), _DELETE, "keys must be exactly", id="no-payload-type"),
        pytest.param(("payloadType",), 7, "must be a string", id="payload-type-not-text"),
        pytest.param(("signatures",), [], "exactly one signature", id="no-signature"),
        pytest.param(("signatures", 0, "keyid"), _DELETE, "keys must be", id="no-keyid"),
        pytest.param(("signatures", 0, "extra"), "x", "keys must be", id="signature-extra"),
        pytest.param(
            ("signatures", 0, "keyid"), "ABCDEF0123456789", "16 lowercase", id="keyid-case"
        ),
        pytest.param(("signatures", 0, "keyid"), "abc", "16 lowercase", id="keyid-short"),
        pytest.param(("payload",), "e30", "not standard base64", id="payload-unpadded"),
        # "e31=" decodes to b"{}" like "e30=", through a bit that base64 leaves unused.
        pytest.param(("payload",), "e31=", "not canonical", id="payload-stray-bits"),
        pytest.param(("payload",), "e3\n0=", "not standard base64", id="payload-newline"),
        pytest.param(("payload",), 5, "base64 string", id="payload-not-text"),
    ],
)
def test_malformed_envelopes_are_refused(
    document: dict[str, Any], path: tuple[str | int, ...], value: object, reason: str
) -> None:
    with pytest.raises(EnvelopeFormatError, match=reason):
        Envelope.from_bytes(canonical_json(_spoil(document, path, value)))


def test_a_signature_with_stray_base64_bits_is_refused(document: dict[str, Any]) -> None:
    sig = document["signatures"][0]["sig"]
    # 64 bytes take 86 base64 digits: the last digit carries 4 unused bits; set one.
    last = BASE64_DIGITS.index(sig[-3])
    stray = sig[:-3] + BASE64_DIGITS[last ^ 0x01] + "=="
    assert base64.b64decode(stray) == base64.b64decode(sig)
    with pytest.raises(EnvelopeFormatError, match="not canonical"):
        Envelope.from_bytes(canonical_json(_spoil(document, ("signatures", 0, "sig"), stray)))


def test_envelope_bytes_that_are_not_json_are_refused() -> None:
    with pytest.raises(EnvelopeFormatError):
        Envelope.from_bytes(b"\x00not json")
