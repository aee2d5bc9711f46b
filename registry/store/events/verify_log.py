"""The log's checks in `registry verify`, fed the events in log order, in bounded memory.

The leaf index, the stored Merkle nodes and the archived checkpoints are each compared with
what the events give, as the events stream past: the index and the checkpoints are read by
cursors in step with the events, the tree is grown from the events' leaf hashes keeping only
its right edge (O(log n) nodes), and each page's new nodes are compared with the stored ones
in one query. Memory is a page of events plus the edge, whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

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


class Event(Protocol):
    """What the log's checks read of each event (verification.Checked)."""

    @property
    def id(self) -> int: ...
    @property
    def stream(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def digest(self) -> str: ...
    @property
    def leaf(self) -> bytes: ...


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
        entries = select(log_entries).order_by(log_entries.c.leaf_index)
        self.entries: Iterator[Any] = iter(
            session.execute(entries.execution_options(yield_per=1000))
        )
        notes = select(checkpoints).order_by(checkpoints.c.size)
        self.checkpoints: Iterator[Any] = iter(
            session.execute(notes.execution_options(yield_per=1000))
        )
        self.next_checkpoint = next(self.checkpoints, None)
        self._checkpoints_up_to()

    def opened(self, notes: dict[int, OpenedNote]) -> None:
        """Checkpoint notes opened ahead, by size; kept until their checkpoint comes up."""
        self.notes.update(notes)

    def add(self, page: Sequence[Event]) -> None:
        for event in page:
            self._index_row(event)
        start = 0
        while start < len(page):
            stop = len(page)
            upcoming = self.next_checkpoint
            if upcoming is not None and self.size < upcoming.size < self.size + stop - start:
                stop = start + upcoming.size - self.size
            self._grow([event.leaf for event in page[start:stop]])
            start = stop
            self._checkpoints_up_to()

    def finish(self) -> int | None:
        """The checks that need the whole log; returns the size of the latest good checkpoint."""
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

    def _index_row(self, event: Event) -> None:
        position = self.fed
        self.fed += 1
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
        expected = (event.id, event.stream, event.version, event.digest)
        if (row.notification_id, row.stream_id, row.version, row.envelope_sha256) != expected:
            self.index_check.problems.append(
                f"leaf {position} does not match notification {event.id} "
                f"({event.stream} v{event.version})"
            )

    # -- the tree ----------------------------------------------------------------------------

    def _grow(self, leaves: list[bytes]) -> None:
        if not leaves:
            return
        created = merkle.append_leaves(self.edge, self.size, leaves)
        self._compare(created)
        self.size += len(leaves)
        made = {(level, index): digest for level, index, digest in created}
        kept = merkle.MemoryNodeStore()
        for level, index in edge_keys(self.size):
            found = made.get((level, index))
            kept.put(level, index, found if found is not None else self.edge.node(level, index))
        self.edge = kept

    def _compare(self, created: list[tuple[int, int, bytes]]) -> None:
        spans: dict[int, tuple[int, int]] = {}
        for level, index, _digest in created:
            low, high = spans.get(level, (index, index))
            spans[level] = (min(low, index), max(high, index))
        condition = or_(
            *(
                and_(merkle_nodes.c.level == level, merkle_nodes.c.idx.between(low, high))
                for level, (low, high) in spans.items()
            )
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
