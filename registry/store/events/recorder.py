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

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing_sqlalchemy.datastore import transactions
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.ledger.canonical import sha256_hex
from registry.ledger.payload import EventPayload, format_instant, parse_instant
from registry.ledger.trust import Trust
from registry.store.errors import EnvelopeTooLarge, VersionConflict
from registry.store.events.datastore import write_intent
from registry.store.events.group import GroupCommit, Member
from registry.store.events.head import (
    EdgeReader,
    LogHead,
    is_current,
    last_row,
    read_head,
    stream_heads,
)
from registry.store.events.log import IssuedCheckpoint, NewLeaf, TransparencyLog, check_entry_sizes
from registry.store.events.mapper import DraftEvent, EnvelopeMapper, SigningRefused

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
    # the payload this writer signed (None for envelopes signed elsewhere: import, mirror)
    payload: EventPayload | None = None


@dataclass(frozen=True)
class Receipt:
    events: list[SealedEvent]
    checkpoint: IssuedCheckpoint


class SignedEventRecorder(SQLAlchemyApplicationRecorder):
    mapper: EnvelopeMapper
    log: TransparencyLog
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))
    # The trust at a keyring version (the application's, cached there).
    trust_at: Callable[[int], Trust]
    keyring_id: UUID

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head: LogHead | None = None  # what this writer committed last
        self._head_lock = threading.Lock()
        self.groups = GroupCommit(self._commit_group)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, session: Session | None = None, **kwargs: Any
    ) -> Sequence[int] | None:
        member = Member(list(stored_events), kwargs)
        if session is not None or transactions.get(None) is not None:
            # inside a transaction the caller owns: no group can join it
            self._commit_group([member], session)
            return member.outcome()
        return self.groups.submit(member)

    def forget_head(self) -> None:
        """Drop what this writer knows (after a write that bypassed it); re-read under the lock."""
        with self._head_lock:
            self._head = None

    def _commit_group(self, members: list[Member], session: Session | None = None) -> None:
        """Commit the members' events in one transaction; each member gets its own answer.

        A member refused before anything is written (a version conflict, no valid key, an
        envelope too large) fails alone and the others commit. If the transaction itself fails,
        nothing of the group is stored, and each member is retried alone so that only the
        member at fault gets the error. A keyring change is committed alone: the members after
        it must be signed under the trust it makes.
        """
        runs: list[list[Member]] = []
        for member in members:
            if not runs or self._changes_keyring(member) or self._changes_keyring(runs[-1][-1]):
                runs.append([member])
            else:
                runs[-1].append(member)
        for run in runs:
            try:
                self._commit_run(run, session)
            except Exception as error:
                self.forget_head()
                if len(run) == 1 or session is not None:
                    for member in run:
                        member.fail(error)
                    continue
                for member in run:
                    self._commit_group([member])

    def _changes_keyring(self, member: Member) -> bool:
        return any(event.originator_id == self.keyring_id for event in member.events)

    def _commit_run(self, members: list[Member], session: Session | None) -> None:
        if session is None:
            with write_intent(), self.transaction(commit=True) as own:
                head, answers = self._write(own, members)
        else:
            head, answers = self._write(session, members)
        with self._head_lock:
            self._head = head
        for member, (result, error) in zip(members, answers, strict=True):
            if error is not None:
                member.fail(error)
            else:
                member.succeed(result)

    def _write(
        self, session: Session, members: list[Member]
    ) -> tuple[LogHead, list[tuple[Any, BaseException | None]]]:
        events = self.events_record_cls.__table__
        self._lock_table(session)
        last = last_row(session, events)
        with self._head_lock:
            known = self._head.copy() if is_current(self._head, last) else None
        head = known or read_head(session, self.log, events, self.keyring_id)
        trust = self.trust_at(head.keyring_version)
        recorded = head.next_instant(self.clock().astimezone(UTC).replace(tzinfo=UTC))
        answers: list[tuple[Any, BaseException | None]] = []
        accepted: list[tuple[Member, list[tuple[DraftEvent, bytes, str, EventPayload]]]] = []
        offset = 0
        for member in members:
            try:
                sealed = self._seal(session, head, member.events, trust, recorded, offset)
            except (VersionConflict, SigningRefused, EnvelopeTooLarge, ProgrammingError) as e:
                answers.append((None, e))
                continue
            answers.append((None, None))
            accepted.append((member, sealed))
            offset += len(sealed)
        rows = [
            {
                "originator_id": draft.originator_id,
                "originator_version": draft.originator_version,
                "topic": draft.topic,
                "state": envelope,
            }
            for _member, sealed in accepted
            for draft, envelope, _instant, _payload in sealed
        ]
        ids = self._insert_rows(session, events, rows)
        position = 0
        groups: list[list[SealedEvent]] = []
        for _member, sealed in accepted:
            groups.append(
                [
                    SealedEvent(
                        draft.originator_id,
                        draft.originator_version,
                        draft.type,
                        envelope,
                        instant,
                        ids[position + n],
                        head.size + position + n,
                        payload,
                    )
                    for n, (draft, envelope, instant, payload) in enumerate(sealed)
                ]
            )
            position += len(sealed)
        every = [event for group in groups for event in group]
        leaves = [
            NewLeaf(s.notification_id, str(s.stream), s.version, s.type, s.recorded, s.envelope)
            for s in every
        ]
        edge = EdgeReader(head.frontier, session)
        checkpoint, nodes = self.log.append_at(
            session, leaves, format_instant(recorded), head.size, edge
        )
        for (member, _sealed), mine in zip(accepted, groups, strict=True):
            for projection in member.kwargs.get("projections", ()):
                member.context.run(projection, session, mine)
        self._notify_channel(session)
        results = iter(groups)
        for number, (_result, error) in enumerate(answers):
            if error is None:
                mine = next(results)
                answers[number] = ([s.notification_id for s in mine], None)
        for (member, _sealed), mine in zip(accepted, groups, strict=True):
            receipt = member.kwargs.get("receipt")
            if receipt is not None:  # the caller's own list
                receipt.append(Receipt(mine, checkpoint))
        if every:
            head.frontier = head.grown(nodes, len(every))
            head.size += len(every)
            head.last_id = every[-1].notification_id
            head.last_digest = sha256_hex(every[-1].envelope)
            head.last_recorded = parse_instant(every[-1].recorded)
            if any(s.stream == self.keyring_id for s in every):
                head.keyring_version = max(s.version for s in every if s.stream == self.keyring_id)
        return head, answers

    def _seal(
        self,
        session: Session,
        head: LogHead,
        drafts: Sequence[StoredEvent],
        trust: Trust,
        recorded: datetime,
        offset: int,
    ) -> list[tuple[DraftEvent, bytes, str, EventPayload]]:
        """Seal one member's drafts after the heads in `head`, which it updates only if every
        draft of the member is accepted."""
        mine: dict[UUID, tuple[int, str]] = {}
        sealed = []
        unknown = {d.originator_id for d in drafts} - head.streams.keys()
        read = stream_heads(session, self.events_record_cls.__table__, unknown)
        for number, stored in enumerate(drafts):
            draft = self._require_draft(stored)
            stream = draft.originator_id
            version, prev = mine.get(stream) or head.streams.get(stream) or read[stream]
            if draft.originator_version != version + 1:
                raise VersionConflict(
                    f"agreement {stream} is at version {version}: "
                    f"version {draft.originator_version} was recorded by someone else first"
                )
            instant = format_instant(recorded + timedelta(microseconds=offset + number))
            payload, envelope = self.mapper.seal_payload(draft, instant, prev, trust)
            mine[stream] = (draft.originator_version, sha256_hex(envelope))
            sealed.append((draft, envelope, instant, payload))
        check_entry_sizes(
            [
                NewLeaf(0, str(d.originator_id), d.originator_version, d.type, i, e)
                for d, e, i, _p in sealed
            ]
        )
        for stream, (version, digest) in mine.items():
            head.remember(stream, version, digest)
        return sealed

    @staticmethod
    def _insert_rows(session: Session, events: Any, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        found = session.execute(
            insert(events).returning(events.c.id, sort_by_parameter_order=True), rows
        )
        return [int(row.id) for row in found]

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
