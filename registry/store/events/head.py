"""What a writer knows of the log between its transactions, checked under the write lock.

Every write transaction needs the log's size, its last `recorded` instant, the Merkle tree's
right edge, the keyring version and the head of each stream it appends to. Reading them all
again costs a dozen statements and a parse of the last envelope per append; a writer instead
keeps what it wrote last. Under the lock, one indexed read of the event rows from the last
one it wrote, and of the log index's size (appends.py, in the lock's own round trip on
PostgreSQL), tells whether anyone else (another process, another Registry, an import) wrote
since: if that row is the first, with the id and bytes this writer committed, the rows after
it are all that others wrote (every write adds event rows, and the lock orders them), and
if the index holds one leaf per row the writer takes them in (`caught_up`: the streams they
extend, the keyring version, the tree's edge grown by their envelopes); if not, or if others
wrote many, everything is read again. A stale head is detected, never trusted.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.ledger.canonical import sha256_hex
from registry.ledger.merkle import NodeKey, append_leaves, leaf_hash, read_nodes
from registry.ledger.payload import GENESIS_PREV, parse_instant
from registry.store.events.log import SqlNodeReader, TransparencyLog, recorded_of

STREAMS_KEPT = 4096
AGGREGATES_KEPT = 256


def frontier_keys(size: int) -> list[NodeKey]:
    """The perfect subtrees that make up the tree of `size` leaves, left to right."""
    keys, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


@dataclass
class LogHead:
    """The log as its last write left it: the last row, size, tree edge, keyring, streams."""

    last_id: int
    last_digest: str
    last_recorded: datetime | None
    size: int
    frontier: dict[NodeKey, bytes]
    keyring_version: int
    streams: OrderedDict[UUID, tuple[int, str]] = field(default_factory=OrderedDict)

    def copy(self) -> LogHead:
        return LogHead(
            self.last_id,
            self.last_digest,
            self.last_recorded,
            self.size,
            dict(self.frontier),
            self.keyring_version,
            OrderedDict(self.streams),
        )

    def next_instant(self, now: datetime) -> datetime:
        """Now, or one microsecond after the last recorded event if the clock is behind."""
        if self.last_recorded is None:
            return now
        return max(now, self.last_recorded + timedelta(microseconds=1))

    def grown(self, nodes: list[tuple[int, int, bytes]], leaves: int) -> dict[NodeKey, bytes]:
        """The right edge after `leaves` more leaves, whose new nodes are `nodes`."""
        known = {**self.frontier, **{(level, idx): digest for level, idx, digest in nodes}}
        return {key: known[key] for key in frontier_keys(self.size + leaves)}

    def remember(self, stream: UUID, version: int, digest: str) -> None:
        self.streams[stream] = (version, digest)
        self.streams.move_to_end(stream)
        while len(self.streams) > STREAMS_KEPT:
            self.streams.popitem(last=False)


class EdgeReader:
    """merkle.NodeReader serving the tree's right edge from memory, the rest from the table."""

    def __init__(self, frontier: dict[NodeKey, bytes], session: Session) -> None:
        self.frontier = frontier
        self.stored = SqlNodeReader(session)

    def node(self, level: int, index: int) -> bytes:
        return self.nodes([(level, index)])[(level, index)]

    def nodes(self, keys: list[NodeKey]) -> dict[NodeKey, bytes]:
        found = {key: self.frontier[key] for key in keys if key in self.frontier}
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(self.stored.nodes(missing))
        return found


def read_head(
    session: Session,
    log: TransparencyLog,
    events: Any,
    keyring_id: UUID,
    last: tuple[int, bytes] | None,
) -> LogHead:
    """The head read from the database (the cold path, after someone else wrote); `last` is
    the last event row, just read under the lock."""
    size = log.size(session)
    frontier = read_nodes(SqlNodeReader(session), frontier_keys(size))
    keyring = session.execute(
        select(func.max(events.c.originator_version)).where(events.c.originator_id == keyring_id)
    ).scalar()
    if last is None:
        return LogHead(0, "", None, size, frontier, int(keyring or 0))
    recorded = parse_instant(recorded_of(last[1]))
    return LogHead(last[0], sha256_hex(last[1]), recorded, size, frontier, int(keyring or 0))


def last_row(session: Session, events: Any) -> tuple[int, bytes] | None:
    """The last event row (id, stored bytes), for a writer that took the lock through the ORM
    (a bulk load's chunk); small appends read it with the lock, in `appends`."""
    row = session.execute(
        select(events.c.id, events.c.state).order_by(events.c.id.desc()).limit(1)
    ).first()
    return (int(row[0]), bytes(row[1])) if row is not None else None


def caught_up(
    head: LogHead, rows: Sequence[Any], size: int, session: Session, keyring_id: UUID
) -> LogHead | None:
    """`head` brought up to date with `rows` (appends.StoredRow), the event rows from its own
    last row on, as read under the lock, and `size`, the log index's size read with them: the
    rows other writers (other processes) added since are taken in, so the streams it knows
    stay known, and the tree's right edge is grown by their leaves (the nodes are a function
    of the envelopes' bytes, which the rows hold; the right edge is all the append reads).
    None when `rows` do not start with the row `head` wrote last, unchanged, or the log index
    does not hold exactly one leaf per row: then everything is read again."""
    if head.last_id == 0:
        new = list(rows)
    elif not rows or rows[0].id != head.last_id or sha256_hex(rows[0].state) != head.last_digest:
        return None
    else:
        new = list(rows[1:])
    if size != head.size + len(new):
        return None
    if not new:
        return head
    for row in new:
        head.remember(row.stream, row.version, sha256_hex(row.state))
        if row.stream == keyring_id:
            head.keyring_version = max(head.keyring_version, row.version)
    edge = EdgeReader(head.frontier, session)
    nodes = append_leaves(edge, head.size, [leaf_hash(row.state) for row in new])
    head.frontier = head.grown(nodes, len(new))
    head.size = size
    head.last_id = new[-1].id
    head.last_digest = sha256_hex(new[-1].state)
    head.last_recorded = parse_instant(recorded_of(new[-1].state))
    return head


def stream_head(session: Session, events: Any, stream: UUID) -> tuple[int, str]:
    """A stream's last version and the hash of its envelope, read from the table."""
    row = session.execute(
        select(events.c.originator_version, events.c.state)
        .where(events.c.originator_id == stream)
        .order_by(events.c.originator_version.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS_PREV
    return int(row.originator_version), sha256_hex(bytes(row.state))


def stream_heads(session: Session, events: Any, streams: set[UUID]) -> dict[UUID, tuple[int, str]]:
    """`stream_head` of several streams: one query finds which have events at all (a bulk
    load's are mostly new), and only those are read one by one."""
    if not streams:
        return {}
    held = session.execute(
        select(events.c.originator_id).where(events.c.originator_id.in_(streams)).distinct()
    ).scalars()
    found = dict.fromkeys(streams, (0, GENESIS_PREV))
    for stream in set(held):
        found[stream] = stream_head(session, events, stream)
    return found


class Written:
    """The aggregates this writer committed last, as a read of the store would give them, so
    that a command on one needs no read of the store, no verification of envelopes this writer
    signed itself and no copy.

    A command runs on the aggregate itself (it is taken out, so no two commands share it); once
    its events have committed, each is compared with the event its signed payload reads back as
    (`event_from_payload`, as every read does): if they are the same event but for the instant
    the write lock gave it, that instant is set on the command's event (and as the aggregate's
    `modified_on`), and the aggregate is kept; otherwise it is dropped and read again next time.

    Never trusted: one may be behind the store (another process wrote). A command on it then
    proposes a version the store already holds, which the recorder refuses under the lock (it
    checks every version against the stream's head), and the caller runs the command again on
    the agreement as read from the store."""

    def __init__(self, size: int = AGGREGATES_KEPT) -> None:
        self.size = size
        self.held: OrderedDict[UUID, Any] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, stream: UUID) -> Any | None:
        with self.lock:
            return self.held.pop(stream, None)

    def keep(self, aggregate: Any, made: Sequence[Any], stored: Sequence[Any]) -> None:
        """Keep `aggregate`, whose command made the events `made`, committed as `stored`."""
        if not made or len(made) != len(stored) or made[-1].originator_version != aggregate.version:
            return
        for mine, theirs in zip(made, stored, strict=True):
            if type(mine) is not type(theirs) or _without_instant(mine) != _without_instant(theirs):
                return
        for mine, theirs in zip(made, stored, strict=True):
            object.__setattr__(mine, "timestamp", theirs.timestamp)  # the stored instant
        aggregate.modified_on = stored[-1].timestamp
        with self.lock:
            held = self.held.get(aggregate.id)
            if held is None or held.version < aggregate.version:
                self.held[aggregate.id] = aggregate
                self.held.move_to_end(aggregate.id)
            while len(self.held) > self.size:
                self.held.popitem(last=False)


def _without_instant(event: Any) -> dict[str, Any]:
    return {name: value for name, value in vars(event).items() if name != "timestamp"}
