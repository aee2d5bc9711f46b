"""`registry import` on several cores: the strict opening of every envelope (pass 1) and the
read-model rows of each chunk (pass 2) in worker processes (workers.py), the checks that
need the whole file and every write in this one.

Pass 1: the lines go out in batches, round-robin, a few batches ahead, and come back in
order as their opened payloads' chain fields (`Link`) or the refusal `_open` gave; this
process checks the recorded order and the chain links and hashes the tree, line by line, as
the serial pass does, and names the same first problem.

Pass 2: the instants of an import are signed in the file, so each chunk's rows can be made
before its transaction: the workers project chunk k+1 (each its agreements, shared out by
id, their Heads kept from chunk to chunk) while this process writes chunk k. An agreement a
worker does not hold (let go after two chunks without it, or stored before a resumed
import) is sent to it with its stored, verified events and its open rows.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from uuid import UUID

from registry.domain.events import AgreementEvent
from registry.domain.keyring import Keyring
from registry.ledger.chain import Link
from registry.ledger.payload import EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.chunks import stored_events
from registry.store.bulk.transfer import TransferError
from registry.store.bulk.workers import Pool, share
from registry.store.events.mapper import event_from_payload
from registry.store.reads.projection import Head, Stored, advance, stored_rows
from registry.store.reads.projection_rows import BoundWrites, Writes

BATCH = 256  # lines per call in pass 1
AHEAD = 2  # batches in flight per worker
KEPT_CHUNKS = 2  # a worker keeps the agreements of its last two chunks

Entry = tuple[int, bytes, dict[str, object] | None]  # line number, bytes, trailer or None
Opener = Callable[[int, bytes], EventPayload]  # importing._open, bound to a registry and trust


class ImportShare:
    """One worker's side: opening lines (any), and the Heads of its agreements."""

    def __init__(self, opener: Opener, dialect: Any) -> None:
        self.opener, self.dialect = opener, dialect
        self.heads: dict[UUID, Head] = {}
        self.recent: deque[set[UUID]] = deque(maxlen=KEPT_CHUNKS)

    def open(self, lines: list[tuple[int, bytes]]) -> list[Link | str]:
        """Each line's chain fields once strictly opened, or why it is refused."""
        found: list[Link | str] = []
        for number, line in lines:
            try:
                payload = self.opener(number, line)
            except TransferError as error:
                found.append(str(error))
                continue
            found.append(Link(payload.agreement, payload.version, payload.prev, payload.recorded))
        return found

    def project(
        self,
        payloads: list[EventPayload],
        shipped: dict[UUID, tuple[list[AgreementEvent], Stored]],
    ) -> BoundWrites:
        """The rows after `payloads` (this worker's agreements' events of one chunk)."""
        for stream, (older, stored) in shipped.items():
            self.heads[stream] = Head.restore(str(stream), older, stored)
        new: dict[UUID, list[tuple[AgreementEvent, str]]] = {}
        for payload in payloads:
            event = event_from_payload(payload)
            if isinstance(event, AgreementEvent):
                new.setdefault(event.originator_id, []).append((event, payload.recorded))
        advanced = []
        for stream, events in new.items():
            history = [event for event, _recorded in events]
            instants = [(event.originator_version, recorded) for event, recorded in events]
            head = self.heads.get(stream)
            if head is None and instants[0][0] > 1:
                raise TransferError(f"{stream} v{instants[0][0]}: its earlier rows were not sent")
            head = self.heads[stream] = advance(None, history, instants, head=head)  # type: ignore[arg-type]
            advanced.append(head)
        writes = Writes.of(advanced).bound(self.dialect)
        for head in advanced:  # if the chunk does not commit, the whole pool is dropped
            head.saved()
        self.recent.append(set(new))
        keep = set().union(*self.recent)
        for stream in [s for s in self.heads if s not in keep]:
            del self.heads[stream]
        return writes


def opened_in_order(pool: Pool, entries: Iterable[Entry]) -> Iterator[tuple[Entry, Any]]:
    """Each entry with its line's `ImportShare.open` result (None for the trailer), in the
    file's order; at most AHEAD batches per worker are read ahead."""
    pending: deque[tuple[int, list[Entry]]] = deque()
    turn = 0

    def send(batch: list[Entry]) -> None:
        nonlocal turn
        pool.ask(turn, "open", [(number, line) for number, line, trailer in batch if not trailer])
        pending.append((turn, batch))
        turn = (turn + 1) % len(pool)

    def receive() -> Iterator[tuple[Entry, Any]]:
        worker, batch = pending.popleft()
        results = iter(pool.answer(worker))
        for entry in batch:
            yield entry, None if entry[2] is not None else next(results)

    batch: list[Entry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) >= BATCH:
            send(batch)
            batch = []
            if len(pending) >= AHEAD * len(pool):
                yield from receive()
    if batch:
        send(batch)
    while pending:
        yield from receive()


class Projector:
    """This process's side of pass 2: each chunk's payloads sent to the workers that hold
    their agreements, and the rows they make gathered."""

    def __init__(self, registry: Registry, pool: Pool, trust: Trust) -> None:
        self.registry, self.pool, self.trust = registry, pool, trust
        self.recent: deque[set[UUID]] = deque(maxlen=KEPT_CHUNKS)  # what the workers hold

    def send(self, payloads: list[EventPayload]) -> None:
        held = set().union(*self.recent)
        shares: list[list[EventPayload]] = [[] for _ in range(len(self.pool))]
        ship: list[dict[UUID, Any]] = [{} for _ in range(len(self.pool))]
        streams: set[UUID] = set()
        keyring = str(Keyring.ID)
        for payload in payloads:
            if payload.agreement == keyring:
                continue
            stream = UUID(payload.agreement)
            worker = share(stream, len(self.pool))
            shares[worker].append(payload)
            if stream not in streams:
                streams.add(stream)
                if stream not in held and payload.version > 1:
                    ship[worker][stream] = self._stored(stream, payload.version)
        self.pool.ask_each("project", list(zip(shares, ship, strict=True)))
        self.recent.append(streams)

    def _stored(self, stream: UUID, before: int) -> tuple[list[AgreementEvent], Stored]:
        with self.registry.transaction() as session:
            older = stored_events(self.registry, session, stream, before, self.trust)
            return older, stored_rows(session, str(stream))

    def receive(self) -> list[BoundWrites]:
        return list(self.pool.answers())
