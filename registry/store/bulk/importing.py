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
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import func, select

from registry.domain.characters import first_finding
from registry.domain.events import EVENT_TYPES
from registry.ledger import merkle
from registry.ledger.chain import ChainHead, first_problems, link_problems
from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.errors import LedgerError
from registry.ledger.payload import PAYLOAD_FIELDS, EventPayload, parse_instant
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.chunks import (
    CHUNK,
    VerifiedEvent,
    append_verified,
    event_count,
    project_verified,
    refresh_statistics,
)
from registry.store.bulk.transfer import (
    FORMAT,
    KEYRING_MARK,
    Lines,
    RootAccumulator,
    TransferError,
)
from registry.store.events import unfinished
from registry.store.events.datastore import write_intent
from registry.store.events.log import TransparencyLog, note_verifier
from registry.store.events.mapper import TamperedEvent, event_from_payload
from registry.store.events.tables import agreements
from registry.store.reads.intervals import agreement_intervals, party_intervals
from registry.store.reads.projection import Head, Heads
from registry.store.reads.rebuild import Rebuilt, rebuild_views


@dataclass(frozen=True)
class Imported:
    events: int  # stored by this run
    already: int  # stored by an earlier, interrupted run of the same import
    total: int  # envelopes in the file
    partial: bool  # imported without a trailer that vouches for the whole file
    views: Rebuilt | None = None


@dataclass
class _Verified:
    """What pass 1 learnt: the file's size, root, trailer and each chunk's digest."""

    count: int = 0
    root: bytes = merkle.EMPTY_ROOT
    root_at_resume: bytes | None = None
    trailer: Checkpoint | None = None
    note: str | None = None
    chunks: list[bytes] = field(default_factory=list)


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
) -> Imported:
    """Verify the whole file, then store it `chunk` events per transaction (`progress` is
    told how many events are stored after each chunk), then build the read models."""
    resume = _resume_point(registry, chunk)
    trust = _keyring_trust(registry, lines)
    verified = _verify(registry, trust, lines, chunk, resume)
    target = _check_trailer(verified, allow_partial)
    if resume and verified.root_at_resume != _stored_root(registry, resume):
        raise TransferError(
            f"the registry holds {resume} events that are not the first {resume} of this file: "
            "it is finishing the import of another file; nothing was imported"
        )
    detail = {"size": verified.count, "root": verified.root.hex(), "chunk": chunk}
    if resume:
        _require_same_import(registry, detail)
    partial = target is None
    if verified.trailer is not None and verified.trailer.origin != registry.settings.log_origin:
        target = None  # another origin's note: this instance signs its own for the same tree
    stored = _store(registry, lines, verified, resume, chunk, detail, target, progress, trust)
    views = _finish_views(registry, verified.count)
    refresh_statistics(registry, stored)
    return Imported(stored, resume, verified.count, partial, views)


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


def _envelopes(lines: Lines) -> Iterator[tuple[int, bytes, dict[str, object] | None]]:
    """(line number, bytes, trailer or None) of each non-empty line."""
    for number, raw in enumerate(lines(), start=1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        trailer = None
        if line.startswith(b'{"checkpoint":'):
            try:
                trailer = json.loads(line)
            except ValueError:
                raise TransferError(
                    f"line {number}: a malformed trailer; nothing was imported"
                ) from None
            if not isinstance(trailer, dict) or trailer.get("format") != FORMAT:
                raise TransferError(
                    f"line {number}: the trailer is not in the format {FORMAT}; "
                    "nothing was imported"
                )
        yield number, bytes(line), trailer


def _keyring_trust(registry: Registry, lines: Lines) -> Trust:
    """Pass 0: the keyring events of the file, each verified by the keyring before it."""
    trust = Trust(registry.anchors())
    for number, line, trailer in _envelopes(lines):
        if trailer is not None or KEYRING_MARK not in _payload_bytes(line):
            continue
        opened = _open(registry, trust, number, line)
        try:
            trust.apply(opened)
        except LedgerError as error:
            raise TransferError(f"line {number}: {error}; nothing was imported") from None
    return trust


def _payload_bytes(line: bytes) -> bytes:
    try:
        return base64.b64decode(json.loads(line)["payload"])
    except (ValueError, KeyError, TypeError):
        return b""  # pass 1 reports it, with its reason


def _check_characters(number: int, line: bytes) -> None:
    """Text every database stores alike (registry.domain.characters), named before any other
    check: a store that once accepted NUL must say so, not fail later in PostgreSQL."""
    try:
        payload = json.loads(_payload_bytes(line))
    except ValueError:
        return  # not JSON: the strict opening reports it, with its reason
    if not isinstance(payload, dict):
        return
    unsafe = first_finding({"actor": payload.get("actor"), "data": payload.get("data")})
    if unsafe is not None:
        raise TransferError(f"line {number}: {unsafe.path} {unsafe.message}; nothing was imported")


def _open(registry: Registry, trust: Trust, number: int, line: bytes) -> EventPayload:
    """The strictly opened payload. Unsafe text is named first, whatever else is wrong: from
    the payload once it is open (one parse), or, if it does not open, from the raw line."""
    try:
        payload = registry.mapper.open_bytes(line, trust).payload
        event_from_payload(payload)  # the signed data must decode into its event type
    except (TamperedEvent, LedgerError, ValueError, TypeError) as error:
        _check_characters(number, line)
        raise TransferError(f"line {number}: {error}; nothing was imported") from None
    unsafe = first_finding({"actor": payload.actor, "data": payload.data})
    if unsafe is not None:
        raise TransferError(f"line {number}: {unsafe.path} {unsafe.message}; nothing was imported")
    return payload


def _verify(
    registry: Registry,
    trust: Trust,
    lines: Lines,
    chunk: int,
    resume: int,
) -> _Verified:
    """Pass 1: every envelope, every link, the order and the tree; nothing is written."""
    verified = _Verified()
    tree = RootAccumulator()
    heads: dict[str, ChainHead] = {}
    last_recorded = None
    digest = hashlib.sha256()
    for number, line, trailer in _envelopes(lines):
        if verified.trailer is not None:
            raise TransferError(f"line {number}: events after the trailer; nothing was imported")
        if trailer is not None:
            verified.note, verified.trailer = _open_trailer(registry, number, trailer)
            continue
        if tree.size == resume:
            verified.root_at_resume = tree.root()
        payload = _open(registry, trust, number, line)
        recorded = parse_instant(payload.recorded)
        if last_recorded is not None and recorded <= last_recorded:
            raise TransferError(
                f"line {number}: {payload.agreement} v{payload.version} is not recorded after "
                "the line before it; nothing was imported"
            )
        last_recorded = recorded
        previous = heads.get(payload.agreement)
        event = (payload, line)
        problems = (
            first_problems(event, opened=True)
            if previous is None
            else link_problems(previous, event, opened=True)
        )
        if problems:
            raise TransferError(f"line {number}: {'; '.join(problems)}; nothing was imported")
        heads[payload.agreement] = ChainHead.of(event)
        tree.add(merkle.leaf_hash(line))
        digest.update(line + b"\n")
        if tree.size % chunk == 0:
            verified.chunks.append(digest.digest())
            digest = hashlib.sha256()
    if tree.size % chunk:
        verified.chunks.append(digest.digest())
    if tree.size == resume:
        verified.root_at_resume = tree.root()
    if tree.size == 0:
        raise TransferError("the file holds no envelopes; nothing was imported")
    verified.count, verified.root = tree.size, tree.root()
    return verified


def _open_trailer(
    registry: Registry, number: int, trailer: dict[str, object]
) -> tuple[str, Checkpoint]:
    note = trailer.get("checkpoint")
    # Under the origin it names (an instance may have moved to a new origin since), by this
    # instance's log key: a trailer signed by any other key is refused.
    origin = str(note).split("\n", 1)[0]
    verifier = note_verifier(origin, registry.anchors())
    try:
        return str(note), open_checkpoint(str(note), verifier)
    except (CheckpointError, ValueError) as error:
        raise TransferError(
            f"line {number}: the trailer's checkpoint is not signed by this registry's log key: "
            f"{error}; nothing was imported"
        ) from None


def _check_trailer(verified: _Verified, allow_partial: bool) -> str | None:
    """The trailer's note if it vouches for the file; None when partial import was asked."""
    trailer = verified.trailer
    if trailer is None:
        problem = (
            f"the file has no signed trailer after its {verified.count} events: it may be cut "
            "short (an export killed midway, or `head -n`)"
        )
    elif trailer.size != verified.count:
        missing = trailer.size - verified.count
        problem = (
            f"the trailer signs a log of {trailer.size} events but the file holds "
            f"{verified.count}: "
            + (
                f"{missing} are missing (events {verified.count + 1} to {trailer.size})"
                if missing > 0
                else f"{-missing} are not covered by the trailer"
            )
        )
    elif trailer.root_hash != verified.root:
        problem = (
            f"the file's {verified.count} events do not give the root its trailer signs: "
            "an event was edited, dropped, added or moved"
        )
    else:
        return verified.note
    if not allow_partial:
        raise TransferError(f"{problem}; nothing was imported (--allow-partial imports it anyway)")
    return None


def _stored_root(registry: Registry, size: int) -> bytes:
    with registry.transaction() as session:
        return TransparencyLog.root_at(session, size)


def _store(
    registry: Registry,
    lines: Lines,
    verified: _Verified,
    resume: int,
    chunk: int,
    detail: dict[str, object],
    note: str | None,
    progress: Callable[[int], None] | None,
    trust: Trust,
) -> int:
    """Pass 2: the events after `resume`, one chunk per transaction with their read models."""
    heads = Heads(size=chunk)  # the agreements' projection heads, from one chunk to the next
    batch: list[tuple[VerifiedEvent, EventPayload]] = []
    position = stored = 0
    digest = hashlib.sha256()
    for _number, line, trailer in _envelopes(lines):
        if trailer is not None:
            continue
        position += 1
        digest.update(line + b"\n")
        if position > resume:
            batch.append(_row(line))
        if position % chunk == 0 or position == verified.count:
            index = (position - 1) // chunk
            if index >= len(verified.chunks) or digest.digest() != verified.chunks[index]:
                raise TransferError(
                    f"the file changed while it was imported (events {index * chunk + 1} to "
                    f"{position}); {stored + resume} events are stored, the import is unfinished"
                )
            digest = hashlib.sha256()
            if batch:
                final = position == verified.count
                written = _commit_chunk(
                    registry,
                    batch,
                    position - len(batch),
                    detail,
                    note if final else None,
                    heads,
                    trust,
                )
                heads.keep(written)
                stored += len(batch)
                batch = []
                if progress:
                    progress(position)
    return stored


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
    heads: Heads,
    trust: Trust,
) -> list[Head]:
    """One transaction: the chunk's events, leaves, nodes, checkpoint and read models."""
    recorder = registry.signed_recorder
    with write_intent(), registry.transaction(commit=True) as session:
        recorder._lock_table(session)
        size = recorder.log.size(session)
        if size != expected_size:
            raise TransferError(
                f"the log holds {size} entries, not {expected_size}: someone else wrote to it "
                "during the import; stop the other writer and run the import again"
            )
        if expected_size == 0:
            unfinished.begin(
                session,
                unfinished.IMPORT,
                detail,
                "run the same `registry import FILE` again to finish it",
            )
        append_verified(recorder, session, [row for row, _ in batch], checkpoint_note=note)
        written = project_verified(registry, session, [p for _, p in batch], heads, trust)
    return written


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
