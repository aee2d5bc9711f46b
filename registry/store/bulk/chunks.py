"""Bulk appends: many events per transaction, inserted in batches, each chunk a whole log.

Two kinds of bulk work share this module's rule: a chunk is one write transaction that holds
the write lock, inserts its events with one batched statement, indexes them as log leaves,
extends the Merkle tree and archives one checkpoint, so a crash between chunks leaves a log
that is whole and signed up to the last chunk, and a rerun continues after it.

- `append_verified`: envelopes signed elsewhere and verified by the caller (import).
- `load_in_chunks`: fixture steps, run as commands on aggregates held in memory for the
  chunk and saved together (one lock, one checkpoint signature, one commit per chunk). A
  rerun skips the steps the registry already holds, so a killed load completes.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.domain import commands
from registry.domain.agreement import Agreement
from registry.domain.events import AgreementEvent
from registry.domain.keyring import Keyring
from registry.ledger.payload import EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.workers import worker_count
from registry.store.events.datastore import write_intent
from registry.store.events.log import IssuedCheckpoint, NewLeaf
from registry.store.events.mapper import event_from_payload
from registry.store.events.recorder import SignedEventRecorder
from registry.store.reads.intervals import insert_rows
from registry.store.reads.projection import Head, Heads, advance, save_all

CHUNK = 2000  # events per transaction: large enough to share the fixed costs, small in memory
PARALLEL_LEAST = 2 * CHUNK  # steps below which a load does not start worker processes


@dataclass(frozen=True)
class VerifiedEvent:
    """An envelope the caller has verified, with what its row and leaf need."""

    stream: UUID
    version: int
    type: str
    topic: str
    recorded: str
    envelope: bytes


def log_size(recorder: SignedEventRecorder, session: Session) -> int:
    return recorder.log.size(session)


def event_count(recorder: SignedEventRecorder, session: Session) -> int:
    cls = recorder.events_record_cls
    return int(session.execute(select(func.count()).select_from(cls)).scalar() or 0)


def append_verified(
    recorder: SignedEventRecorder,
    session: Session,
    events: Sequence[VerifiedEvent],
    *,
    checkpoint_note: str | None = None,
    checkpoint: bool = True,
) -> IssuedCheckpoint | None:
    """Insert `events` in one batched statement and log them; the caller holds the lock.

    With `checkpoint_note` (a checkpoint signed elsewhere, verified by the caller) that note
    is archived, and only if it signs the tree the leaves give; otherwise this instance signs
    one for the new size, unless `checkpoint` is false (a mirror's chunk before its last).
    """
    cls = recorder.events_record_cls
    rows = [
        {
            "originator_id": event.stream,
            "originator_version": event.version,
            "topic": event.topic,
            "state": event.envelope,
        }
        for event in events
    ]
    ids = _insert_rows(session, cls, rows)
    leaves = [
        NewLeaf(notification_id, str(e.stream), e.version, e.type, e.recorded, e.envelope)
        for notification_id, e in zip(ids, events, strict=True)
    ]
    issued = events[-1].recorded if events else ""
    if checkpoint:
        signed = recorder.log.append(session, leaves, issued=issued, signed=checkpoint_note)
    else:
        recorder.log.index(session, leaves)
        signed = None
    recorder._notify_channel(session)
    return signed


@contextmanager
def locked_log(
    registry: Registry, size: int, refused: Callable[[int], Exception]
) -> Iterator[Session]:
    """A write transaction holding the write lock on a log of `size` entries: an import's or
    a mirror's chunk, which follows on from what it stored before. If the log holds another
    size (someone else wrote), `refused(held)` is raised and nothing is written."""
    recorder = registry.signed_recorder
    with write_intent(), registry.transaction(commit=True) as session:
        recorder._lock_table(session)
        held = recorder.log.size(session)
        if held != size:
            raise refused(held)
        yield session


def _insert_rows(session: Session, cls: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert event rows in order and return their notification ids, in the same order: COPY
    on PostgreSQL, the driver's executemany elsewhere. The caller's table lock keeps every
    other writer out, so the ids the rows drew are the ones after the last, in order."""
    last = session.execute(select(func.max(cls.id))).scalar() or 0
    insert_rows(session, cls.__table__, rows)
    ids = list(session.execute(select(cls.id).where(cls.id > last).order_by(cls.id)).scalars())
    if len(ids) != len(rows):
        raise RuntimeError(f"stored {len(ids)} rows of {len(rows)}")
    return ids


# -- fixture steps, in chunks ------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    recorded: int  # events recorded by this run
    skipped: int  # steps the registry already held (an earlier, interrupted run)


StepLike = Any  # registry.store.bulk.fixtures.Step (imported there, to keep this module below it)
Describe = Callable[[int, StepLike], str]


def load_in_chunks(
    registry: Registry,
    steps: Iterable[StepLike],
    describe: Describe,
    *,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Loaded:
    """Record the steps, `chunk` events per transaction; skip the steps already stored.

    Each agreement's steps are its versions in order (one step, one event), so a step whose
    version the store already holds was recorded by an earlier run. A refused step stops the
    load: the steps before it are saved, and the error names the step (from `describe`).
    The stored versions are read for a chunk's steps at a time (one query), and the
    aggregates the last chunk saved stay in memory for the steps of the next.

    With `workers` (by default one per core, for a load of at least PARALLEL_LEAST steps)
    the chunks are made on several cores (parallel_load.py), the same chunks with the same
    contract; whatever that cannot write, this serial loop finishes, skipping what is stored.
    """
    steps = list(steps)
    # The steps and everything opened so far live as long as the load: kept out of the
    # garbage collector's scans, which would otherwise walk them again and again (~5 % CPU).
    frozen = gc.get_freeze_count() > 0  # by a caller, who will unfreeze
    gc.freeze()
    try:
        return _load(registry, steps, describe, chunk=chunk, progress=progress, workers=workers)
    finally:
        if not frozen:
            gc.unfreeze()


def _load(
    registry: Registry,
    steps: list[StepLike],
    describe: Describe,
    *,
    chunk: int,
    progress: Callable[[int], None] | None,
    workers: int | None,
) -> Loaded:
    from registry.store.bulk.parallel_load import load_in_parallel

    count = worker_count(workers, len(steps), PARALLEL_LEAST)
    if count < 1:
        return _load_serially(registry, steps, describe, chunk=chunk, progress=progress)

    done, skipped, stopped = load_in_parallel(
        registry,
        steps,
        chunk=chunk,
        workers=count,
        stored_versions=partial(stored_versions, registry),
        progress=progress,
    )
    if not stopped:
        refresh_statistics(registry, done)
        return Loaded(done, skipped)
    rest = _load_serially(registry, steps, describe, chunk=chunk, progress=progress, done=done)
    return Loaded(done + rest.recorded, rest.skipped - done)


def _load_serially(
    registry: Registry,
    steps: Iterable[StepLike],
    describe: Describe,
    *,
    chunk: int,
    progress: Callable[[int], None] | None,
    done: int = 0,
) -> Loaded:
    held: dict[UUID, Agreement] = {}  # aggregates with events not yet saved, this chunk
    kept: dict[UUID, Agreement] = {}  # aggregates the last chunk saved, as stored
    stored: dict[UUID, int] = {}  # versions already stored, for each agreement seen
    planned: dict[UUID, int] = {}  # the version each agreement's next step will have
    pending = recorded = skipped = 0
    for batch in _batches(enumerate(steps, start=1), chunk):
        streams = [registry.resolve(step.agreement) for _number, step in batch]
        stored.update(stored_versions(registry, set(streams) - planned.keys()))
        for (number, step), stream in zip(batch, streams, strict=True):
            planned[stream] = planned.get(stream, 0) + 1
            if planned[stream] <= stored[stream]:
                skipped += 1
                continue
            try:
                _run(registry, held, kept, stream, step)
            except Exception as error:
                _save(registry, held, kept)
                raise _Refused(describe(number, step), error) from error
            pending += 1
            if pending >= chunk:
                _save(registry, held, kept)
                recorded += pending
                pending = 0
                if progress:
                    progress(recorded + skipped)
    _save(registry, held, kept)
    recorded += pending
    if progress:
        progress(recorded + skipped)
    refresh_statistics(registry, recorded + done)
    return Loaded(recorded, skipped)


def refresh_statistics(registry: Registry, added: int, *, least: int = CHUNK) -> None:
    """After a bulk path added `added` events (at least a chunk's worth), PostgreSQL's planner
    statistics and visibility map are brought up to date: right after a load they are empty,
    and the as-of list's counts then read the heap instead of using index-only scans (about 3x
    slower). Autovacuum would do it later; SQLite keeps no such statistics unless asked."""
    if added < least or registry.settings.is_sqlite:
        return
    engine = registry.signed_recorder.datastore.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Refused(Exception):
    def __init__(self, where: str, error: Exception) -> None:
        super().__init__(f"{where}: {error}")


Refused = _Refused


def stored_versions(registry: Registry, streams: set[UUID]) -> dict[UUID, int]:
    """The version the store holds of each stream (0: none), in one query."""
    found = dict.fromkeys(streams, 0)
    if not streams:
        return found
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        rows = session.execute(
            select(cls.originator_id, func.max(cls.originator_version))
            .where(cls.originator_id.in_(streams))
            .group_by(cls.originator_id)
        )
        found.update({stream: int(version) for stream, version in rows})
    return found


def _run(
    registry: Registry,
    held: dict[UUID, Agreement],
    kept: dict[UUID, Agreement],
    stream: UUID,
    step: StepLike,
) -> None:
    if step.type == "Drafted":
        agreement = commands.draft_from_data(
            step.effective, step.actor, step.source, step.reason, step.data
        )
        if agreement.id != stream:
            raise ValueError(
                f"the draft's reference {agreement.reference!r} is not the step's "
                f"agreement {step.agreement!r}"
            )
        held[stream] = agreement
        return
    agreement = held.get(stream)
    if agreement is None:
        agreement = kept.pop(stream, None) or registry.agreement(stream)
        held[stream] = agreement
    commands.record(
        agreement, step.type, step.effective, step.actor, step.source, step.reason, step.data
    )


def _save(registry: Registry, held: dict[UUID, Agreement], kept: dict[UUID, Agreement]) -> None:
    """Commit the chunk; its aggregates, now at their stored versions, are kept for the next
    (only those: memory stays one chunk's worth)."""
    kept.clear()
    if held:
        registry.commit_many(list(held.values()))
        kept.update(held)
        held.clear()


# -- the read models of verified events, chunk by chunk ------------------------------------------


def project_verified(
    registry: Registry,
    session: Session,
    payloads: Sequence[EventPayload],
    heads: Heads,
    trust: Trust,
) -> list[Head]:
    """Write the read models after `payloads`, verified envelopes just stored in `session`
    (an import's or a mirror's chunk), in log order: each agreement is projected once, from
    its new events in memory, through the one projection; the rows of them all are written
    together. An agreement's earlier rows come from `heads` (kept from the chunks before)
    or, if it has none for it, from the tables and its stored events, verified with `trust`.
    Hand the returned Heads to `heads.keep` once the transaction has committed."""
    new: dict[str, list[tuple[AgreementEvent, str]]] = {}
    keyring = str(Keyring.ID)
    for payload in payloads:
        if payload.agreement != keyring:
            event = event_from_payload(payload)
            if isinstance(event, AgreementEvent):
                new.setdefault(payload.agreement, []).append((event, payload.recorded))
    advanced = []
    for agreement, events in new.items():
        history = [event for event, _recorded in events]
        instants = [(event.originator_version, recorded) for event, recorded in events]
        head = heads.take(agreement, instants[0][0] - 1)
        if head is None and instants[0][0] > 1:
            older = stored_events(registry, session, UUID(agreement), instants[0][0], trust)
            history = [*older, *history]
        advanced.append(advance(session, history, instants, head=head))
    save_all(session, advanced)
    return advanced


def stored_events(
    registry: Registry, session: Session, stream: UUID, before: int, trust: Trust
) -> list[AgreementEvent]:
    """An agreement's stored events before version `before`, each envelope verified."""
    cls = registry.signed_recorder.events_record_cls
    rows = session.execute(
        select(cls.originator_id, cls.originator_version, cls.topic, cls.state)
        .where(cls.originator_id == stream, cls.originator_version < before)
        .order_by(cls.originator_version)
    )
    events = [
        event_from_payload(
            registry.mapper.open(StoredEvent(*row[:3], bytes(row.state)), trust).payload
        )
        for row in rows
    ]
    return [e for e in events if isinstance(e, AgreementEvent)]
