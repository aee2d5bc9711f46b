"""The one seam where envelopes are made and checked.

`to_stored_event` turns a domain event into an unsigned `DraftEvent` that no recorder will
store as it is; the recorder calls `seal` inside the write transaction, once it holds the lock
that fixes the event's `recorded` instant, its `prev` hash and its place in the log. Reading
goes through `open`: strict parsing, the signature, the signer's key validity at the recorded
instant, and agreement with the row it came from. A bad row is an error, never used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from registry.domain.agreement import Agreement
from registry.domain.codec import decode_data, event_data
from registry.domain.dates import PartialDate
from registry.domain.events import EVENT_TYPES, Drafted, KeyringOpened, RegistryEvent
from registry.domain.keyring import Keyring
from registry.ledger.errors import LedgerError
from registry.ledger.keys import Keyring as Anchors
from registry.ledger.payload import EventPayload, open_envelope, parse_instant, seal
from registry.ledger.trust import Trust
from registry.store.events.keystore import AUTHORITY, KeyStore

CREATED_TOPICS = {Drafted: get_topic(Agreement), KeyringOpened: get_topic(Keyring)}


class TamperedEvent(Exception):
    """A stored event that fails verification; the message says which and why."""


class SigningRefused(Exception):
    """The acting officer has no key that is valid now, so nothing can be signed for them."""


@dataclass(frozen=True)
class DraftEvent(StoredEvent):
    """An event on its way in: everything but `recorded` and `prev`, which the lock fixes."""

    type: str
    effective: str
    precision: str
    actor: str
    data: dict[str, Any]


@dataclass(frozen=True)
class OpenedEvent:
    payload: EventPayload
    envelope: bytes
    keyid: str


class EnvelopeMapper(Mapper[UUID]):
    def __init__(self, keystore: KeyStore | None, trust: Callable[[], Trust]) -> None:
        super().__init__(transcoder=JSONTranscoder())
        self.keystore = keystore
        self.trust = trust
        # Private keys by (officer, keyid), read from the key files once: a key file never
        # changes, and which key may sign is decided by the trust at each seal.
        self._keys: dict[tuple[str, str], Any] = {}

    def to_stored_event(self, domain_event: Any) -> DraftEvent:
        event: RegistryEvent = domain_event
        effective: PartialDate = event.effective
        return DraftEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=get_topic(type(event)),
            state=b"",
            type=type(event).__name__,
            effective=effective.start.isoformat(),
            precision=effective.precision.value,
            actor=event.actor,
            data=event_data(event),
        )

    def seal(
        self, draft: DraftEvent, recorded: str, prev: str, trust: Trust | None = None
    ) -> bytes:
        """Sign the draft with the actor's key valid at `recorded` (inside the write lock)."""
        return self.seal_payload(draft, recorded, prev, trust)[1]

    def seal_payload(
        self, draft: DraftEvent, recorded: str, prev: str, trust: Trust | None = None
    ) -> tuple[EventPayload, bytes]:
        """`seal`, also returning the payload signed (what the event reads back as)."""
        payload = EventPayload(
            agreement=str(draft.originator_id),
            version=draft.originator_version,
            type=draft.type,
            effective=draft.effective,
            precision=draft.precision,
            recorded=recorded,
            actor=draft.actor,
            prev=prev,
            data=draft.data,
        )
        if self.keystore is None:
            raise SigningRefused("this registry instance has no private keys: it cannot sign")
        if draft.actor == AUTHORITY:
            key = self.keystore.authority()
        else:
            trust = trust or self.trust()
            keyid = trust.current_keyid(draft.actor, parse_instant(recorded))
            if keyid is None:
                raise SigningRefused(
                    f"officer {draft.actor!r} has no valid signing key: an admin must register one"
                )
            key = self._keys.get((draft.actor, keyid))
            if key is None:
                key = self._keys[(draft.actor, keyid)] = self.keystore.officer(draft.actor, keyid)
        return payload, seal(payload, key)

    def to_domain_event(self, stored_event: StoredEvent) -> RegistryEvent:
        return event_from_payload(self.open(stored_event).payload)

    def open(self, stored: StoredEvent, trust: Trust | None = None) -> OpenedEvent:
        """Verify a stored row and return its payload; raises TamperedEvent."""
        trust = trust or self.trust()
        where = f"event {stored.originator_id} v{stored.originator_version}"
        try:
            payload, _envelope, keyid = open_envelope(stored.state, trust.public_key)
        except LedgerError as error:
            raise TamperedEvent(f"{where}: {error}") from None
        problem = row_mismatch(stored, payload) or trust.problem(payload, keyid)
        if problem:
            raise TamperedEvent(f"{where}: {problem}")
        return OpenedEvent(payload, stored.state, keyid)

    def open_bytes(self, envelope: bytes, trust: Trust) -> OpenedEvent:
        """Verify envelope bytes that have no row yet (an import): every check of `open` but
        the row's, since the caller makes the row from the payload this returns."""
        try:
            payload, _envelope, keyid = open_envelope(envelope, trust.public_key)
        except LedgerError as error:
            raise TamperedEvent(str(error)) from None
        where = f"event {payload.agreement} v{payload.version}"
        if payload.type not in EVENT_TYPES:
            raise TamperedEvent(f"{where}: signed type {payload.type!r} is not an event type")
        problem = trust.problem(payload, keyid)
        if problem:
            raise TamperedEvent(f"{where}: {problem}")
        return OpenedEvent(payload, envelope, keyid)


def row_mismatch(stored: StoredEvent, payload: EventPayload) -> str | None:
    """The row's unsigned columns must say what the signed payload says."""
    if str(stored.originator_id) != payload.agreement:
        return f"row is filed under {stored.originator_id} but signed for {payload.agreement}"
    if stored.originator_version != payload.version:
        return f"row is version {stored.originator_version} but signed as {payload.version}"
    event_type = EVENT_TYPES.get(payload.type)
    if event_type is None:
        return f"signed type {payload.type!r} is not an event type"
    if stored.topic != get_topic(event_type):
        return f"row topic {stored.topic!r} does not match signed type {payload.type}"
    return None


def event_from_payload(payload: EventPayload) -> RegistryEvent:
    event_type = EVENT_TYPES[payload.type]
    fields = decode_data(event_type, dict(payload.data))
    extra: dict[str, Any] = {}
    if event_type in CREATED_TOPICS:
        extra["originator_topic"] = CREATED_TOPICS[event_type]
    recorded: datetime = parse_instant(payload.recorded)
    return event_type(
        originator_id=UUID(payload.agreement),
        originator_version=payload.version,
        timestamp=recorded,
        effective=PartialDate.from_start(payload.effective, payload.precision),
        actor=payload.actor,
        **extra,
        **fields,
    )


def load_trust(mapper: EnvelopeMapper, anchors: Anchors, keyring: Sequence[StoredEvent]) -> Trust:
    """The trust of a store: its anchors plus its keyring stream, each event verified first."""
    trust = Trust(anchors)
    for stored in keyring:
        trust.apply(mapper.open(stored, trust).payload)
    return trust
