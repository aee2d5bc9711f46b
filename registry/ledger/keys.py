"""Ed25519 keys, key ids, private key files and the public keyring.

A key id is the lowercase hex of the first 8 bytes of SHA-256 over the raw
32-byte public key, so anyone holding a public key can recompute its id and a
keyring cannot pair an id with the wrong key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from registry.ledger.errors import KeyFileError, KeyFormatError

__all__ = [
    "KeyEntry",
    "KeyFileError",
    "KeyFormatError",
    "Keyring",
    "PublicKey",
    "SigningKey",
    "key_id",
]

KEY_SIZE = 32
_KEYID = re.compile(r"[0-9a-f]{16}")
_PRIVATE_FILE_MODE = 0o600
_GROUP_OR_OTHER_BITS = 0o077


def key_id(raw_public_key: bytes) -> str:
    """Lowercase hex of the first 8 bytes of SHA-256 of the raw 32-byte public key."""
    _require_raw_key(raw_public_key)
    return hashlib.sha256(raw_public_key).digest()[:8].hex()


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 public key held as its raw 32 bytes."""

    raw: bytes

    def __post_init__(self) -> None:
        _require_raw_key(self.raw)

    def __getstate__(self) -> dict[str, bytes]:
        return {"raw": self.raw}  # not the cached key object, which does not pickle

    @cached_property
    def keyid(self) -> str:
        return key_id(self.raw)

    @cached_property
    def _verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(self.raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` signs ``message`` under this key; never raises for a bad one."""
        try:
            self._verifier.verify(bytes(signature), bytes(message))
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True

    def to_base64(self) -> str:
        """Standard base64 (with padding) of the raw 32 bytes."""
        return base64.b64encode(self.raw).decode("ascii")

    @classmethod
    def from_base64(cls, text: str) -> PublicKey:
        """Parse standard base64 of exactly 32 bytes; any other spelling is refused."""
        if not isinstance(text, str):
            raise KeyFormatError(f"public key must be a base64 string, got {type(text).__name__}")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise KeyFormatError(f"public key {text!r} is not standard base64") from None
        # Re-encoding catches spellings that decode but are not canonical (stray bits).
        if base64.b64encode(raw).decode("ascii") != text:
            raise KeyFormatError(f"public key {text!r} is not canonical base64")
        return cls(raw)

    def __repr__(self) -> str:
        return f"PublicKey(keyid={self.keyid!r})"


class SigningKey:
    """An Ed25519 private key. Its secret bytes never appear in ``repr`` or ``str``."""

    __slots__ = ("_private", "_public")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw_public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._public = PublicKey(raw_public)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> SigningKey:
        """Build from the 32-byte RFC 8032 secret (the seed)."""
        if not isinstance(raw, bytes) or len(raw) != KEY_SIZE:
            raise KeyFormatError(f"an Ed25519 private key is {KEY_SIZE} bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    @property
    def public_key(self) -> PublicKey:
        return self._public

    @property
    def keyid(self) -> str:
        return self._public.keyid

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(bytes(message))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the key as unencrypted PKCS#8 PEM to a new file of mode 0600.

        The file is created by ``open(O_CREAT | O_EXCL)`` with mode 0600, so it is
        never readable by others, not even between creation and a later chmod,
        and an existing key is never overwritten.
        """
        pem = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(path, flags, _PRIVATE_FILE_MODE)
        except FileExistsError:
            raise KeyFileError(f"{os.fspath(path)}: will not overwrite an existing key") from None
        written = False
        try:
            # umask may only remove bits; this makes the mode exactly 0600 regardless.
            os.fchmod(descriptor, _PRIVATE_FILE_MODE)
            remaining = memoryview(pem)
            while remaining:
                remaining = remaining[os.write(descriptor, remaining) :]
            os.fsync(descriptor)
            written = True
        finally:
            os.close(descriptor)
            if not written:
                # Never leave a truncated key behind for a later load to trip over.
                with contextlib.suppress(OSError):
                    os.unlink(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SigningKey:
        """Read a key written by ``save``; refuse a file that group or others may access."""
        name = os.fspath(path)
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError as error:
            raise KeyFileError(f"{name}: cannot open private key: {error.strerror}") from None
        with os.fdopen(descriptor, "rb") as handle:
            # fstat on the open descriptor: the file checked is the file read.
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise KeyFileError(f"{name}: a private key must be a regular file")
            if status.st_mode & _GROUP_OR_OTHER_BITS:
                mode = stat.S_IMODE(status.st_mode)
                raise KeyFileError(
                    f"{name}: private key file has mode {mode:04o}; "
                    f"group and others must have no access (chmod 600)"
                )
            pem = handle.read()
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            raise KeyFileError(f"{name}: not an unencrypted PKCS#8 PEM private key") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyFileError(f"{name}: not an Ed25519 private key")
        return cls(private)

    def __repr__(self) -> str:
        return f"SigningKey(keyid={self.keyid!r})"

    __str__ = __repr__

    def __reduce__(self) -> object:
        # Pickling would copy the secret into caches, queues and logs.
        raise TypeError("SigningKey cannot be pickled")


@dataclass(frozen=True)
class KeyEntry:
    """One public key in a keyring, with whose it is and what it is for."""

    keyid: str
    owner: str
    role: str
    public_key: PublicKey

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, PublicKey):
            raise KeyFormatError("public_key must be a PublicKey")
        if self.keyid != self.public_key.keyid:
            raise KeyFormatError(
                f"keyid {self.keyid!r} does not match its public key "
                f"(which hashes to {self.public_key.keyid})"
            )
        for field_name in ("owner", "role"):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value:
                raise KeyFormatError(f"key {self.keyid}: {field_name} must be a non-empty string")


class Keyring(Mapping[str, KeyEntry]):
    """An immutable mapping from key id to ``KeyEntry``.

    JSON form (public material only; checked into ``keys/``)::

        {"keys": [{"keyid": "<16 hex>", "owner": "<who>", "role": "<what for>",
                   "public_key": "<standard base64 of the raw 32-byte key>"}]}
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: Iterable[KeyEntry] = ()) -> None:
        collected: dict[str, KeyEntry] = {}
        for entry in entries:
            if not isinstance(entry, KeyEntry):
                raise KeyFormatError(f"a keyring holds KeyEntry, not {type(entry).__name__}")
            if entry.keyid in collected:
                raise KeyFormatError(f"key {entry.keyid} appears twice in the keyring")
            collected[entry.keyid] = entry
        self._entries = collected

    def __getitem__(self, keyid: str) -> KeyEntry:
        return self._entries[keyid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Keyring({list(self._entries)!r})"

    def public_key(self, keyid: str) -> PublicKey | None:
        """The key for ``keyid``, or None: usable directly as a verifier's lookup."""
        entry = self._entries.get(keyid)
        return entry.public_key if entry else None

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "keys": [
                {
                    "keyid": entry.keyid,
                    "owner": entry.owner,
                    "role": entry.role,
                    "public_key": entry.public_key.to_base64(),
                }
                for entry in self._entries.values()
            ]
        }

    @classmethod
    def from_json(cls, document: object) -> Keyring:
        """Build from the JSON form, checking every key id against its public key."""
        if not isinstance(document, dict) or set(document) != {"keys"}:
            raise KeyFormatError('a keyring is an object with exactly one member, "keys"')
        items = document["keys"]
        if not isinstance(items, list):
            raise KeyFormatError('keyring "keys" must be a list')
        return cls(_entry_from_json(item, index) for index, item in enumerate(items))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keyring:
        name = os.fspath(path)
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise KeyFormatError(f"{name}: not a JSON keyring: {error}") from None
        try:
            return cls.from_json(document)
        except KeyFormatError as error:
            raise KeyFormatError(f"{name}: {error}") from None

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the JSON form (indented, for review in git), replacing the file atomically."""
        target = Path(path)
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            # Public material: readable by all, unlike mkstemp's default 0600.
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


_ENTRY_FIELDS = frozenset({"keyid", "owner", "role", "public_key"})


def _entry_from_json(item: object, index: int) -> KeyEntry:
    if not isinstance(item, dict) or set(item) != _ENTRY_FIELDS:
        raise KeyFormatError(f"keyring entry {index} must have exactly {sorted(_ENTRY_FIELDS)}")
    keyid = item["keyid"]
    if not isinstance(keyid, str) or not _KEYID.fullmatch(keyid):
        raise KeyFormatError(f"keyring entry {index}: keyid {keyid!r} is not 16 lowercase hex")
    try:
        return KeyEntry(
            keyid=keyid,
            owner=item["owner"],
            role=item["role"],
            public_key=PublicKey.from_base64(item["public_key"]),
        )
    except KeyFormatError as error:
        raise KeyFormatError(f"keyring entry {index}: {error}") from None


def _require_raw_key(raw: object) -> None:
    if not isinstance(raw, bytes) or len(raw) != KEY_SIZE:
        raise KeyFormatError(f"an Ed25519 public key is exactly {KEY_SIZE} raw bytes")
