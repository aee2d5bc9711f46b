"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys (signature type 0x01).

Keys, signing and opening follow golang.org/x/mod/sumdb/note, whose published test key and
signature this module reproduces byte for byte. A note is its text (ending in a newline), a
blank line, and one line per signature: em dash, space, key name, space, base64(key ID ||
signature).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.ledger.errors import LedgerError

ED25519 = 0x01
KEY_SIZE = 32
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_KEY_ID = re.compile("[0-9a-fA-F]{8}")


class NoteError(LedgerError, ValueError):
    """A note, key or signature is malformed, or a note fails verification."""


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_hash: bytes
    signature: bytes

    def line(self) -> str:
        encoded = base64.b64encode(self.key_hash + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the signatures that verified, and the ones from unknown keys."""

    text: str
    signatures: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...] = ()

    @property
    def verified_names(self) -> tuple[str, ...]:
        return tuple(signature.name for signature in self.signatures)


def key_hash(name: str, public_key_raw: bytes) -> bytes:
    """The key ID: SHA-256(name || "\\n" || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key_raw).digest()[:4]


def verifier_key(name: str, public_key_raw: bytes) -> str:
    """`name+hex(key ID)+base64(0x01 || public key)`."""
    _check_name(name)
    _check_key_size("public key", public_key_raw)
    encoded = base64.b64encode(bytes([ED25519]) + public_key_raw).decode()
    return f"{name}+{key_hash(name, public_key_raw).hex()}+{encoded}"


def signer_key(name: str, private_raw: bytes) -> str:
    """`PRIVATE+KEY+name+hex(key ID)+base64(0x01 || seed)`, as Go's note.GenerateKey writes it."""
    _check_name(name)
    _check_key_size("private key seed", private_raw)
    public = Ed25519PrivateKey.from_private_bytes(private_raw).public_key().public_bytes_raw()
    encoded = base64.b64encode(bytes([ED25519]) + private_raw).decode()
    return f"PRIVATE+KEY+{name}+{key_hash(name, public).hex()}+{encoded}"


class NoteVerifier:
    """Checks signatures by one named Ed25519 key."""

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        _check_name(name)
        self._name = name
        self._public_key = public_key
        self._key_hash = key_hash(name, public_key.public_bytes_raw())

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        name, key_id, key = _parse_key(vkey, "verifier key")
        verifier = cls.from_public_bytes(name, key)
        if verifier.key_hash != key_id:
            raise NoteError("verifier key: key ID does not match name and key")
        return verifier

    @classmethod
    def from_public_bytes(cls, name: str, public_key_raw: bytes) -> NoteVerifier:
        _check_key_size("public key", public_key_raw)
        try:
            public_key = Ed25519PublicKey.from_public_bytes(public_key_raw)
        except ValueError:
            raise NoteError("not an Ed25519 public key") from None
        return cls(name, public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_hash(self) -> bytes:
        return self._key_hash

    @property
    def vkey(self) -> str:
        return verifier_key(self._name, self._public_key.public_bytes_raw())

    def verify(self, msg: bytes, sig: bytes) -> bool:
        try:
            self._public_key.verify(sig, msg)
        except InvalidSignature:
            return False
        return True


class RawPublicKey(Protocol):
    @property
    def raw(self) -> bytes: ...


class Ed25519SigningKey(Protocol):
    """Any Ed25519 key object that signs raw messages, such as the registry's log key."""

    @property
    def public_key(self) -> RawPublicKey: ...

    def sign(self, message: bytes) -> bytes: ...


class NoteSigner:
    """Signs notes with one named Ed25519 key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey | Ed25519SigningKey) -> None:
        _check_name(name)
        if isinstance(private_key, Ed25519PrivateKey):
            public_raw = private_key.public_key().public_bytes_raw()
        else:
            public_raw = bytes(private_key.public_key.raw)
        _check_key_size("public key", public_raw)
        self._name = name
        self._sign = private_key.sign
        self._public_raw = public_raw
        self._key_hash = key_hash(name, public_raw)

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        if not skey.startswith("PRIVATE+KEY+"):
            raise NoteError("signer key must start with PRIVATE+KEY+")
        name, key_id, seed = _parse_key(skey.removeprefix("PRIVATE+KEY+"), "signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_hash != key_id:
            raise NoteError("signer key: key ID does not match name and key")
        return signer

    @classmethod
    def from_signing_key(cls, name: str, key: Ed25519SigningKey) -> NoteSigner:
        return cls(name, key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_hash(self) -> bytes:
        return self._key_hash

    def sign(self, msg: bytes) -> bytes:
        return self._sign(msg)

    def verifier(self) -> NoteVerifier:
        return NoteVerifier(self._name, Ed25519PublicKey.from_public_bytes(self._public_raw))


def sign_note(text: str, signers: Sequence[NoteSigner]) -> str:
    """`text`, a blank line, and one signature line per signer, in order."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    _check_characters(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    message = text.encode()
    lines = [NoteSignature(s.name, s.key_hash, s.sign(message)).line() for s in signers]
    return text + "\n" + "".join(lines)


def open_note(note: str | bytes, verifiers: Sequence[NoteVerifier]) -> Note:
    """Parse `note` and verify its signatures by known keys.

    Signatures by unknown keys (name and key ID not both matching a verifier) are kept as
    unverified; a failing signature by a known key rejects the note, as does a note that no
    known key signed.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    _check_characters(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("note must end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    known: dict[tuple[str, bytes], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_hash), []).append(verifier)
    message = text.encode()
    verified: dict[tuple[str, bytes], NoteSignature] = {}
    unverified: dict[str, NoteSignature] = {}
    for line in lines:
        signature = _parse_signature_line(line)
        key = (signature.name, signature.key_hash)
        candidates = known.get(key, [])
        if not candidates:
            unverified.setdefault(line, signature)
            continue
        label = f"{signature.name}+{signature.key_hash.hex()}"
        if len(candidates) > 1:
            raise NoteError(f"ambiguous key {label}")
        if key in verified:
            continue
        if not candidates[0].verify(message, signature.signature):
            raise NoteError(f"invalid signature for key {label}")
        verified[key] = signature
    if not verified:
        raise NoteError("note has no verifiable signatures")
    return Note(text, tuple(verified.values()), tuple(unverified.values()))


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"malformed signature line {line!r}")
    name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    raw = _decode_base64(encoded) if encoded else None
    if raw is None or not _is_valid_name(name) or len(raw) < 5:
        raise NoteError(f"malformed signature line {line!r}")
    return NoteSignature(name, raw[:4], raw[4:])


def _parse_key(encoded: str, what: str) -> tuple[str, bytes, bytes]:
    """`name+keyid+base64(0x01 || key)` -> name, key ID, 32-byte key."""
    name, _, rest = encoded.partition("+")
    key_id, _, key64 = rest.partition("+")
    key = _decode_base64(key64)
    if not _is_valid_name(name) or not _KEY_ID.fullmatch(key_id) or not key:
        raise NoteError(f"malformed {what}")
    if key[0] != ED25519:
        raise NoteError(f"{what}: unknown signature type {key[0]:#04x}")
    if len(key) != 1 + KEY_SIZE:
        raise NoteError(f"malformed {what}: Ed25519 key has {len(key) - 1} bytes")
    return name, bytes.fromhex(key_id), key[1:]


def _decode_base64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


def _is_valid_name(name: str) -> bool:
    return (
        name != ""
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and _is_encodable(name)
    )


def _check_name(name: str) -> None:
    if not _is_valid_name(name):
        raise NoteError(f"invalid key name {name!r}: must be non-empty, without spaces or '+'")


def _check_key_size(what: str, key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise NoteError(f"Ed25519 {what} has {len(key)} bytes, want {KEY_SIZE}")


def _check_characters(text: str) -> None:
    if not _is_encodable(text):
        raise NoteError("note is not valid UTF-8")
    control = _CONTROL.search(text)
    if control:
        raise NoteError(f"note contains control character U+{ord(control.group()):04X}")


def _is_encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
