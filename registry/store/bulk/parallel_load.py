"""`registry load` on several cores: each agreement's commands, seals and read-model rows in
a worker process, the chunk's transaction in this one.

Per chunk (the same chunks, with the same rule as chunks.py: one transaction each):

  1. `run`: each worker runs the commands of the steps of its agreements (agreements are
     shared out by id, so an agreement's aggregate stays in one worker from chunk to chunk)
     and projects their read-model rows; nothing is signed yet, and nothing is locked.
  2. this process takes the write lock and, under it, reads the log head: the last recorded
     instant, and each of the chunk's agreements' last stored version and envelope hash. The
     chunk's events take their places in the log in step order, and so their instants: the
     n-th one `base + n` microseconds, `base` strictly after the last recorded instant.
  3. `seal`: each worker checks that its agreements' stored versions are the ones its
     commands followed, signs its events with those instants, each naming as `prev` the
     envelope before it (the stored head, read under the lock, for its first), and projects
     its agreements' read-model rows; it hands back the envelopes and rows.
  4. this process inserts the envelopes in log order, indexes them as leaves, extends the
     Merkle tree, signs the checkpoint, writes the rows and commits; then `committed` tells
     the workers to keep their state. While it writes, the workers already run the commands
     of the next chunk (step 1), which signs nothing.

So `recorded` and `prev` are fixed inside the transaction that fixes the events' places in the
log, as DESIGN.md asks of every writer: they are read and assigned under the lock, and the
envelopes signed with them are stored, or dropped with the transaction. If anything fails
(a refused step, a signing refusal, a version conflict, an envelope too long), the chunk is
not written and the load goes on serially (chunks.py), which skips what is stored and
stops at the step at fault exactly as a serial load does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

from registry.domain import commands
from registry.domain.agreement import Agreement
from registry.domain.keyring import Keyring
from registry.ledger.canonical import sha256_hex
from registry.ledger.keys import Keyring as Anchors
from registry.ledger.payload import format_instant
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.chunks import VerifiedEvent, append_verified
from registry.store.bulk.workers import Pool, WorkerFailed, share
from registry.store.errors import VersionConflict
from registry.store.events.datastore import write_intent
from registry.store.events.head import last_row, read_head, stream_heads
from registry.store.events.log import NewLeaf, check_entry_sizes
from registry.store.events.mapper import DraftEvent, EnvelopeMapper, load_trust
from registry.store.reads.intervals import instant_number
from registry.store.reads.projection import Head, Stored, placeholder, stored_rows
from registry.store.reads.projection_rows import BoundWrites, Writes

Item = tuple[int, int, UUID, Any]  # (place in the chunk's log order, step number, stream, step)
KEPT_CHUNKS = 2  # a worker keeps the agreements of its last two chunks


@dataclass
class Chunk:
    items: list[Item]
    skipped: int  # steps before and among these that the store already held
    streams: set[UUID] = field(default_factory=set)


class Fallback(Exception):
    """The parallel load stopped before a chunk it could not write; nothing of it is stored."""


def load_in_parallel(
    registry: Registry,
    steps: Sequence[Any],
    *,
    chunk: int,
    workers: int,
    stored_versions: Callable[[set[UUID]], dict[UUID, int]],
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, bool]:
    """Record `steps` in chunks with `workers` processes: (events recorded, steps skipped,
    whether it stopped early, leaving the rest to the serial load)."""
    trust = registry.trust()
    anchors = registry.anchors()
    mapper = registry.mapper
    dialect = registry.signed_recorder.datastore.engine.dialect  # type: ignore[union-attr]

    def make() -> LoadShare:
        return LoadShare(mapper, anchors, trust, dialect)

    recorded = skipped = 0
    with Pool(workers, make) as pool:
        loader = _Loader(registry, pool, trust.version)
        chunks = _chunks(registry, steps, chunk, stored_versions)
        try:
            current = next(chunks, None)
            if current is not None:
                loader.run(current)
            while current is not None:
                following = loader.write(current, chunks)
                recorded += len(current.items)
                skipped += current.skipped
                if progress:
                    progress(recorded + skipped)
                current = following
            if loader.committing:
                pool.answers()
        except Fallback:
            return recorded, skipped, True
        finally:
            registry.read_model_heads.clear()  # the workers', not this registry's, are current
    return recorded, skipped, False


def _chunks(
    registry: Registry,
    steps: Iterable[Any],
    size: int,
    stored_versions: Callable[[set[UUID]], dict[UUID, int]],
) -> Iterator[Chunk]:
    """The steps not yet stored, `size` at a time, each with its place in its chunk."""
    planned: dict[UUID, int] = {}
    stored: dict[UUID, int] = {}
    items: list[Item] = []
    skipped = 0
    batch: list[tuple[int, Any]] = []

    def flush() -> Iterator[Chunk]:
        nonlocal items, skipped
        streams = [registry.resolve(step.agreement) for _n, step in batch]
        stored.update(stored_versions(set(streams) - planned.keys()))
        for (number, step), stream in zip(batch, streams, strict=True):
            planned[stream] = planned.get(stream, 0) + 1
            if planned[stream] <= stored[stream]:
                skipped += 1
                continue
            items.append((len(items), number, stream, step))
            if len(items) >= size:
                yield Chunk(items, skipped, {s for _p, _n, s, _st in items})
                items, skipped = [], 0
        batch.clear()

    for number, step in enumerate(steps, start=1):
        batch.append((number, step))
        if len(batch) >= size:
            yield from flush()
    yield from flush()
    if items or skipped:
        yield Chunk(items, skipped, {s for _p, _n, s, _st in items})


class _Loader:
    """This process's side: the chunks' transactions, and what the workers hold."""

    def __init__(self, registry: Registry, pool: Pool, trust_version: int) -> None:
        self.registry = registry
        self.pool = pool
        self.trust_version = trust_version
        self.recent: deque[set[UUID]] = deque(maxlen=KEPT_CHUNKS)  # what the workers hold
        self.committing = False  # a `committed` sent, its answers not yet read
        self.unsent = False  # the next chunk's `run` could not be sent

    def run(self, chunk: Chunk) -> None:
        """Step 1 for `chunk`: its commands, in the workers (answered in `write`)."""
        held = set().union(*self.recent)
        mine: list[list[Item]] = [[] for _ in range(len(self.pool))]
        ship: list[dict[UUID, tuple[Agreement, Stored]]] = [{} for _ in range(len(self.pool))]
        first: set[UUID] = set()
        for item in chunk.items:
            worker = share(item[2], len(self.pool))
            mine[worker].append(item)
            stream = item[2]
            if stream in first or stream in held:
                continue
            first.add(stream)
            if item[3].type != "Drafted":  # its earlier versions are stored: send them
                try:
                    ship[worker][stream] = self._stored(stream)
                except Exception:  # not stored, or not readable: the serial load says how
                    self.unsent = True
                    return
        self.pool.ask_each("run", [(m, s) for m, s in zip(mine, ship, strict=True)])
        self.recent.append(chunk.streams)

    def _stored(self, stream: UUID) -> tuple[Agreement, Stored]:
        agreement = self.registry.agreement(stream)  # read and verified
        with self.registry.transaction() as session:
            return agreement, stored_rows(session, str(stream))

    def write(self, chunk: Chunk, chunks: Iterator[Chunk]) -> Chunk | None:
        """Steps 2 to 4 for `chunk`; returns the next chunk, whose commands are running."""
        failed = self.unsent  # its `run` was not sent
        if not failed:
            try:
                self.pool.answers()  # `run` of this chunk
            except WorkerFailed:
                failed = True
        if self.committing:  # `committed` of the chunk before, sent after this one's `run`
            self.pool.answers()
            self.committing = False
        if failed:
            raise Fallback
        registry = self.registry
        recorder = registry.signed_recorder
        events = recorder.events_record_cls.__table__
        with write_intent(), registry.transaction(commit=True) as session:
            recorder._lock_table(session)
            head = read_head(session, recorder.log, events, Keyring.ID, last_row(session, events))
            base = head.next_instant(recorder.clock().astimezone(UTC))
            keyring = None
            if head.keyring_version != self.trust_version:
                keyring = _keyring_events(registry, session)
                self.trust_version = head.keyring_version
            prevs: list[dict[UUID, tuple[int, str]]] = [{} for _ in range(len(self.pool))]
            for stream, found in stream_heads(session, events, chunk.streams).items():
                prevs[share(stream, len(self.pool))][stream] = found
            self.pool.ask_each("seal", [(base, p, keyring) for p in prevs])
            try:
                answers = self.pool.answers()
                placed = sorted((e for part, _writes in answers for e in part), key=_place)
                rows = [event for _place, event in placed]
                check_entry_sizes([_leaf(row) for row in rows])
            except Exception:
                raise Fallback from None  # nothing of this chunk is stored
            following = next(chunks, None)
            if following is not None:
                self.run(following)  # its commands run while this chunk is written
            append_verified(recorder, session, rows)
            for _part, rows_of_part in answers:
                rows_of_part.save(session)
        self.pool.ask_each("committed", [()] * len(self.pool))
        self.committing = True
        return following


def _place(placed: tuple[int, VerifiedEvent]) -> int:
    return placed[0]


def _leaf(event: VerifiedEvent) -> NewLeaf:
    return NewLeaf(0, str(event.stream), event.version, event.type, event.recorded, event.envelope)


def _keyring_events(registry: Registry, session: Any) -> list[StoredEvent]:
    cls = registry.signed_recorder.events_record_cls
    rows = session.execute(
        select(cls.originator_version, cls.topic, cls.state)
        .where(cls.originator_id == Keyring.ID)
        .order_by(cls.originator_version)
    )
    return [StoredEvent(Keyring.ID, int(r[0]), r.topic, bytes(r.state)) for r in rows]


# -- a worker's side ---------------------------------------------------------------------------


@dataclass
class _Track:
    agreement: Agreement
    head: Head  # its projection, of its stored events and those of this chunk
    made: list[tuple[int, DraftEvent]] = field(default_factory=list)  # (place, draft) to seal


class LoadShare:
    """The agreements one worker holds: their aggregates and projection Heads."""

    def __init__(
        self, mapper: EnvelopeMapper, anchors: Anchors, trust: Trust, dialect: Any
    ) -> None:
        self.mapper, self.anchors, self.trust, self.dialect = mapper, anchors, trust, dialect
        self.tracks: dict[UUID, _Track] = {}
        self.recent: deque[set[UUID]] = deque(maxlen=KEPT_CHUNKS)

    def run(self, items: list[Item], shipped: dict[UUID, tuple[Agreement, Stored]]) -> int:
        """The commands of `items`, and their read-model rows with stand-in instants."""
        for stream, (agreement, stored) in shipped.items():
            head = Head.restore(str(stream), list(agreement.history), stored)
            self.tracks[stream] = _Track(agreement, head)
        for place, number, stream, step in items:
            track = self.tracks.get(stream)
            if step.type == "Drafted":
                if track is not None:  # drafted twice: the serial load says how it is refused
                    raise ValueError(f"{step.agreement} is drafted again")
                agreement = commands.draft_from_data(
                    step.effective, step.actor, step.source, step.reason, step.data
                )
                if agreement.id != stream:
                    raise ValueError(f"the draft's reference is not {step.agreement!r}")
                track = self.tracks[stream] = _Track(agreement, Head(str(stream)))
            elif track is None:
                raise VersionConflict(f"{step.agreement} is not held by this worker")
            else:
                commands.record(
                    track.agreement,
                    step.type,
                    step.effective,
                    step.actor,
                    step.source,
                    step.reason,
                    step.data,
                )
            pending = track.agreement.pending_events
            if len(pending) != len(track.made) + 1:
                raise ValueError(f"step {number} made {len(pending) - len(track.made)} events")
            event = pending[-1]
            track.made.append((place, self.mapper.to_stored_event(event)))
            track.head.take(event, event.originator_version, "", placeholder(place))
        self.recent.append({stream for _p, _n, stream, _s in items})
        return len(items)

    def seal(
        self,
        base: datetime,
        prevs: dict[UUID, tuple[int, str]],
        keyring: list[StoredEvent] | None,
    ) -> tuple[list[tuple[int, VerifiedEvent]], BoundWrites]:
        """Sign this chunk's events at their instants (`base` + their place, in
        microseconds) after the stored heads `prevs`, read under the lock; the rows."""
        if keyring is not None:
            self.trust = load_trust(self.mapper, self.anchors, keyring)
        sealed: list[tuple[int, VerifiedEvent]] = []
        heads = []
        for stream, (version, prev) in prevs.items():
            track = self.tracks[stream]
            first = track.made[0][1].originator_version
            if first != version + 1:
                raise VersionConflict(f"{stream} is at version {version}, not {first - 1}")
            instant = ""
            for place, draft in track.made:
                instant = format_instant(base + timedelta(microseconds=place))
                _payload, envelope = self.mapper.seal_payload(draft, instant, prev, self.trust)
                prev = sha256_hex(envelope)
                row = VerifiedEvent(
                    stream, draft.originator_version, draft.type, draft.topic, instant, envelope
                )
                sealed.append((place, row))
            track.agreement.collect_events()
            track.made = []
            track.head.relabel(instant_number(base), instant)
            heads.append(track.head)
        writes = Writes.of(heads).bound(self.dialect)
        for head in heads:  # if the chunk does not commit, the whole pool is dropped
            head.saved()
        return sealed, writes

    def committed(self) -> None:
        keep = set().union(*self.recent)
        for stream in [s for s in self.tracks if s not in keep]:
            del self.tracks[stream]
