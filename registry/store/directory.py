"""Which public key a keyid names, and whether it could sign for an actor at an instant.

Built from the trust anchors (the registry's own keys, published in keys/) and the keyring
stream, whose events are themselves signed by the authority key. Validity windows come from
the domain's KeyValidity, so a verifier and the writer apply the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from registry.domain.events import KeyEvent, KeyRegistered, KeyRotated
from registry.domain.keyring import KeyValidity
from registry.ledger.keys import Keyring, PublicKey
from registry.store.keystore import AUTHORITY


@dataclass(frozen=True)
class OfficerKey:
    keyid: str
    officer: str
    role: str
    public_key: PublicKey


@dataclass
class KeyDirectory:
    anchors: Keyring
    key_events: Sequence[KeyEvent] = ()
    officer_keys: dict[str, OfficerKey] = field(init=False)
    validity: KeyValidity = field(init=False)

    def __post_init__(self) -> None:
        self.officer_keys = {}
        for event in self.key_events:
            if isinstance(event, KeyRegistered):
                self._add(event.keyid, event.officer, event.role, event.public_key)
            elif isinstance(event, KeyRotated):
                role = self.officer_keys[event.old_keyid].role
                self._add(event.new_keyid, event.officer, role, event.public_key)
        self.validity = KeyValidity.from_events(list(self.key_events))

    def _add(self, keyid: str, officer: str, role: str, public_key: str) -> None:
        self.officer_keys[keyid] = OfficerKey(
            keyid, officer, role, PublicKey.from_base64(public_key)
        )

    @property
    def version(self) -> int:
        return len(self.key_events)

    @property
    def authority_keyids(self) -> frozenset[str]:
        return frozenset(k for k, entry in self.anchors.items() if entry.role == "authority")

    def public_key(self, keyid: str) -> PublicKey | None:
        if keyid in self.authority_keyids:
            return self.anchors[keyid].public_key
        entry = self.officer_keys.get(keyid)
        return entry.public_key if entry else None

    def problem(self, keyid: str, actor: str, at: datetime) -> str | None:
        """None when `keyid` could sign for `actor` at `at`; otherwise why not."""
        if keyid in self.authority_keyids:
            return None if actor == AUTHORITY else f"the authority key cannot sign for {actor}"
        entry = self.officer_keys.get(keyid)
        if entry is None:
            return f"key {keyid} is not in the keyring"
        if entry.officer != actor:
            return f"key {keyid} belongs to {entry.officer}, not to {actor}"
        return self.validity.why_invalid(keyid, actor, at)

    def current_keyid(self, officer: str, at: datetime) -> str | None:
        """The officer's newest key that is valid at `at`."""
        for keyid in reversed(list(self.officer_keys)):
            entry = self.officer_keys[keyid]
            if entry.officer == officer and self.validity.is_valid(keyid, officer, at):
                return keyid
        return None

    def officers(self) -> dict[str, list[OfficerKey]]:
        grouped: dict[str, list[OfficerKey]] = {}
        for entry in self.officer_keys.values():
            grouped.setdefault(entry.officer, []).append(entry)
        return grouped
