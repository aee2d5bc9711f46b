"""`registry import`: an export (archive.py) verified whole, then stored in chunks.

Import reads the file in passes, never holding it in memory:
  0. the keyring's events (officers' keys and their windows), so every signature is judged
     by the whole keyring, as `registry verify` judges it;
  1. every envelope strictly opened and checked (signature, key window, data, chain links,
     the global recorded order) and hashed into the tree, which must give the trailer's
     root; nothing is written before this pass ends;
  2. the events stored in chunks (see `bulk.append_verified`: each chunk one transaction
     with its leaf index, tree nodes, a checkpoint and the read models of its events, see
     `bulk.project_verified`), each chunk's bytes compared with what pass 1 verified, so
     the events are projected from the verified bytes, never opened a second time.
An import killed during pass 2 leaves a whole, signed log of the first chunks (and their read
models) and a row in `registry_unfinished` that makes lists refuse until the same import is
run again, which continues after the last stored chunk; the last transaction removes it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import func, select

from registry.domain.events import EVENT_TYPES
from registry.ledger.payload import PAYLOAD_FIELDS, EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.chunks import (
    CHUNK,
    PARALLEL_LEAST,
    VerifiedEvent,
    append_verified,
    event_count,
    locked_log,
    project_verified,
    refresh_statistics,
)
from registry.store.bulk.import_check import (
    Verified,
    check_trailer,
    envelopes,
    keyring_trust,
    open_line,
    verify_file,
)
from registry.store.bulk.transfer import (
    Lines,
    TransferError,
)
from registry.store.bulk.workers import Pool, worker_count
from registry.store.events import unfinished
from registry.store.events.datastore import write_intent
from registry.store.events.log import TransparencyLog
from registry.store.events.tables import agreements
from registry.store.reads.intervals import agreement_intervals, party_intervals
from registry.store.reads.projection import Heads
from registry.store.reads.projection_rows import BoundWrites
from registry.store.reads.rebuild import Rebuilt, rebuild_views


@dataclass(frozen=True)
class Imported:
    events: int  # stored by this run
    already: int  # stored by an earlier, interrupted run of the same import
    total: int  # envelopes in the file
    partial: bool  # imported without a trailer that vouches for the whole file
    views: Rebuilt | None = None


def import_lines(registry: Registry, lines: list[bytes], **options: object) -> int:
    """`import_file` for lines in memory; returns the number of envelopes stored."""
    return import_file(registry, lambda: lines, **options).events  # type: ignore[arg-type]


def import_path(registry: Registry, path: Path, **options: object) -> Imported:
    def lines() -> Iterator[bytes]:
        with open(path, "rb") as file:
            yield from file

    return import_file(registry, lines, **options)  # type: ignore[arg-type]


def import_file(
    registry: Registry,
    lines: Lines,
    *,
    allow_partial: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Imported:
    """Verify the whole file, then store it `chunk` events per transaction (`progress` is
    told how many events are stored after each chunk), then build the read models. With
    `workers` (by default one per core for a file of at least PARALLEL_LEAST envelopes) the
    opening and the rows are made on several cores (parallel_import.py)."""
    resume = _resume_point(registry, chunk)
    trust, size = keyring_trust(registry, lines)
    count = worker_count(workers, size, PARALLEL_LEAST)
    if count < 1:
        return _import(registry, lines, trust, resume, allow_partial, chunk, progress, None)
    from registry.store.bulk.parallel_import import ImportShare

    dialect = registry.signed_recorder.datastore.engine.dialect  # type: ignore[union-attr]

    def make() -> ImportShare:
        return ImportShare(partial(open_line, registry, trust), dialect)

    with Pool(count, make) as pool:  # forked once the keyring is known: workers inherit it
        return _import(registry, lines, trust, resume, allow_partial, chunk, progress, pool)


def _import(
    registry: Registry,
    lines: Lines,
    trust: Trust,
    resume: int,
    allow_partial: bool,
    chunk: int,
    progress: Callable[[int], None] | None,
    pool: Pool | None,
) -> Imported:
    verified = verify_file(registry, trust, lines, chunk, resume, pool)
    target = check_trailer(verified, allow_partial)
    if resume and verified.root_at_resume != _stored_root(registry, resume):
        raise TransferError(
            f"the registry holds {resume} events that are not the first {resume} of this file: "
            "it is finishing the import of another file; nothing was imported"
        )
    detail = {"size": verified.count, "root": verified.root.hex(), "chunk": chunk}
    if resume:
        _require_same_import(registry, detail)
    unvouched = target is None
    if verified.trailer is not None and verified.trailer.origin != registry.settings.log_origin:
        target = None  # another origin's note: this instance signs its own for the same tree
    read_models = _Views(registry, trust, chunk, pool)
    stored = _store(registry, lines, verified, resume, chunk, detail, target, progress, read_models)
    views = _finish_views(registry, verified.count)
    refresh_statistics(registry, stored)
    return Imported(stored, resume, verified.count, unvouched, views)


def _resume_point(registry: Registry, chunk: int) -> int:
    """0 for an empty store; the events stored by an unfinished import; else a refusal."""
    with registry.transaction() as session:
        held = event_count(registry.signed_recorder, session)
        pending = unfinished.find(session, unfinished.IMPORT)
    if held and pending is None:
        raise TransferError(
            "import needs an empty event store; this one holds events (nothing was imported)"
        )
    return held


def _require_same_import(registry: Registry, detail: dict[str, object]) -> None:
    with registry.transaction() as session:
        pending = unfinished.find(session, unfinished.IMPORT)
    if pending is None or pending.detail != detail:
        raise TransferError(
            "the unfinished import in this registry was of another file (or another --chunk): "
            f"it expects {pending.detail if pending else 'nothing'}; nothing was imported"
        )


def _stored_root(registry: Registry, size: int) -> bytes:
    with registry.transaction() as session:
        return TransparencyLog.root_at(session, size)


@dataclass(frozen=True)
class _Changed:
    """The file's bytes of events `first` to `last` are not those pass 1 verified."""

    first: int
    last: int


_Batch = tuple[int, list[tuple[VerifiedEvent, EventPayload]]]  # (position after it, rows)


def _store(
    registry: Registry,
    lines: Lines,
    verified: Verified,
    resume: int,
    chunk: int,
    detail: dict[str, object],
    note: str | None,
    progress: Callable[[int], None] | None,
    views: _Views,
) -> int:
    """Pass 2: the events after `resume`, one chunk per transaction with their read models."""
    stored = 0
    batches = _batches(lines, verified, resume, chunk)
    current = next(batches, None)
    views.ahead(current)
    while current is not None:
        if isinstance(current, _Changed):
            raise TransferError(
                f"the file changed while it was imported (events {current.first} to "
                f"{current.last}); {stored + resume} events are stored, the import is unfinished"
            )
        position, batch = current
        rows = views.rows()
        following = next(batches, None)
        views.ahead(following)  # the workers project it while this chunk is written
        final = position == verified.count
        start = position - len(batch)
        _commit_chunk(registry, batch, start, detail, note if final else None, views, rows)
        stored += len(batch)
        if progress:
            progress(position)
        current = following
    return stored


def _batches(
    lines: Lines, verified: Verified, resume: int, chunk: int
) -> Iterator[_Batch | _Changed]:
    """The rows of each chunk after `resume`, each chunk's bytes checked against pass 1's."""
    batch: list[tuple[VerifiedEvent, EventPayload]] = []
    position = 0
    digest = hashlib.sha256()
    for _number, line, trailer in envelopes(lines):
        if trailer is not None:
            continue
        position += 1
        digest.update(line + b"\n")
        if position > resume:
            batch.append(_row(line))
        if position % chunk == 0 or position == verified.count:
            index = (position - 1) // chunk
            if index >= len(verified.chunks) or digest.digest() != verified.chunks[index]:
                yield _Changed(index * chunk + 1, position)
                return
            digest = hashlib.sha256()
            if batch:
                yield position, batch
                batch = []


class _Views:
    """The read models of each chunk: projected here (its Heads kept from one chunk to the
    next), or with a pool by the workers, one chunk ahead (parallel_import.Projector)."""

    def __init__(self, registry: Registry, trust: Trust, chunk: int, pool: Pool | None) -> None:
        from registry.store.bulk.parallel_import import Projector

        self.registry, self.trust = registry, trust
        self.heads = Heads(size=chunk)  # the agreements' projection heads, chunk to chunk
        self.projector = Projector(registry, pool, trust) if pool is not None else None

    def ahead(self, batch: _Batch | _Changed | None) -> None:
        if self.projector is not None and isinstance(batch, tuple):
            self.projector.send([payload for _row, payload in batch[1]])

    def rows(self) -> list[BoundWrites] | None:
        return self.projector.receive() if self.projector is not None else None

    def write(
        self, session: Any, payloads: list[EventPayload], rows: list[BoundWrites] | None
    ) -> Any:
        if rows is not None:
            for part in rows:
                part.save(session)
            return None
        return project_verified(self.registry, session, payloads, self.heads, self.trust)

    def committed(self, written: Any) -> None:
        if written is not None:
            self.heads.keep(written)


def _row(line: bytes) -> tuple[VerifiedEvent, EventPayload]:
    """The columns of a verified envelope and its payload, read back without a second
    verification (pass 2 checks that each chunk's bytes are those pass 1 verified)."""
    document = json.loads(base64.b64decode(json.loads(line)["payload"]))
    # Pass 1 opened these very bytes strictly (same chunk digest): the fields are set as
    # they were checked then, without a second validation and canonical copy of the data.
    payload = object.__new__(EventPayload)
    for name in PAYLOAD_FIELDS:
        object.__setattr__(payload, name, document[name])
    row = VerifiedEvent(
        UUID(payload.agreement),
        payload.version,
        payload.type,
        get_topic(EVENT_TYPES[payload.type]),
        payload.recorded,
        line,
    )
    return row, payload


def _commit_chunk(
    registry: Registry,
    batch: list[tuple[VerifiedEvent, EventPayload]],
    expected_size: int,
    detail: dict[str, object],
    note: str | None,
    views: _Views,
    rows: list[BoundWrites] | None,
) -> None:
    """One transaction: the chunk's events, leaves, nodes, checkpoint and read models."""
    recorder = registry.signed_recorder

    def refused(size: int) -> TransferError:
        return TransferError(
            f"the log holds {size} entries, not {expected_size}: someone else wrote to it "
            "during the import; stop the other writer and run the import again"
        )

    with locked_log(registry, expected_size, refused) as session:
        if expected_size == 0:
            unfinished.begin(
                session,
                unfinished.IMPORT,
                detail,
                "run the same `registry import FILE` again to finish it",
            )
        append_verified(recorder, session, [row for row, _ in batch], checkpoint_note=note)
        written = views.write(session, [p for _, p in batch], rows)
    views.committed(written)


def _finish_views(registry: Registry, size: int) -> Rebuilt:
    """Every chunk wrote its read models: the import is marked complete, once all is stored."""
    with write_intent(), registry.transaction(commit=True) as session:
        registry.signed_recorder._lock_table(session)
        held = registry.signed_recorder.log.size(session)
        if held != size:
            raise TransferError(f"the log holds {held} of the file's {size} events")
        unfinished.end(session, unfinished.IMPORT)
        counted = [
            session.execute(select(func.count()).select_from(table)).scalar() or 0
            for table in (agreements, agreement_intervals, party_intervals)
        ]
    registry.read_model_heads.clear()  # this registry's own Heads know nothing of these rows
    return Rebuilt(*counted)


def rebuild_all_views(registry: Registry) -> Rebuilt:
    """`registry rebuild-views`: one transaction; it also completes the views of an import
    whose events are all stored, and refuses to call complete one that is not."""

    def finish(session) -> None:  # type: ignore[no-untyped-def]
        pending = unfinished.find(session, unfinished.IMPORT)
        if pending is None:
            return
        held, size = registry.signed_recorder.log.size(session), pending.detail.get("size")
        if held != size:
            raise TransferError(
                f"an import is unfinished: {held} of its {size} events are stored; run the "
                "same `registry import FILE` again to finish it (nothing was rebuilt)"
            )
        unfinished.end(session, unfinished.IMPORT)

    return rebuild_views(registry, finish=finish)
