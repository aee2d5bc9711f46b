"""Private keys in the instance folder, and the public trust anchors published beside them.

Private files are created 0600 and never overwritten (see ledger.keys.SigningKey.save). The
registry holds two keys of its own: the authority key, which signs the officer keyring stream,
and the log key, which signs checkpoints. Officers' keys live under officers/<name>/<keyid>.key
so that a rotation adds a file and never replaces one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from registry.ledger.keys import KeyEntry, Keyring, SigningKey
from registry.ledger.note import verifier_key

AUTHORITY = "registry"
_OFFICER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class KeyStoreError(Exception):
    """A missing, unreadable or misnamed key; the message says which and what to run."""


def check_officer_name(officer: str) -> str:
    if not _OFFICER_NAME.match(officer or "") or officer == AUTHORITY:
        raise KeyStoreError(
            f"{officer!r} is not a usable officer name: lowercase letters, digits, '.', '_' or '-'"
        )
    return officer


class KeyStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def authority_path(self) -> Path:
        return self.directory / "authority.key"

    @property
    def log_path(self) -> Path:
        return self.directory / "log.key"

    def officer_path(self, officer: str, keyid: str) -> Path:
        return self.directory / "officers" / check_officer_name(officer) / f"{keyid}.key"

    def exists(self) -> bool:
        return self.authority_path.exists() and self.log_path.exists()

    def create(self) -> None:
        """The registry's own keys; refuses to replace existing ones."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for path in (self.authority_path, self.log_path):
            if not path.exists():
                SigningKey.generate().save(path)

    def authority(self) -> SigningKey:
        return self._load(self.authority_path)

    def log(self) -> SigningKey:
        return self._load(self.log_path)

    def new_officer_key(self, officer: str) -> SigningKey:
        key = SigningKey.generate()
        path = self.officer_path(officer, key.keyid)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key.save(path)
        return key

    def officer(self, officer: str, keyid: str) -> SigningKey:
        return self._load(self.officer_path(officer, keyid))

    def _load(self, path: Path) -> SigningKey:
        if not path.exists():
            raise KeyStoreError(f"no private key at {path}: run `registry init` first")
        return SigningKey.load(path)


def anchors_keyring(authority: SigningKey, log: SigningKey) -> Keyring:
    return Keyring(
        [
            KeyEntry(authority.keyid, AUTHORITY, "authority", authority.public_key),
            KeyEntry(log.keyid, AUTHORITY, "log", log.public_key),
        ]
    )


def publish_anchors(directory: Path, origin: str, authority: SigningKey, log: SigningKey) -> None:
    """Public trust anchors: the keyring of registry keys and the log's note verifier key."""
    directory.mkdir(parents=True, exist_ok=True)
    anchors_keyring(authority, log).save(directory / "keyring.json")
    (directory / "log.vkey").write_text(verifier_key(origin, log.public_key.raw) + "\n")
    (directory / "registry.json").write_text(
        json.dumps({"origin": origin, "authority_keyid": authority.keyid}, indent=2) + "\n"
    )
