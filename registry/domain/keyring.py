"""Officers' signing keys: a lifecycle that is itself event-sourced and signed (one stream).

`Keyring` records registrations, rotations and revocations under its rules. `KeyValidity`
answers, from the key events alone, whether a key could sign for an officer at an instant:
from its registration's (or the rotation that introduced it) recorded time, until the
recorded time of the rotation that replaced it or of its revocation, or from the
revocation's `invalid_from` when that is earlier. Windows are half-open: valid at the
instant it was registered, invalid at the instant it was replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.codec import format_instant
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
            raise KeyAlreadyRotated(f"Key {old_keyid} was already replaced by {old.rotated_to}")
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
                f"{keyid!r} is not a key id: 16 lowercase hex digits (the first 8 bytes of the "
                "SHA-256 of the public key)",
                field=field,
            )
        if keyid in self.keys:
            raise DuplicateKeyId(
                f"Key {keyid} is already in the keyring (for {self.keys[keyid].officer})",
                field=field,
            )

    def check_officers_key(self, keyid: str, officer: str, field: str) -> KeyEntry:
        entry = self.keys.get(keyid)
        if entry is None:
            raise KeyNotFound(f"There is no key {keyid} in the keyring", field=field)
        if entry.officer != officer:
            raise KeyOfAnotherOfficer(f"Key {keyid} belongs to {entry.officer}, not to {officer}")
        if entry.revoked:
            raise KeyAlreadyRevoked(f"Key {keyid} of {officer} is already revoked", field=field)
        return entry


def check_text(value: str | None, field: str) -> None:
    if value is None or not value.strip():
        raise RequiredFieldMissing(f"{field} is required", field=field)


def common(
    effective: PartialDate, actor: str, source: str | None, reason: str | None
) -> dict[str, Any]:
    return {"effective": effective, "actor": actor, "source": source, "reason": reason}


# -- validity ------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPeriod:
    """When a key could sign for its officer: from `valid_from` until `valid_until` (open)."""

    keyid: str
    officer: str
    public_key: str
    valid_from: datetime
    valid_until: datetime | None
    ended_by: str | None  # "rotated to <keyid>", "revoked" or None


@dataclass(frozen=True)
class KeyValidity:
    periods: dict[str, KeyPeriod]

    @classmethod
    def from_events(cls, events: Iterable[KeyEvent]) -> KeyValidity:
        """A pure reading of key events in recorded order; never checks, never fails."""
        periods: dict[str, KeyPeriod] = {}

        def end(keyid: str, at: datetime, why: str) -> None:
            period = periods.get(keyid)
            if period is None or (period.valid_until is not None and period.valid_until <= at):
                return
            periods[keyid] = KeyPeriod(
                period.keyid, period.officer, period.public_key, period.valid_from, at, why
            )

        for event in events:
            if isinstance(event, KeyRegistered) and event.keyid not in periods:
                periods[event.keyid] = KeyPeriod(
                    event.keyid, event.officer, event.public_key, event.timestamp, None, None
                )
            elif isinstance(event, KeyRotated):
                end(event.old_keyid, event.timestamp, f"rotated to {event.new_keyid}")
                if event.new_keyid not in periods:
                    periods[event.new_keyid] = KeyPeriod(
                        event.new_keyid,
                        event.officer,
                        event.public_key,
                        event.timestamp,
                        None,
                        None,
                    )
            elif isinstance(event, KeyRevoked):
                at = event.timestamp
                if event.invalid_from is not None and event.invalid_from < at:
                    at = event.invalid_from
                end(event.keyid, at, "revoked")
        return cls(periods)

    def is_valid(self, keyid: str, officer: str, at: datetime) -> bool:
        return self.why_invalid(keyid, officer, at) is None

    def why_invalid(self, keyid: str, officer: str, at: datetime) -> str | None:
        period = self.periods.get(keyid)
        if period is None:
            return f"key {keyid} is not in the keyring"
        if period.officer != officer:
            return f"key {keyid} belongs to {period.officer}, not to {officer}"
        if at < period.valid_from:
            return f"key {keyid} was only registered at {format_instant(period.valid_from)}"
        if period.valid_until is not None and at >= period.valid_until:
            return (
                f"key {keyid} was {period.ended_by} at {format_instant(period.valid_until)}: "
                "it is not valid after that"
            )
        return None

    def key(self, keyid: str) -> KeyPeriod | None:
        return self.periods.get(keyid)
