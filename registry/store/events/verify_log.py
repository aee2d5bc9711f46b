"""The log's checks in `registry verify`, fed the events in log order, in bounded memory.

The leaf index, the stored Merkle nodes and the archived checkpoints are each compared with
what the events give, as the events stream past: the index and the checkpoints are read by
cursors in step with the events, the tree is grown from the events' leaf hashes keeping only
its right edge (O(log n) nodes), and each page's new nodes are compared with the stored ones
in one query. Memory is a page of events plus the edge, whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import String, and_, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Subquery

from registry.ledger import merkle
from registry.ledger.canonical import sha256_hex
from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.note import NoteVerifier
from registry.store.events.log import SqlNodeReader
from registry.store.events.tables import checkpoints, log_entries, merkle_nodes

REPORTED_NODES = 20  # wrong or missing nodes named, of each kind; the rest are counted

# A checkpoint note opened ahead (by a worker): (SHA-256 hex of its text, the checkpoint it
# signs, or why it does not verify). Used only for a row whose note has that very digest.
OpenedNote = tuple[str, Checkpoint | str]


def edge_keys(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees of the first `size` leaves, left to right: the tree's right edge."""
    keys, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            keys.append((level, start >> level))
            start += 1 << level
    return keys


class StreamedLogCheck:
    """Feed `add` every event in log order (and `opened` the notes opened ahead), then
    `finish`."""

    def __init__(self, session: Session, verifier: NoteVerifier, checks: Sequence[Any]) -> None:
        self.session = session
        self.verifier = verifier
        self.index_check, self.tree_check, self.checkpoint_check = checks
        self.size = 0
        self.edge = merkle.MemoryNodeStore()
        self.wrong = self.missing = 0
        self.index_broken = False
        self.fed = self.unindexed = 0
        self.previous_size: int | None = None
        self.notes: dict[int, OpenedNote] = {}
        self.dialect = session.get_bind().dialect.name
        # The index is read a page at a time, each page compared in one query, while every
        # page so far was whole and right and no leaf index is negative: a cursor over the
        # whole index would then stand just where the next page starts. From the first page
        # in doubt on, a cursor from there reads it row by row and words each problem.
        self.entries: Iterator[Any] | None = None
        lowest = session.execute(select(func.min(log_entries.c.leaf_index))).scalar()
        if (lowest is not None and lowest < 0) or self.dialect not in _JOINED:
            self.entries = self._entries_from(None)
        notes = select(checkpoints).order_by(checkpoints.c.size)
        self.checkpoints: Iterator[Any] = iter(
            session.execute(notes.execution_options(yield_per=1000))
        )
        self.next_checkpoint = next(self.checkpoints, None)
        self._checkpoints_up_to()

    def _entries_from(self, position: int | None) -> Iterator[Any]:
        entries = select(log_entries).order_by(log_entries.c.leaf_index)
        if position is not None:
            entries = entries.where(log_entries.c.leaf_index >= position)
        return iter(self.session.execute(entries.execution_options(yield_per=1000)))

    def opened(self, notes: dict[int, OpenedNote]) -> None:
        """Checkpoint notes opened ahead, by size; kept until their checkpoint comes up."""
        self.notes.update(notes)

    def add(
        self,
        ids: Sequence[int],
        streams: Sequence[str],
        versions: Sequence[int],
        digests: Sequence[str],
        leaves: Sequence[bytes],
    ) -> None:
        """The next events in log order, one sequence per column."""
        self._index(ids, streams, versions, digests)
        start = 0
        while start < len(leaves):
            stop = len(leaves)
            upcoming = self.next_checkpoint
            if upcoming is not None and self.size < upcoming.size < self.size + stop - start:
                stop = start + upcoming.size - self.size
            self._grow(list(leaves[start:stop]))
            start = stop
            self._checkpoints_up_to()

    def finish(self) -> int | None:
        """The checks that need the whole log; returns the size of the latest good checkpoint."""
        if self.entries is None:  # every page was whole and right: what is left lies beyond
            self.entries = self._entries_from(self.fed)
        for row in self.entries:
            if not self.index_broken:
                self.index_check.problems.append(
                    f"leaf {row.leaf_index} names notification {row.notification_id}, "
                    "but the event store has no such event"
                )
        if self.unindexed:
            self.index_check.problems.append(f"{self.unindexed} events are not in the log index")
        self._nodes_beyond_the_log()
        self._stored_root()
        while self.next_checkpoint is not None:
            self._checkpoint(self.next_checkpoint)
            self.next_checkpoint = next(self.checkpoints, None)
        if self.previous_size is None and self.size:
            if not self.checkpoint_check.problems:
                self.checkpoint_check.problems.append(
                    "no checkpoint has been issued for a non-empty log"
                )
        elif self.previous_size is not None and self.previous_size != self.size:
            self.checkpoint_check.problems.append(
                f"the latest checkpoint covers {self.previous_size} events, "
                f"the store holds {self.size}"
            )
        return self.previous_size

    # -- the leaf index ----------------------------------------------------------------------

    def _index(
        self,
        ids: Sequence[int],
        streams: Sequence[str],
        versions: Sequence[int],
        digests: Sequence[str],
    ) -> None:
        position = self.fed
        if self.entries is None:
            if self._page_indexed(position, ids, streams, versions, digests):
                self.fed += len(ids)
                return
            self.entries = self._entries_from(position)
        for event in zip(ids, streams, versions, digests, strict=True):
            self._index_row(event)

    def _page_indexed(
        self,
        position: int,
        ids: Sequence[int],
        streams: Sequence[str],
        versions: Sequence[int],
        digests: Sequence[str],
    ) -> bool:
        """Whether the leaves from `position` on are exactly these events, in one query: as
        many rows as events, and each column, joined in leaf order, as the events give it
        (leaf indexes are unique, so that many in the range are all of it; no joined value
        holds a comma, so the joined texts are equal only if every value is)."""
        if not ids:
            return True
        rows = (
            select(log_entries)
            .where(log_entries.c.leaf_index >= position)
            .where(log_entries.c.leaf_index < position + len(ids))
            .order_by(log_entries.c.leaf_index)
            .subquery()
        )
        join = _JOINED[self.dialect]
        query = select(
            func.count(),
            join(rows, rows.c.notification_id),
            join(rows, rows.c.stream_id),
            join(rows, rows.c.version),
            join(rows, rows.c.envelope_sha256),
        )
        found = self.session.execute(query).one()
        return tuple(found) == (
            len(ids),
            ",".join(map(str, ids)),
            ",".join(streams),
            ",".join(map(str, versions)),
            ",".join(digests),
        )

    def _index_row(self, event: tuple[int, str, int, str]) -> None:
        position = self.fed
        self.fed += 1
        assert self.entries is not None
        row = next(self.entries, None)
        if row is None:
            self.unindexed += 1
            return
        if self.index_broken:
            return
        if row.leaf_index != position:
            self.index_check.problems.append(f"leaf index {row.leaf_index} found at {position}")
            self.index_broken = True
            return
        if (row.notification_id, row.stream_id, row.version, row.envelope_sha256) != event:
            self.index_check.problems.append(
                f"leaf {position} does not match notification {event[0]} ({event[1]} v{event[2]})"
            )

    # -- the tree ----------------------------------------------------------------------------

    def _grow(self, leaves: list[bytes]) -> None:
        if not leaves:
            return
        runs = merkle.append_runs(self.edge, self.size, leaves)
        self._compare(runs)
        self.size += len(leaves)
        kept = merkle.MemoryNodeStore()
        for level, index in edge_keys(self.size):
            first, hashes = runs.get(level, (index + 1, []))
            if first <= index < first + len(hashes):
                kept.put(level, index, hashes[index - first])
            else:
                kept.put(level, index, self.edge.node(level, index))
        self.edge = kept

    def _compare(self, runs: dict[int, merkle.Run]) -> None:
        condition = or_(
            *(
                and_(
                    merkle_nodes.c.level == level,
                    merkle_nodes.c.idx.between(first, first + len(hashes) - 1),
                )
                for level, (first, hashes) in runs.items()
            )
        )
        if self._nodes_stored(condition, [hashes for _, (_, hashes) in sorted(runs.items())]):
            return
        # In the order the leaves complete them, as the tree is written: each level's node
        # comes with the leaf that completes it, the lower level first.
        created = sorted(
            (
                (level, first + k, digest)
                for level, (first, hashes) in runs.items()
                for k, digest in enumerate(hashes)
            ),
            key=lambda node: (((node[1] + 1) << node[0]) - 1, node[0]),
        )
        query = select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash)
        stored = {
            (level, index): bytes(digest)
            for level, index, digest in self.session.execute(query.where(condition)).tuples()
        }
        for level, index, digest in created:
            found = stored.get((level, index))
            if found is None:
                self.missing += 1
                if self.missing <= REPORTED_NODES:
                    self.tree_check.problems.append(f"stored node ({level}, {index}) is missing")
            elif found != digest:
                self.wrong += 1
                if self.wrong <= REPORTED_NODES:
                    self.tree_check.problems.append(
                        f"stored node ({level}, {index}) has the wrong hash"
                    )

    def _nodes_stored(self, condition: ColumnElement[bool], runs: list[list[bytes]]) -> bool:
        """Whether the stored nodes of these runs (by level) are exactly these, in one query:
        as many rows, and their hashes, in hex joined in (level, index) order, as computed."""
        if self.dialect not in _JOINED:
            return False
        rows = (
            select(merkle_nodes)
            .where(condition)
            .order_by(merkle_nodes.c.level, merkle_nodes.c.idx)
            .subquery()
        )
        hashes = _HEX[self.dialect](rows.c.hash)
        join = _JOINED[self.dialect]
        found = self.session.execute(select(func.count(), join(rows, hashes))).one()
        expected = [digest.hex() for hashes in runs for digest in hashes]
        return tuple(found) == (len(expected), ",".join(expected))

    def _nodes_beyond_the_log(self) -> None:
        levels = range(max(self.size.bit_length(), 1) + 1)
        beyond = or_(
            merkle_nodes.c.level > levels[-1],
            *(
                and_(merkle_nodes.c.level == level, merkle_nodes.c.idx >= self.size >> level)
                for level in levels
            ),
        )
        query = select(merkle_nodes.c.level, merkle_nodes.c.idx).where(beyond).limit(100)
        for row in self.session.execute(query):
            self.tree_check.problems.append(
                f"node ({row.level}, {row.idx}) covers leaves the log lacks"
            )

    def _stored_root(self) -> None:
        if not self.size:
            return
        try:
            stored_root = merkle.root_at(SqlNodeReader(self.session), self.size)
        except KeyError as error:
            self.tree_check.problems.append(f"stored tree is missing nodes: {error}")
            return
        if stored_root != merkle.root_at(self.edge, self.size):
            self.tree_check.problems.append(
                "stored tree's root differs from the root of the events"
            )

    # -- the checkpoints ---------------------------------------------------------------------

    def _checkpoints_up_to(self) -> None:
        """Check every archived checkpoint of the size reached so far."""
        while self.next_checkpoint is not None and self.next_checkpoint.size <= self.size:
            self._checkpoint(self.next_checkpoint)
            self.next_checkpoint = next(self.checkpoints, None)

    def _checkpoint(self, row: Any) -> None:
        check = self.checkpoint_check
        ahead = self.notes.pop(row.size, None)
        if ahead is not None and ahead[0] == sha256_hex(row.note.encode()):
            opened = ahead[1]
        else:
            try:
                opened = open_checkpoint(row.note, self.verifier)
            except (CheckpointError, ValueError) as error:
                opened = str(error)
        if isinstance(opened, str):
            check.problems.append(f"checkpoint of size {row.size} does not verify: {opened}")
            return
        if opened.size != row.size or opened.root_hash != bytes(row.root_hash):
            check.problems.append(f"checkpoint row {row.size} disagrees with its signed note")
            return
        if opened.size > self.size:
            check.problems.append(
                f"checkpoint of size {opened.size} covers more events than the store holds "
                f"({self.size})"
            )
            return
        if opened.root_hash != merkle.root_at(self.edge, opened.size):
            check.problems.append(
                f"checkpoint of size {opened.size} signs a root the events do not give"
            )
            return
        # Each good checkpoint signs the root of a prefix of the same leaves, so any two are
        # consistent: no proof between them can fail once both roots are the events' own.
        self.previous_size = opened.size


# -- one query per page ------------------------------------------------------------------------


def _sqlite_joined(rows: Subquery, column: ColumnElement[Any]) -> ColumnElement[Any]:
    # SQLite's group_concat keeps the order of the ordered subquery it reads; were it to
    # change, the joined texts would differ and the page would be read row by row.
    return func.group_concat(column, ",")


def _postgresql_joined(rows: Subquery, column: ColumnElement[Any]) -> ColumnElement[Any]:
    order = [rows.c.level, rows.c.idx] if "level" in rows.c else [rows.c.leaf_index]
    return func.string_agg(cast(column, String), aggregate_order_by(literal_column("','"), *order))


# Per dialect: a column's values joined with commas, in the order of the rows' keys.
_JOINED = {"sqlite": _sqlite_joined, "postgresql": _postgresql_joined}
# Per dialect: a hash column in lowercase hex.
_HEX = {
    "sqlite": lambda column: func.lower(func.hex(column)),
    "postgresql": lambda column: func.encode(column, "hex"),
}
