"""C2SP tlog-cosignature v1 (https://c2sp.org/tlog-cosignature), Ed25519 only.

A witness's cosignature is a signed-note signature line over a checkpoint:

    — <witness name> base64(key ID || u64 big-endian timestamp || Ed25519 signature)

The key ID is SHA-256(name || "\\n" || 0x04 || public key)[:4], and the signed message is
"cosignature/v1\\n", "time <timestamp>\\n", then the whole checkpoint body. The message does
not commit to the witness's name, so one key must serve one witness only, and never as a log
key: a log key signs the bare body, a cosignature the prefixed one, and keeping the keys apart
keeps those statements apart.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from registry.ledger.errors import LedgerError
from registry.ledger.note import (
    KEY_SIZE,
    SIGNATURE_PREFIX,
    Ed25519SigningKey,
    NoteError,
    _check_name,
    _decode_base64,
    _is_valid_name,
    _parse_signature_line,
)

COSIGNATURE_V1 = 0x04
HEADER = "cosignature/v1"
MAX_TIMESTAMP = 2**63 - 1
SIGNATURE_SIZE = 64
_PAYLOAD_SIZE = 8 + SIGNATURE_SIZE
_KEY_ID = re.compile("[0-9a-f]{8}")
_valid_name = _is_valid_name


class CosignatureError(LedgerError, ValueError):
    """A cosignature, witness key or cosigned note is malformed or does not verify."""


def cosignature_key_id(name: str, public_key_raw: bytes) -> bytes:
    """SHA-256(name || "\\n" || 0x04 || public key)[:4]."""
    return hashlib.sha256(
        name.encode() + b"\n" + bytes([COSIGNATURE_V1]) + public_key_raw
    ).digest()[:4]


def cosigned_message(body: str, timestamp: int) -> bytes:
    """What a witness signs: the header line, the time line, the checkpoint body."""
    _check_timestamp(timestamp)
    return f"{HEADER}\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class Cosignature:
    name: str
    key_id: bytes
    timestamp: int
    signature: bytes

    def line(self) -> str:
        raw = self.key_id + self.timestamp.to_bytes(8, "big") + self.signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(raw).decode()}\n"


class CosignatureVerifier:
    """One witness: its name and Ed25519 key, checking cosignatures over checkpoint bodies."""

    def __init__(self, name: str, public_key_raw: bytes) -> None:
        _check_name(name)
        if len(public_key_raw) != KEY_SIZE:
            raise CosignatureError(f"Ed25519 public key has {len(public_key_raw)} bytes")
        try:
            self._key = Ed25519PublicKey.from_public_bytes(public_key_raw)
        except ValueError:
            raise CosignatureError("not an Ed25519 public key") from None
        self.name = name
        self.public_key_raw = bytes(public_key_raw)
        self.key_id = cosignature_key_id(name, self.public_key_raw)

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """`name+hex(key ID)+base64(0x04 || key)`: only the cosignature/v1 type is accepted."""
        name, _, rest = vkey.strip().partition("+")
        key_id_hex, _, encoded = rest.partition("+")
        raw = _decode_base64(encoded)
        if not _KEY_ID.fullmatch(key_id_hex) or not raw or not _valid_name(name):
            raise CosignatureError(f"malformed witness key {vkey.strip()!r}")
        if raw[0] != COSIGNATURE_V1:
            raise CosignatureError(
                f"witness key {name!r} has signature type {raw[0]:#04x}: a witness key is an "
                "Ed25519 cosignature/v1 key (type 0x04)"
            )
        if len(raw) != 1 + KEY_SIZE:
            raise CosignatureError(f"witness key {name!r}: Ed25519 key has {len(raw) - 1} bytes")
        key_id, key = bytes.fromhex(key_id_hex), raw[1:]
        verifier = cls(name, key)
        if verifier.key_id != key_id:
            raise CosignatureError(f"witness key {name!r}: key ID does not match name and key")
        return verifier

    @property
    def vkey(self) -> str:
        encoded = base64.b64encode(bytes([COSIGNATURE_V1]) + self.public_key_raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"

    def matches(self, name: str, key_id: bytes) -> bool:
        return name == self.name and key_id == self.key_id

    def verify(self, body: str, signature: bytes) -> int:
        """Check the raw signature-line payload after the key ID; return its timestamp."""
        if len(signature) != _PAYLOAD_SIZE:
            raise CosignatureError(
                f"cosignature by {self.label} has {len(signature) + 4} bytes, want "
                f"{_PAYLOAD_SIZE + 4}"
            )
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            raise CosignatureError(f"cosignature by {self.label}: timestamp exceeds 2^63-1")
        try:
            self._key.verify(signature[8:], cosigned_message(body, timestamp))
        except InvalidSignature:
            raise CosignatureError(f"invalid cosignature by {self.label}") from None
        return timestamp


class CosignatureSigner:
    """A witness's own key: signs cosignature/v1 lines."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey | Ed25519SigningKey) -> None:
        _check_name(name)
        self.name = name
        self._sign = private_key.sign
        if isinstance(private_key, Ed25519PrivateKey):
            self.public_key_raw = private_key.public_key().public_bytes_raw()
        else:
            self.public_key_raw = bytes(private_key.public_key.raw)
        self.key_id = cosignature_key_id(name, self.public_key_raw)

    def cosign(self, body: str, timestamp: int) -> Cosignature:
        signature = self._sign(cosigned_message(body, timestamp))
        return Cosignature(self.name, self.key_id, timestamp, signature)

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key_raw)


@dataclass(frozen=True)
class CosignatureCheck:
    """The cosignatures of one note, sorted out against the witness keys a verifier knows."""

    valid: dict[str, int] = field(default_factory=dict)  # witness label -> timestamp
    bad: dict[str, str] = field(default_factory=dict)  # witness label -> why
    lines: tuple[str, ...] = ()  # the valid cosignature lines, as they were


def split_note(note: str) -> tuple[str, list[str]]:
    """A note's body (ending in a newline) and its signature lines (without newlines)."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise CosignatureError("note has no blank line before its signatures")
    return note[: split + 1], note[split + 2 : -1].split("\n")


def check_cosignatures(
    note: str, witnesses: Sequence[CosignatureVerifier], *, not_after: int | None = None
) -> CosignatureCheck:
    """Which known witnesses validly cosigned `note`, and what is wrong with the others.

    A line whose name and key ID match no witness is ignored, as the spec says, unless its
    name is a known witness's: then it is reported (a wrong key ID for that witness). A
    timestamp later than `not_after` (POSIX seconds) is refused.
    """
    body, lines = split_note(note)
    check = CosignatureCheck()
    valid_lines: list[str] = []
    by_name = {w.name: w for w in witnesses}
    for line in lines:
        try:
            parsed = _parse_signature_line(line)
        except NoteError as error:
            named = _named_witness(line, by_name)
            if named is not None:
                check.bad.setdefault(named.label, f"malformed cosignature line ({error})")
            continue
        witness = next((w for w in witnesses if w.matches(parsed.name, parsed.key_hash)), None)
        if witness is None:
            known = by_name.get(parsed.name)
            if known is not None and known.label not in check.valid:
                check.bad.setdefault(
                    known.label, f"a cosignature with key ID {parsed.key_hash.hex()}, not theirs"
                )
            continue
        try:
            timestamp = witness.verify(body, parsed.signature)
        except CosignatureError as error:
            check.bad[witness.label] = str(error)
            continue
        if not_after is not None and timestamp > not_after:
            check.bad[witness.label] = f"cosignature by {witness.label} is dated in the future"
            continue
        if witness.label not in check.valid:
            check.valid[witness.label] = timestamp
            check.bad.pop(witness.label, None)
            valid_lines.append(line + "\n")
    return CosignatureCheck(check.valid, check.bad, tuple(valid_lines))


def _named_witness(
    line: str, by_name: dict[str, CosignatureVerifier]
) -> CosignatureVerifier | None:
    name = line.removeprefix(SIGNATURE_PREFIX).partition(" ")[0]
    return by_name.get(name)


def _check_timestamp(timestamp: int) -> None:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise CosignatureError(f"timestamp must be an integer, got {timestamp!r}")
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CosignatureError(f"timestamp {timestamp} is out of range")
