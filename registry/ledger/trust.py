"""Who may sign what, and when: the one rule the registry and offline verifiers both apply.

Trust starts from anchors, the registry's own public keys published in ``keys/``: keys of role
"authority" sign the keyring stream, the key of role "log" signs checkpoints. The keyring
stream (``KeyringOpened``, ``KeyRegistered``, ``KeyRotated``, ``KeyRevoked``, actor
"registry") says which officer keys exist and when each could sign.

A key is valid for its officer strictly after the instant its registration (or the rotation
that introduced it) was recorded, and until the earliest of: the recorded instant of the
rotation that replaced it, the recorded instant of its revocation, and the revocation's
``invalid_from`` when that is earlier. An event recorded at the end instant is already out.

Signatures are not checked here: a caller opens each keyring envelope with
``Trust(anchors).public_key`` and ``problem`` before handing its payload to ``Trust``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from registry.ledger.errors import KeyFormatError, LedgerError, PayloadError
from registry.ledger.keys import Keyring, PublicKey
from registry.ledger.payload import EventPayload, format_instant, parse_instant

__all__ = [
    "AUTHORITY",
    "KEYRING_TYPES",
    "KeyringEventType",
    "OfficerKey",
    "Trust",
    "TrustError",
]

AUTHORITY = "registry"


class KeyringEventType(StrEnum):
    """The keyring stream's event types: an officer key's lifecycle."""

    OPENED = "KeyringOpened"
    REGISTERED = "KeyRegistered"
    ROTATED = "KeyRotated"
    REVOKED = "KeyRevoked"


KEYRING_TYPES = tuple(kind.value for kind in KeyringEventType)

AUTHORITY_ROLE = "authority"
LOG_ROLE = "log"

# Each keyring type's data members besides "source" and "reason".
_DATA_FIELDS: dict[KeyringEventType, tuple[str, ...]] = {
    KeyringEventType.OPENED: (),
    KeyringEventType.REGISTERED: ("officer", "keyid", "public_key", "role"),
    KeyringEventType.ROTATED: ("officer", "old_keyid", "new_keyid", "public_key"),
    KeyringEventType.REVOKED: ("officer", "keyid", "invalid_from"),
}
_KEYID = re.compile(r"[0-9a-f]{16}")

_Change = Callable[[], None]


class TrustError(LedgerError):
    """A keyring event that cannot be applied: malformed, forged, or against the key rules."""


@dataclass(frozen=True)
class OfficerKey:
    """One officer key and its window: valid after ``registered``, before ``ended`` (if any)."""

    keyid: str
    officer: str
    role: str
    public_key: PublicKey
    registered: datetime
    ended: datetime | None = None
    why_ended: str | None = None  # e.g. "rotated to 9c… at 2026-…", "revoked at 2026-…"

    def is_valid_at(self, moment: datetime) -> bool:
        return self.registered < moment and (self.ended is None or moment < self.ended)


class Trust:
    """Anchors plus the keyring stream, applied in version order."""

    def __init__(self, anchors: Keyring, keyring: Sequence[EventPayload] = ()) -> None:
        if not isinstance(anchors, Keyring):
            raise TrustError(f"anchors must be a Keyring, not {type(anchors).__name__}")
        logs = [entry for entry in anchors.values() if entry.role == LOG_ROLE]
        if len(logs) > 1:
            raise TrustError("the anchors hold more than one log key")
        self._anchors = anchors
        self._authority = frozenset(
            keyid for keyid, entry in anchors.items() if entry.role == AUTHORITY_ROLE
        )
        self._log = logs[0].public_key if logs else None
        self._keys: dict[str, OfficerKey] = {}
        self._rotated: set[str] = set()
        self._revoked: set[str] = set()
        self._last: EventPayload | None = None
        for payload in keyring:
            self.apply(payload)

    # Queries ----------------------------------------------------------------------------------

    def public_key(self, keyid: str) -> PublicKey | None:
        """An authority anchor or a registered officer key; usable as ``open_envelope``'s lookup."""
        if keyid in self._authority:
            return self._anchors[keyid].public_key
        entry = self._keys.get(keyid)
        return entry.public_key if entry else None

    def is_authority(self, keyid: str) -> bool:
        return keyid in self._authority

    def log_public_key(self) -> PublicKey | None:
        """The anchors' checkpoint key, if they hold one."""
        return self._log

    def officers(self) -> dict[str, list[OfficerKey]]:
        """Every officer's keys, in the order the keyring introduced them."""
        grouped: dict[str, list[OfficerKey]] = {}
        for entry in self._keys.values():
            grouped.setdefault(entry.officer, []).append(entry)
        return grouped

    def current_keyid(self, officer: str, at: datetime) -> str | None:
        """The officer's most recently introduced key that is valid at ``at``."""
        for entry in reversed(self._keys.values()):
            if entry.officer == officer and entry.is_valid_at(at):
                return entry.keyid
        return None

    @property
    def version(self) -> int:
        """The keyring version applied last (0 before any)."""
        return self._last.version if self._last else 0

    def problem(self, payload: EventPayload, keyid: str) -> str | None:
        """None when key ``keyid`` could sign ``payload``; otherwise why it could not."""
        if payload.type in KEYRING_TYPES:
            if keyid not in self._authority:
                return (
                    f"{payload.type} event is signed by key {keyid} ({self._describe(keyid)}); "
                    f"keyring events must be signed by a registry authority key"
                )
            if payload.actor != AUTHORITY:
                return (
                    f"{payload.type} event names actor {payload.actor}; "
                    f"keyring events are by {AUTHORITY}"
                )
            return None
        if keyid in self._authority:
            return (
                f"{payload.type} event is signed by the registry authority key {keyid}, "
                f"which signs only keyring events"
            )
        entry = self._keys.get(keyid)
        if entry is None:
            return f"{payload.type} event is signed by key {keyid} ({self._describe(keyid)})"
        if entry.officer != payload.actor:
            return f"key {keyid} belongs to {entry.officer}, not to {payload.actor}"
        recorded = parse_instant(payload.recorded)
        if recorded <= entry.registered:
            return (
                f"key {keyid} of {entry.officer} was registered at "
                f"{format_instant(entry.registered)}; this event was recorded at "
                f"{payload.recorded}, not after it"
            )
        if entry.ended is not None and recorded >= entry.ended:
            return (
                f"key {keyid} of {entry.officer} was {entry.why_ended}; "
                f"this event was recorded at {payload.recorded}"
            )
        return None

    def _describe(self, keyid: str) -> str:
        if keyid in self._authority:
            return "a registry authority key"
        if keyid in self._anchors:
            return f"the registry's {self._anchors[keyid].role} key"
        if keyid in self._keys:
            return f"an officer key of {self._keys[keyid].officer}"
        return "not in the keyring"

    # Building ---------------------------------------------------------------------------------

    def apply(self, payload: EventPayload) -> None:
        """Apply the next keyring event; on ``TrustError`` nothing changes."""
        if not isinstance(payload, EventPayload):
            raise TrustError(f"a keyring event is an EventPayload, not {type(payload).__name__}")
        where = f"keyring version {payload.version} ({payload.type})"
        try:
            change = self._check(payload)
        except (TrustError, PayloadError, KeyFormatError) as error:
            raise TrustError(f"{where}: {error}") from None
        change()
        self._last = payload

    def _check(self, payload: EventPayload) -> _Change:
        """Validate ``payload`` against the keyring so far; return the change it makes."""
        if payload.type not in KEYRING_TYPES:
            raise TrustError(f"{payload.type!r} is not a keyring event type")
        kind = KeyringEventType(payload.type)
        if payload.actor != AUTHORITY:
            raise TrustError(f"actor is {payload.actor!r}, not {AUTHORITY!r}")
        self._check_place(kind, payload)
        data = _data(kind, payload)
        at = parse_instant(payload.recorded)
        match kind:
            case KeyringEventType.OPENED:
                return lambda: None
            case KeyringEventType.REGISTERED:
                return self._register(data, at)
            case KeyringEventType.ROTATED:
                return self._rotate(data, at)
            case KeyringEventType.REVOKED:
                return self._revoke(data, at)

    def _check_place(self, kind: KeyringEventType, payload: EventPayload) -> None:
        last = self._last
        if (kind is KeyringEventType.OPENED) != (payload.version == 1):
            raise TrustError("a keyring opens with KeyringOpened at version 1, and only there")
        if last is None:
            return
        if payload.agreement != last.agreement:
            raise TrustError(f"belongs to stream {payload.agreement}, not {last.agreement}")
        if payload.version <= last.version:
            raise TrustError(f"comes after keyring version {last.version}")
        if parse_instant(payload.recorded) <= parse_instant(last.recorded):
            raise TrustError(
                f"recorded {payload.recorded}, not after the previous keyring event "
                f"({last.recorded})"
            )

    def _register(self, data: dict[str, object], at: datetime) -> _Change:
        officer, role = _text(data, "officer"), _text(data, "role")
        key = self._new_key(_text(data, "keyid"), _text(data, "public_key"), "keyid")
        if officer == AUTHORITY:
            raise TrustError(f"{AUTHORITY!r} is the registry itself, not an officer")
        entry = OfficerKey(key.keyid, officer, role, key, registered=at)
        return lambda: self._keys.__setitem__(entry.keyid, entry)

    def _rotate(self, data: dict[str, object], at: datetime) -> _Change:
        officer = _text(data, "officer")
        old = self._officers_key(officer, _text(data, "old_keyid"))
        if old.keyid in self._rotated:
            raise TrustError(f"key {old.keyid} of {officer} was already {old.why_ended}")
        key = self._new_key(_text(data, "new_keyid"), _text(data, "public_key"), "new_keyid")
        new = OfficerKey(key.keyid, officer, old.role, key, registered=at)
        ended = _end(old, at, f"rotated to {key.keyid} at {format_instant(at)}")

        def change() -> None:
            self._keys[old.keyid] = ended
            self._keys[new.keyid] = new
            self._rotated.add(old.keyid)

        return change

    def _revoke(self, data: dict[str, object], at: datetime) -> _Change:
        officer = _text(data, "officer")
        entry = self._officers_key(officer, _text(data, "keyid"))
        invalid_from = data["invalid_from"]
        if invalid_from is None:
            end, why = at, f"revoked at {format_instant(at)}"
        else:
            if not isinstance(invalid_from, str):
                raise TrustError("invalid_from must be null or an instant string")
            instant = parse_instant(invalid_from)
            end = min(at, instant)
            why = f"revoked at {format_instant(at)}"
            if instant < at:
                why += f", invalid from {invalid_from}"
        ended = _end(entry, end, why)

        def change() -> None:
            self._keys[entry.keyid] = ended
            self._revoked.add(entry.keyid)

        return change

    def _new_key(self, keyid: str, public_key: str, field: str) -> PublicKey:
        if not _KEYID.fullmatch(keyid):
            raise TrustError(f"{field} {keyid!r} is not 16 lowercase hex digits")
        key = PublicKey.from_base64(public_key)
        if key.keyid != keyid:
            raise TrustError(
                f"{field} {keyid} does not match its public key, which hashes to {key.keyid}"
            )
        if keyid in self._keys or keyid in self._anchors:
            raise TrustError(f"key {keyid} is already in the keyring")
        return key

    def _officers_key(self, officer: str, keyid: str) -> OfficerKey:
        entry = self._keys.get(keyid)
        if entry is None:
            raise TrustError(f"names key {keyid}, which is not in the keyring")
        if entry.officer != officer:
            raise TrustError(f"key {keyid} belongs to {entry.officer}, not to {officer}")
        if keyid in self._revoked:
            raise TrustError(f"key {keyid} of {officer} is already revoked")
        return entry


def _end(entry: OfficerKey, at: datetime, why: str) -> OfficerKey:
    """``entry`` ending at ``at`` unless it already ended no later than that."""
    if entry.ended is not None and entry.ended <= at:
        return entry
    return replace(entry, ended=at, why_ended=why)


def _data(kind: KeyringEventType, payload: EventPayload) -> dict[str, object]:
    expected = {*_DATA_FIELDS[kind], "source", "reason"}
    data = payload.data
    if set(data) != expected:
        missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
        raise TrustError(f"data members are wrong: missing {missing}, unexpected {extra}")
    for name in ("source", "reason"):
        if data[name] is not None and not isinstance(data[name], str):
            raise TrustError(f"{name} must be a string or null")
    return data


def _text(data: dict[str, object], name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise TrustError(f"{name} must be a non-empty string")
    return value
