"""The application recorder: seals drafts into signed envelopes inside the write transaction.

Order of work in one transaction, all or nothing:
  1. take the write lock (BEGIN IMMEDIATE on SQLite, LOCK TABLE on PostgreSQL);
  2. read the log head (last `recorded`) and each stream's head (its last envelope);
  3. refuse a draft whose version does not follow its stream's head (a concurrent writer won);
  4. seal each draft with `recorded` strictly after the head and `prev` = hash of its predecessor;
  5. insert the rows, then index them as log leaves, extend the Merkle tree, sign a checkpoint,
     and update the read models given by the application.
Only DraftEvents are accepted: there is no way to store bytes that this code did not sign.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.ledger.canonical import sha256_hex
from registry.ledger.dsse import Envelope
from registry.ledger.payload import GENESIS_PREV, EventPayload, format_instant, parse_instant
from registry.store.errors import VersionConflict
from registry.store.events.datastore import write_intent
from registry.store.events.log import IssuedCheckpoint, NewLeaf, TransparencyLog
from registry.store.events.mapper import DraftEvent, EnvelopeMapper

Projection = Callable[[Session, list["SealedEvent"]], None]


@dataclass(frozen=True)
class SealedEvent:
    """An event as sealed in this transaction, with its place in the log."""

    stream: UUID
    version: int
    type: str
    envelope: bytes
    recorded: str
    notification_id: int
    leaf_index: int


@dataclass(frozen=True)
class Receipt:
    events: list[SealedEvent]
    checkpoint: IssuedCheckpoint


class SignedEventRecorder(SQLAlchemyApplicationRecorder):
    mapper: EnvelopeMapper
    log: TransparencyLog
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, session: Session | None = None, **kwargs: Any
    ) -> Sequence[int] | None:
        with write_intent():
            return super().insert_events(stored_events, session=session, **kwargs)

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        drafts = [self._require_draft(event) for event in stored_events]
        self._lock_table(session)
        recorded = self._next_instant(session)
        trust = self.mapper.trust()
        heads: dict[UUID, tuple[int, str]] = {}
        records = []
        sealed_envelopes = []
        for offset, draft in enumerate(drafts):
            version, prev = heads.get(draft.originator_id) or self._stream_head(
                session, draft.originator_id
            )
            if draft.originator_version != version + 1:
                raise VersionConflict(
                    f"agreement {draft.originator_id} is at version {version}: "
                    f"version {draft.originator_version} was recorded by someone else first"
                )
            instant = format_instant(recorded + timedelta(microseconds=offset))
            envelope = self.mapper.seal(draft, instant, prev, trust)
            heads[draft.originator_id] = (draft.originator_version, sha256_hex(envelope))
            sealed_envelopes.append((draft, envelope, instant))
            records.append(
                self.events_record_cls(
                    originator_id=draft.originator_id,
                    originator_version=draft.originator_version,
                    topic=draft.topic,
                    state=envelope,
                )
            )
        session.add_all(records)
        session.flush()
        size = self.log.size(session)
        sealed = [
            SealedEvent(
                draft.originator_id,
                draft.originator_version,
                draft.type,
                envelope,
                instant,
                record.id,
                size + offset,
            )
            for offset, ((draft, envelope, instant), record) in enumerate(
                zip(sealed_envelopes, records, strict=True)
            )
        ]
        leaves = [
            NewLeaf(s.notification_id, str(s.stream), s.version, s.type, s.recorded, s.envelope)
            for s in sealed
        ]
        checkpoint = self.log.append(session, leaves, issued=format_instant(recorded))
        for projection in kwargs.get("projections", ()):
            projection(session, sealed)
        self._notify_channel(session)
        receipt = kwargs.get("receipt")
        if receipt is not None:  # the caller's own list: safe across threads
            receipt.append(Receipt(sealed, checkpoint))
        return [s.notification_id for s in sealed]

    def insert_verified(
        self,
        sealed: Sequence[tuple[StoredEvent, str, str]],
        projections: Any,
        *,
        expected_size: int | None = None,
        checkpoint_note: str | None = None,
    ) -> int:
        """Store envelopes that were signed elsewhere and verified by the caller (import, mirror).

        Into an empty store or, with `expected_size`, appended to a log of exactly that many
        leaves, so the log it builds is the source's log, leaf for leaf. `sealed` holds (stored
        event with the exact envelope bytes, type, recorded). With `checkpoint_note` (the
        source's own signed checkpoint, verified by the caller) that note is archived, and only
        if it signs the tree the leaves give, instead of this instance signing one.
        """
        with write_intent(), self.transaction(commit=True) as session:
            self._lock_table(session)
            start = 0
            if expected_size is not None:
                start = self.log.size(session)
                if start != expected_size:
                    raise VersionConflict(
                        f"the log holds {start} entries, not {expected_size}: "
                        "someone else appended to it first; nothing was stored"
                    )
            elif session.execute(select(self.events_record_cls.id).limit(1)).first() is not None:
                raise VersionConflict("import needs an empty event store; this one holds events")
            records = [
                self.events_record_cls(
                    originator_id=event.originator_id,
                    originator_version=event.originator_version,
                    topic=event.topic,
                    state=event.state,
                )
                for event, _type, _recorded in sealed
            ]
            session.add_all(records)
            session.flush()
            result = [
                SealedEvent(
                    event.originator_id,
                    event.originator_version,
                    type_,
                    event.state,
                    recorded,
                    record.id,
                    start + offset,
                )
                for offset, ((event, type_, recorded), record) in enumerate(
                    zip(sealed, records, strict=True)
                )
            ]
            leaves = [
                NewLeaf(s.notification_id, str(s.stream), s.version, s.type, s.recorded, s.envelope)
                for s in result
            ]
            issued = result[-1].recorded if result else ""
            self.log.append(session, leaves, issued=issued, signed=checkpoint_note)
            for projection in projections:
                projection(session, result)
        return len(result)

    @staticmethod
    def _require_draft(event: StoredEvent) -> DraftEvent:
        if not isinstance(event, DraftEvent):
            raise ProgrammingError("refusing to store an event that the mapper did not draft")
        return event

    def _next_instant(self, session: Session) -> datetime:
        """Now, or one microsecond after the last recorded event if the clock is behind."""
        now = self.clock().astimezone(UTC).replace(tzinfo=UTC)
        last_state = session.execute(
            select(self.events_record_cls.state).order_by(self.events_record_cls.id.desc()).limit(1)
        ).scalar()
        if last_state is None:
            return now
        last = parse_instant(_payload_of(bytes(last_state)).recorded)
        return max(now, last + timedelta(microseconds=1))

    def _stream_head(self, session: Session, stream: UUID) -> tuple[int, str]:
        cls = self.events_record_cls
        row = session.execute(
            select(cls.originator_version, cls.state)
            .where(cls.originator_id == stream)
            .order_by(cls.originator_version.desc())
            .limit(1)
        ).first()
        if row is None:
            return 0, GENESIS_PREV
        return int(row.originator_version), sha256_hex(bytes(row.state))


def _payload_of(envelope: bytes) -> EventPayload:
    return EventPayload.from_bytes(Envelope.from_bytes(envelope).payload)
