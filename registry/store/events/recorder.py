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

import itertools
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
from registry.store.events.appends import CATCH_UP, SMALL_APPEND, AppendStatements, EventRow
from registry.store.events.datastore import write_intent
from registry.store.events.group import GroupCommit, Member
from registry.store.events.head import (
    EdgeReader,
    LogHead,
    caught_up,
    read_head,
    stream_heads,
)
from registry.store.events.log import (
    IssuedCheckpoint,
    NewLeaf,
    TransparencyLog,
    check_entry_sizes,
    rebuild_tree,
)
from registry.store.events.mapper import DraftEvent, EnvelopeMapper, SigningRefused, TamperedEvent

Projection = Callable[[Session, list["SealedEvent"]], None]
Sealed = tuple[DraftEvent, bytes, str, EventPayload]  # a draft, its envelope, recorded, payload


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
        self._appends: AppendStatements | None = None

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
        statements = self._statements(session)
        cursor = statements.cursor(session)
        try:
            head = self._current_head(session, statements, cursor)
            trust = self.trust_at(head.keyring_version)
            recorded = head.next_instant(self.clock().astimezone(UTC).replace(tzinfo=UTC))
            answers: list[tuple[Any, BaseException | None]] = []
            accepted: list[tuple[Member, list[Sealed]]] = []
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
            every = [one for _member, sealed in accepted for one in sealed]
            issued = format_instant(recorded)
            if 0 < len(every) <= SMALL_APPEND:
                leaves = [
                    _leaf(0, draft, envelope, instant) for draft, envelope, instant, _ in every
                ]
                planned = self.log.plan(
                    leaves, issued, head.size, EdgeReader(head.frontier, session)
                )
                rows = [_row(draft, envelope) for draft, envelope, _instant, _payload in every]
                ids = statements.insert(cursor, rows, planned)
                checkpoint = planned.checkpoint or IssuedCheckpoint(head.size + len(every), b"", "")
                nodes = planned.nodes
            else:
                ids = self._insert_rows(session, events, [_row(d, e) for d, e, _i, _p in every])
                leaves = [_leaf(i, d, e, t) for i, (d, e, t, _p) in zip(ids, every, strict=True)]
                edge = EdgeReader(head.frontier, session)
                checkpoint, nodes = self.log.append_at(session, leaves, issued, head.size, edge)
                self._notify_channel(session)
        finally:
            cursor.close()
        if any(later <= earlier for earlier, later in itertools.pairwise(ids)):
            raise ProgrammingError("the database gave event ids out of order: nothing was stored")
        groups: list[list[SealedEvent]] = []
        position = 0
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
        self._project(session, [member for member, _sealed in accepted], groups)
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
            _draft, last_envelope, last_instant, _payload = every[-1]
            head.frontier = head.grown(nodes, len(every))
            head.size += len(every)
            head.last_id = ids[-1]
            head.last_digest = sha256_hex(last_envelope)
            head.last_recorded = parse_instant(last_instant)
            keyring = [
                d.originator_version for d, *_ in every if d.originator_id == self.keyring_id
            ]
            if keyring:
                head.keyring_version = max(keyring)
        return head, answers

    @staticmethod
    def _project(session: Session, members: list[Member], groups: list[list[SealedEvent]]) -> None:
        """Run each member's projections on its own events. Projections whose type has a
        `together(session, calls)` (the read models) run first, once for the whole group, with
        every member's (projection, events); the others then run one by one, in order, each in
        its member's context."""
        together: dict[Any, list[tuple[Any, list[SealedEvent]]]] = {}
        alone = []
        for member, mine in zip(members, groups, strict=True):
            for projection in member.kwargs.get("projections", ()):
                joint = getattr(type(projection), "together", None)
                if joint is not None:
                    together.setdefault(joint, []).append((projection, mine))
                else:
                    alone.append((member, projection, mine))
        for joint, calls in together.items():
            joint(session, calls)
        for member, projection, mine in alone:
            member.context.run(projection, session, mine)

    def _current_head(self, session: Session, statements: AppendStatements, cursor: Any) -> LogHead:
        """Take the write lock and the log's head: what this writer holds, caught up with the
        rows others wrote since (`caught_up`), or read whole when it holds none or that fails."""
        with self._head_lock:
            held = self._head.copy() if self._head is not None else None
        if held is None:
            last = statements.lock_and_last_row(cursor)
        else:
            rows, size = statements.lock_and_rows_from(cursor, held.last_id)
            if len(rows) <= CATCH_UP:
                head = caught_up(held, rows, size, session, self.keyring_id)
                if head is not None:
                    return head
            last = statements.last_row(cursor)
        events = self.events_record_cls.__table__
        return read_head(session, self.log, events, self.keyring_id, last)

    def _statements(self, session: Session) -> AppendStatements:
        if self._appends is None:
            table = self.events_record_cls.__table__
            self._appends = AppendStatements(table, session.get_bind().dialect, self.channel_name)
        return self._appends

    def _seal(
        self,
        session: Session,
        head: LogHead,
        drafts: Sequence[StoredEvent],
        trust: Trust,
        recorded: datetime,
        offset: int,
    ) -> list[Sealed]:
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
    def _insert_rows(session: Session, events: Any, rows: list[EventRow]) -> list[int]:
        if not rows:
            return []
        names = ("originator_id", "originator_version", "topic", "state")
        found = session.execute(
            insert(events).returning(events.c.id, sort_by_parameter_order=True),
            [dict(zip(names, row, strict=True)) for row in rows],
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

    def rebuild_log(self) -> IssuedCheckpoint:
        """Recompute the leaf index and Merkle nodes from the events, under the write lock.

        The rebuilt root must be the root the latest signed checkpoint covers; otherwise the
        events no longer are what was signed, and nothing is changed (see `registry verify`).
        """
        cls = self.events_record_cls
        with write_intent(), self.transaction(commit=True) as session:
            self._lock_table(session)
            rows = session.execute(select(cls.id, cls.state).order_by(cls.id))
            events = [_Row(row.id, bytes(row.state)) for row in rows]
            root = rebuild_tree(session, events)
            latest = TransparencyLog.latest(session)
            if latest is None or latest.size != len(events) or latest.root_hash != root:
                raise TamperedEvent(
                    "the events do not give the root of the latest checkpoint: "
                    "nothing was rebuilt; run `registry verify` to see what changed"
                )
            return latest

    @staticmethod
    def _require_draft(event: StoredEvent) -> DraftEvent:
        if not isinstance(event, DraftEvent):
            raise ProgrammingError("refusing to store an event that the mapper did not draft")
        return event


@dataclass(frozen=True)
class _Row:
    id: int
    state: bytes


def _row(draft: DraftEvent, envelope: bytes) -> EventRow:
    return draft.originator_id, draft.originator_version, draft.topic, envelope


def _leaf(notification_id: int, draft: DraftEvent, envelope: bytes, recorded: str) -> NewLeaf:
    stream = str(draft.originator_id)
    return NewLeaf(
        notification_id, stream, draft.originator_version, draft.type, recorded, envelope
    )
