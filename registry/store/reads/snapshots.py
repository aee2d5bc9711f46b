"""Verified snapshots of agreement streams: derived, rebuildable, never trusted over the chain.

A snapshot holds one stream's envelopes as they were verified (signature, keyring, chain), the
domain events decoded from them, and the states already derived from those events, keyed by
(as_of, known_at). It is tied to the stream's head as the snapshot saw it: the head's version,
the SHA-256 of its stored envelope bytes, and the keyring version the envelopes were checked
against. Before a snapshot is used, the store's head is read again (one small query) and
compared: a new event, a changed or removed head row, or a grown keyring (a revocation may
invalidate what was valid) discards it, and the stream is read and verified whole again.

Only bytes identical to bytes already verified are taken without verifying them again: the
head's digest names the head envelope, and each envelope names its predecessor by digest
(`prev`), so the verified chain the snapshot holds is the chain whose head the store still has.
A row altered below an unchanged head is not seen here; `registry verify`, which never reads
snapshots, reports it. States are `history.state_as_of` of the snapshot's events: the same
function on the same events, so they are exactly what a full replay gives.

A process keeps its snapshots in memory and, when it holds the log key, in the database
(stored_snapshots.py, authenticated rows): a new process then starts from the stored events and
states of a head it can check, instead of verifying the whole stream.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing_sqlalchemy.datastore import transactions
from sqlalchemy import Select, Table, bindparam, func, select
from sqlalchemy.orm import Session

from registry.domain.events import AgreementEvent
from registry.domain.history import state_as_of
from registry.domain.keyring import Keyring
from registry.domain.state import AgreementState
from registry.store.events.datastore import SQLITE_BUSY_TIMEOUT_MS
from registry.store.events.mapper import OpenedEvent, event_from_payload
from registry.store.reads.stored_snapshots import (
    EVENTS_ROW,
    WRITE_FAILURES,
    SnapshotRows,
    state_key,
)
from registry.store.reads.stored_states import state_body, state_from_body, unpickled

STREAMS_KEPT = 128  # snapshots per process (least recently used dropped first)
STATES_KEPT = 32  # derived states per snapshot, by (as_of, known_at)
DERIVED_KEPT = 8  # other derived values per snapshot (Snapshot.remember)
SNAPSHOT_BUSY_TIMEOUT_MS = 200

StateKey = tuple[date | None, datetime | None]
Transaction = Callable[..., AbstractContextManager[Session]]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Head:
    """Where a stream ends, and the keyring version its envelopes were verified against."""

    version: int
    digest: bytes  # SHA-256 of the head envelope's stored bytes
    keyring: int


def head_of(opened: Sequence[OpenedEvent], keyring: int) -> Head:
    last = opened[-1]
    return Head(last.payload.version, hashlib.sha256(last.envelope).digest(), keyring)


def stored_head(session: Session, record_cls: Any, stream: UUID) -> Head | None:
    """The stream's head as the store has it now, with the keyring's version, in one query;
    None when the stream has no events."""
    row = session.execute(_head_query(record_cls.__table__), {"stream": stream}).first()
    if row is None:
        return None
    return Head(int(row[0]), hashlib.sha256(bytes(row[1])).digest(), int(row[2] or 0))


@functools.cache
def _head_query(events: Table) -> Select[Any]:
    """Built once per events table (building a statement costs more than running it)."""
    keyring = (
        select(func.max(events.c.originator_version))
        .where(events.c.originator_id == Keyring.ID)
        .scalar_subquery()
    )
    stream = bindparam("stream", type_=events.c.originator_id.type)
    return (
        select(events.c.originator_version, events.c.state, keyring)
        .where(events.c.originator_id == stream)
        .order_by(events.c.originator_version.desc())
        .limit(1)
    )


@dataclass
class Snapshot:
    """One stream at one head. `opened` is None when the snapshot was restored from stored
    rows: a reader of envelopes then verifies the stream again. A restored snapshot reads
    nothing until asked: a state row of its head, else its stored events, else (neither
    stored, or either altered) the stream verified whole again."""

    stream: UUID
    head: Head
    opened: tuple[OpenedEvent, ...] | None
    owner: Snapshots
    states: OrderedDict[StateKey, AgreementState] = field(default_factory=OrderedDict)
    _events: tuple[AgreementEvent, ...] | None = None
    # other values derived at this head, e.g. inclusion proofs by checkpoint (events/proofs.py):
    # gone with the snapshot when the head moves
    derived: dict[Hashable, Any] = field(default_factory=dict)

    def remember(self, key: Hashable, value: Any) -> Any:
        """Keep `value`, derived from this snapshot's head, under `key` (a few at a time)."""
        if len(self.derived) >= DERIVED_KEPT:
            self.derived.clear()
        self.derived[key] = value
        return value

    @property
    def events(self) -> tuple[AgreementEvent, ...]:
        """The domain events of the verified envelopes, decoded on first use."""
        found = self._decoded_events()
        return found if found is not None else self.owner.verify(self.stream).events

    def _decoded_events(self) -> tuple[AgreementEvent, ...] | None:
        """The events, from the envelopes or the stored row; None if neither is at hand."""
        if self._events is None:
            if self.opened is not None:
                decoded = (event_from_payload(o.payload) for o in self.opened)
                self._events = tuple(decoded)  # type: ignore[arg-type]
            else:
                body = self.owner.load(self.stream, EVENTS_ROW, self.head)
                self._events = None if body is None else unpickled(body)
        return self._events

    def state(self, as_of: date | None, known_at: datetime | None) -> AgreementState:
        """`state_as_of` of the snapshot's events, derived once per (as_of, known_at)."""
        key = (as_of, known_at)
        found = self.states.get(key)
        if found is not None:
            self.states.move_to_end(key)
            return found
        if known_at is not None and known_at.tzinfo is None:
            raise ValueError("known_at must be timezone-aware")
        stored_key = state_key(as_of, known_at)
        body = self.owner.load(self.stream, stored_key, self.head)
        if body is not None:
            found = state_from_body(body)
        else:
            events = self._decoded_events()
            if events is None:  # nothing stored at this head: the stream verified again
                return self.owner.verify(self.stream).state(as_of, known_at)
            found = state_as_of(events, as_of=as_of, known_at=known_at)
            self.owner.save(self.stream, stored_key, self.head, state_body(found))
        self.states[key] = found
        if len(self.states) > STATES_KEPT:
            self.states.popitem(last=False)
        return found


class Snapshots:
    """The snapshots of one registry process, each checked against the store before use;
    stored in the database too when `rows` (the registry's MAC key) is given."""

    def __init__(
        self,
        transaction: Transaction,
        rows: SnapshotRows | None,
        verify: Callable[[UUID], Snapshot],
        kept: int = STREAMS_KEPT,
    ) -> None:
        """`verify(stream)` reads and verifies a stream whole and `take`s its snapshot."""
        self.transaction = transaction
        self.rows = rows
        self.verify = verify
        self.kept = kept
        self._by_stream: OrderedDict[UUID, Snapshot] = OrderedDict()

    def current(self, stream: UUID, head: Head) -> Snapshot | None:
        """The stream's snapshot if it ends at `head`, the store's head: from memory, else
        one restored from the rows stored at that head (read when first asked); a snapshot
        of any other head is discarded. None when rows are not read here."""
        found = self._by_stream.get(stream)
        if found is not None and found.head == head:
            self._by_stream.move_to_end(stream)
            return found
        self._by_stream.pop(stream, None)
        return self._keep(Snapshot(stream, head, None, self)) if self._stored() else None

    def take(self, stream: UUID, opened: Sequence[OpenedEvent], keyring: int) -> Snapshot:
        """A snapshot of envelopes just verified whole, against keyring version `keyring`
        (its head is theirs, never one read before them: an event recorded in between is
        never skipped)."""
        snapshot = Snapshot(stream, head_of(opened, keyring), tuple(opened), self)
        if self._stored() and opened[0].payload.type != "KeyringOpened":
            body = pickle.dumps(snapshot.events, protocol=pickle.HIGHEST_PROTOCOL)
            self.save(stream, EVENTS_ROW, snapshot.head, body)
        return self._keep(snapshot)

    def _keep(self, snapshot: Snapshot) -> Snapshot:
        self._by_stream[snapshot.stream] = snapshot
        self._by_stream.move_to_end(snapshot.stream)
        while len(self._by_stream) > self.kept:
            self._by_stream.popitem(last=False)
        return snapshot

    def _stored(self) -> bool:
        """Whether snapshot rows are read and written here: not without the MAC key, nor
        inside a caller's transaction (a snapshot's own writes must never join, delay or
        abort someone else's)."""
        return self.rows is not None and transactions.get(None) is None

    def load(self, stream: UUID, key: str, head: Head) -> bytes | None:
        if not self._stored():
            return None
        try:
            with self._briefly() as session:  # commits the deletion of a bad row
                return self.rows.load(session, stream, key, head)
        except WRITE_FAILURES as error:  # a bad row left for a later read to delete
            log.info("snapshot of %s v%s not read: %s", stream, head.version, error)
            return None

    def save(self, stream: UUID, key: str, head: Head, body: bytes) -> None:
        if not self._stored():
            return
        try:
            with self._briefly() as session:
                self.rows.save(session, stream, key, head, body)
        except WRITE_FAILURES as error:  # a lost snapshot, rebuilt on a later read
            log.info("snapshot of %s v%s not stored: %s", stream, head.version, error)

    @contextmanager
    def _briefly(self) -> Iterator[Session]:
        """A write transaction that gives up soon on a busy SQLite file instead of waiting
        for a bulk writer: a snapshot is never worth delaying a read."""
        assert self.rows is not None
        with self.transaction(commit=True) as session:
            connection = session.connection()
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {SNAPSHOT_BUSY_TIMEOUT_MS}")
            try:
                yield session
            finally:
                if sqlite:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")

    def __len__(self) -> int:
        return len(self._by_stream)
