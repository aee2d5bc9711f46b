"""Officers' signing keys: a lifecycle that is itself event-sourced and signed (one stream).

`Keyring` records registrations, rotations and revocations under its rules. Which key could
sign what, when (the validity windows) is read from the signed events by `registry.ledger.trust`,
the one rule shared by the registry and every offline verifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.dates import PartialDate
from registry.domain.errors import (
    DuplicateKeyId,
    InstantWithoutTimezone,
    InvalidKeyId,
    KeyAlreadyRevoked,
    KeyAlreadyRotated,
    KeyNotFound,
    KeyOfAnotherOfficer,
    RequiredFieldMissing,
)
from registry.domain.events import (
    KeyEvent,
    KeyRegistered,
    KeyRevoked,
    KeyringOpened,
    KeyRotated,
)
from registry.domain.identity import KEYRING_ID

KEYID = re.compile(r"^[0-9a-f]{16}$")  # first 8 bytes of SHA-256 of the raw public key, hex


@dataclass
class KeyEntry:
    keyid: str
    officer: str
    role: str
    public_key: str
    rotated_to: str | None = None
    revoked: bool = False


class Keyring(Aggregate):
    ID = KEYRING_ID

    @staticmethod
    def create_id() -> UUID:
        return KEYRING_ID

    @classmethod
    def open(
        cls,
        *,
        effective: PartialDate,
        actor: str,
        source: str | None = None,
        reason: str | None = None,
    ) -> Keyring:
        check_text(actor, "actor")
        return cls._create(
            KeyringOpened, effective=effective, actor=actor, source=source, reason=reason
        )

    def apply_event(self, event: KeyEvent) -> None:
        """Called by every key event's `apply`: change state, never check."""
        if isinstance(event, KeyringOpened):
            self.keys: dict[str, KeyEntry] = {}
        elif isinstance(event, KeyRegistered):
            entry = KeyEntry(event.keyid, event.officer, event.role, event.public_key)
            self.keys.setdefault(event.keyid, entry)
        elif isinstance(event, KeyRotated):
            old = self.keys.get(event.old_keyid)
            role = old.role if old is not None else ""
            if old is not None:
                old.rotated_to = event.new_keyid
            entry = KeyEntry(event.new_keyid, event.officer, role, event.public_key)
            self.keys.setdefault(event.new_keyid, entry)
        elif isinstance(event, KeyRevoked) and event.keyid in self.keys:
            self.keys[event.keyid].revoked = True

    # -- commands ----------------------------------------------------------------------------

    def register_key(
        self,
        *,
        effective: PartialDate,
        actor: str,
        officer: str,
        keyid: str,
        public_key: str,
        role: str,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        check_text(actor, "actor")
        check_text(officer, "officer")
        check_text(public_key, "public_key")
        check_text(role, "role")
        self.check_new_keyid(keyid, "keyid")
        self.trigger_event(
            KeyRegistered,
            **common(effective, actor, source, reason),
            officer=officer,
            keyid=keyid,
            public_key=public_key,
            role=role,
        )

    def rotate_key(
        self,
        *,
        effective: PartialDate,
        actor: str,
        officer: str,
        old_keyid: str,
        new_keyid: str,
        public_key: str,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        check_text(actor, "actor")
        check_text(public_key, "public_key")
        old = self.check_officers_key(old_keyid, officer, "old_keyid")
        if old.rotated_to is not None:
            raise KeyAlreadyRotated(
                "Key {old_keyid} was already replaced by {rotated_to}",
                old_keyid=old_keyid,
                rotated_to=old.rotated_to,
            )
        self.check_new_keyid(new_keyid, "new_keyid")
        self.trigger_event(
            KeyRotated,
            **common(effective, actor, source, reason),
            officer=officer,
            old_keyid=old_keyid,
            new_keyid=new_keyid,
            public_key=public_key,
        )

    def revoke_key(
        self,
        *,
        effective: PartialDate,
        actor: str,
        officer: str,
        keyid: str,
        invalid_from: datetime | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        """A rotated key may still be revoked, to end its validity before the rotation."""
        check_text(actor, "actor")
        self.check_officers_key(keyid, officer, "keyid")
        if invalid_from is not None and invalid_from.tzinfo is None:
            raise InstantWithoutTimezone("invalid_from must be an instant with a timezone")
        self.trigger_event(
            KeyRevoked,
            **common(effective, actor, source, reason),
            officer=officer,
            keyid=keyid,
            invalid_from=invalid_from,
        )

    # -- rules -------------------------------------------------------------------------------

    def check_new_keyid(self, keyid: str, field: str) -> None:
        if not KEYID.match(keyid):
            raise InvalidKeyId(
                "{keyid!r} is not a key id: 16 lowercase hex digits (the first 8 bytes of the "
                "SHA-256 of the public key)",
                keyid=keyid,
                field=field,
            )
        if keyid in self.keys:
            raise DuplicateKeyId(
                "Key {keyid} is already in the keyring (for {officer})",
                keyid=keyid,
                officer=self.keys[keyid].officer,
                field=field,
            )

    def check_officers_key(self, keyid: str, officer: str, field: str) -> KeyEntry:
        entry = self.keys.get(keyid)
        if entry is None:
            raise KeyNotFound("There is no key {keyid} in the keyring", keyid=keyid, field=field)
        if entry.officer != officer:
            raise KeyOfAnotherOfficer(
                "Key {keyid} belongs to {officer}, not to {officer2}",
                keyid=keyid,
                officer=entry.officer,
                officer2=officer,
            )
        if entry.revoked:
            raise KeyAlreadyRevoked(
                "Key {keyid} of {officer} is already revoked",
                keyid=keyid,
                officer=officer,
                field=field,
            )
        return entry


def check_text(value: str | None, field: str) -> None:
    if value is None or not value.strip():
        raise RequiredFieldMissing("{what} is required", what=field, field=field)


def common(
    effective: PartialDate, actor: str, source: str | None, reason: str | None
) -> dict[str, Any]:
    return {"effective": effective, "actor": actor, "source": source, "reason": reason}
