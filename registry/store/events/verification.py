"""Whole-store verification: every envelope, every key window, every chain, the log and its tree.

It reads the event table in global order, one page at a time, and never trusts a derived table
to judge the events: the leaf index, the stored Merkle nodes and the archived checkpoints are
each compared against what the events themselves give. Every problem is reported, not just the
first, so an auditor sees the whole damage at once.
"""

from __future__ import annotations

import contextvars
import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import LargeBinary, func, select, type_coerce

from registry.domain.codec import decode_data
from registry.domain.dates import PartialDate
from registry.domain.events import EVENT_TYPES
from registry.domain.keyring import Keyring
from registry.ledger import merkle
from registry.ledger.canonical import sha256_hex
from registry.ledger.chain import ChainHead, Link, first_problems, link_problems
from registry.ledger.checkpoint import CheckpointError, open_checkpoint
from registry.ledger.errors import LedgerError
from registry.ledger.note import NoteVerifier
from registry.ledger.payload import GENESIS_PREV, EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.events.datastore import RegistryDatastore
from registry.store.events.log import note_verifier
from registry.store.events.mapper import TamperedEvent
from registry.store.events.tables import checkpoints
from registry.store.events.verify_log import OpenedNote, StreamedLogCheck
from registry.store.settings import Settings

Progress = Callable[[int, int], None]


@dataclass
class Check:
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Report:
    events: int = 0
    agreements: int = 0
    checkpoint_size: int | None = None
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str) -> Check:
        found = Check(name)
        self.checks.append(found)
        return found

    @property
    def problems(self) -> list[str]:
        return [f"{c.name}: {p}" for c in self.checks for p in c.problems]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def verify_store(
    registry: Registry, progress: Progress | None = None, *, workers: int | None = None
) -> Report:
    """Verify the whole store. The envelopes (strict parsing, signatures, key windows, data)
    and the checkpoints' signatures are opened by `workers` processes (default: one per core,
    for stores large enough to be worth it), each over its own ranges of the log, and come
    back as a few hashes and fields per event; the chains, the order, the index, the tree and
    the checkpoints' roots are checked here, in log order, on what they return, a page at a
    time (memory: a few pages, the tree's edge and each agreement's head). One process runs
    the very same code on each page itself, so both report exactly the same problems."""
    report = Report()
    signatures = report.check("signatures and keys")
    chains = report.check("agreement chains")
    order = report.check("log order")
    trust = _keyring_trust(registry, signatures)
    total = count_events(registry)
    heads: dict[str, tuple[int, str, str]] = {}  # agreement: (version, digest, recorded)
    last_recorded: str | None = None
    position = 0
    checks = [report.check(name) for name in ("log index", "merkle tree", "checkpoints")]
    verifier = note_verifier(registry.settings.log_origin, registry.anchors())
    with registry.transaction() as session:
        log = StreamedLogCheck(session, verifier, checks)
        for page in _checked_pages(registry, trust, verifier, total, workers):
            log.opened(page.notes)
            log.add(page.ids, page.streams, page.versions, page.digests, page.leaves)
            problems = page.problems
            # The common case in a few comparisons per event; any doubt goes to chain.py's
            # checks, which word every problem.
            for n, recorded in enumerate(page.recorded):
                if problems and n in problems:
                    signatures.problems.append(problems[n])
                if recorded is None:
                    continue  # not opened: reported above
                # instants are validated, fixed-width UTC text: their order is the text's
                if last_recorded is not None and recorded <= last_recorded:
                    order.problems.append(
                        f"notification {page.ids[n]} recorded {recorded}, "
                        f"not after the event before it ({last_recorded})"
                    )
                last_recorded = recorded
                stream, version, prev = page.streams[n], page.versions[n], page.prevs[n]
                previous = heads.get(stream)
                if previous is None:
                    if version != 1 or prev != GENESIS_PREV:
                        current = (Link(stream, version, str(prev), recorded), b"")
                        chains.problems.extend(first_problems(current, opened=True))
                elif version != previous[0] + 1 or prev != previous[1] or recorded <= previous[2]:
                    head = ChainHead(stream, *previous)
                    current = (Link(stream, version, str(prev), recorded), b"")
                    chains.problems.extend(link_problems(head, current, opened=True))
                heads[stream] = (version, page.digests[n], recorded)
            position += len(page.ids)
            if progress:
                progress(position, total)
        report.checkpoint_size = log.finish()
    report.events = position
    keyring = str(Keyring.ID)
    report.agreements = len([s for s in heads if s != keyring])
    return report


class Page(NamedTuple):
    """A run of events in log order as a worker returns it, one list per column (a few
    hashes and fields per event: what the log's and the chains' checks need), and the
    checkpoints (by size) whose notes were opened with it."""

    ids: list[int]
    streams: list[str]  # each row's originator id
    versions: list[int]  # each row's originator version
    digests: list[str]  # SHA-256 hex of each envelope's bytes
    leaves: list[bytes]  # each envelope's Merkle leaf hash
    prevs: list[str | None]  # each signed prev; None where the envelope did not open
    recorded: list[str | None]  # each signed recorded instant; None where it did not open
    problems: dict[int, str]  # why an event (by its place in the page) did not open
    notes: dict[int, OpenedNote]


PAGE = 1000
PARALLEL_FROM = 4 * PAGE  # fewer events: opened here (starting the workers costs more)
IN_FLIGHT = 3  # pages queued per worker: enough to keep them busy, and bounded memory


def _checked_pages(
    registry: Registry, trust: Trust, verifier: NoteVerifier, total: int, workers: int | None
) -> Iterator[Page]:
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
    if workers <= 1:
        position = 0
        reader = _reader(registry)
        for bounds in _pages(registry):
            page = _check_range(reader, trust, verifier, bounds, position)
            position += len(page.ids)
            yield page
        return
    starts = _range_starts(registry, PAGE)
    bounds = [
        ((start if n else None, starts[n + 1] if n + 1 < len(starts) else None), n * PAGE)
        for n, start in enumerate(starts)
    ]
    # A forked worker shares this process's memory until it writes to it, and a collection
    # of the objects it inherited writes to every one: frozen, they are never collected
    # there (the standard library's advice for fork without exec). Unfrozen when done.
    gc.freeze()
    context = _process_context()
    if context.get_start_method() == "fork":
        # A forked worker has this process's objects as they are: the registry's table and
        # mapper, the trust and the verifier just built here; it opens only an engine.
        start: Callable[..., None] = _start_forked_worker
        arguments: tuple[Any, ...] = (registry, trust, verifier)
    else:
        start, arguments = _start_worker, (registry.settings,)
    try:
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=start, initargs=arguments
        ) as pool:
            queued: deque[Future[Page]] = deque()
            waiting = iter(bounds)
            for one in waiting:
                queued.append(pool.submit(_check_in_worker, *one))
                if len(queued) >= workers * IN_FLIGHT:
                    break
            while queued:
                page = queued.popleft().result()
                for one in waiting:
                    queued.append(pool.submit(_check_in_worker, *one))
                    break
                yield page
    finally:
        gc.unfreeze()


def _process_context() -> Any:
    """Fork when this process runs one thread (the CLI): a worker then starts in
    milliseconds. With other threads about (a web server), spawn, which forks no lock."""
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _range_starts(registry: Registry, size: int) -> list[int]:
    """The first notification id of each run of `size` events, in one query (the ids
    themselves stay in the database)."""
    table = registry.signed_recorder.events_record_cls.__table__
    number = func.row_number().over(order_by=table.c.id).label("number")
    numbered = select(table.c.id, number).subquery()
    query = select(numbered.c.id).where((numbered.c.number - 1) % size == 0)
    with registry.transaction() as session:
        return [int(found) for found in session.execute(query.order_by(numbered.c.id)).scalars()]


class Reader(NamedTuple):
    """What a page's check reads the store with."""

    table: Any  # the event table
    sqlite: bool
    transaction: Callable[[], Any]  # a read transaction: a context manager giving a session
    open_row: Callable[[StoredEvent, Trust], Any]  # the mapper's strict opening of a row


def _reader(registry: Registry) -> Reader:
    recorder = registry.signed_recorder
    engine: Any = recorder.datastore.engine
    sqlite = engine.dialect.name == "sqlite"
    table = recorder.events_record_cls.__table__
    return Reader(table, sqlite, registry.transaction, registry.mapper.open)


_worker: tuple[Reader, Trust, NoteVerifier] | None = None


def _start_forked_worker(registry: Registry, trust: Trust, verifier: NoteVerifier) -> None:
    """A forked worker: the parent's reader, but with an engine of its own (no connection is
    shared). Building a whole Registry here would check the schema again, which on
    PostgreSQL took a fifth of a second and more per worker."""
    global _worker
    datastore = RegistryDatastore(url=registry.settings.database_url)
    # A forked worker inherits the parent's context, whose open transaction (eventsourcing-
    # sqlalchemy keeps it in a context variable) every `transaction()` would join: its
    # connection is the parent's. Each page is checked in an empty context instead.
    reader = _reader(registry)._replace(transaction=lambda: datastore.transaction(commit=False))
    _worker = (reader, trust, verifier)


def _start_worker(settings: Settings) -> None:
    """A spawned worker: a registry of its own, read from the settings."""
    contextvars.Context().run(_open_worker, settings)


def _open_worker(settings: Settings) -> None:
    global _worker
    registry = Registry(settings, can_sign=False)  # its own engine: no connection is shared
    verifier = note_verifier(settings.log_origin, registry.anchors())
    _worker = (_reader(registry), _keyring_trust(registry, Check("keyring")), verifier)


def _check_in_worker(bounds: tuple[int | None, int | None], position: int) -> Page:
    assert _worker is not None
    reader, trust, verifier = _worker
    return contextvars.Context().run(_check_range, reader, trust, verifier, bounds, position)


def _check_range(
    reader: Reader,
    trust: Trust,
    verifier: NoteVerifier,
    bounds: tuple[int | None, int | None],
    position: int,
) -> Page:
    """The events with notification ids in [start, stop), which should be the log's leaves
    from `position` on, each opened; and the notes of the checkpoints that end among them."""
    start, stop = bounds
    table = reader.table
    stream_column: Any = table.c.originator_id
    if reader.sqlite:
        # SQLite keeps the UUID as its 16 bytes: spelled below, not built as a UUID object
        # only to be spelled (every check reads the id as text).
        stream_column = type_coerce(stream_column, LargeBinary)
    query = select(
        table.c.id, stream_column, table.c.originator_version, table.c.topic, table.c.state
    )
    if start is not None:
        query = query.where(table.c.id >= start)
    if stop is not None:
        query = query.where(table.c.id < stop)
    with reader.transaction() as session:
        rows = session.execute(query.order_by(table.c.id)).all()
        notes = session.execute(
            select(checkpoints.c.size, checkpoints.c.note).where(
                checkpoints.c.size > position, checkpoints.c.size <= position + len(rows)
            )
        ).all()
    page = Page([], [], [], [], [], [], [], {}, {})
    ids, streams, versions, digests = page.ids, page.streams, page.versions, page.digests
    leaves, prevs, recorded = page.leaves, page.prevs, page.recorded
    open_row = reader.open_row
    for n, (id_, originator, version, topic, state) in enumerate(rows):
        stream = _spelled(originator)
        envelope = bytes(state)
        prev = instant = None
        try:
            payload = open_row(StoredEvent(stream, version, topic, envelope), trust).payload
            _check_decodes(payload)
            prev, instant = payload.prev, payload.recorded
        except TamperedEvent as error:
            page.problems[n] = f"notification {id_}: {error}"
        except (ValueError, TypeError) as error:
            page.problems[n] = f"notification {id_}: signed data does not decode: {error}"
        ids.append(id_)
        streams.append(stream)
        versions.append(version)
        digests.append(sha256_hex(envelope))
        leaves.append(merkle.leaf_hash(envelope))
        prevs.append(prev)
        recorded.append(instant)
    page.notes.update((int(size), _opened_note(note, verifier)) for size, note in notes)
    return page


def _spelled(originator: Any) -> str:
    """An originator id as text: from a UUID, or from SQLite's 16 bytes. Anything else in
    SQLite's column (which holds any type) is spelled as what it is, so that the row is
    reported as filed under something other than its signed agreement."""
    if isinstance(originator, UUID):
        return str(originator)
    if isinstance(originator, bytes) and len(originator) == 16:
        h = originator.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return repr(originator)


def _check_decodes(payload: EventPayload) -> None:
    """Raise what `mapper.event_from_payload` would raise for this opened payload, without
    building the event: its data must decode into its type's fields and its effective date
    must fit its precision (the type, the agreement id and the instant were checked when
    it was opened, and an event with every field decoded is then built without fail)."""
    decoded = (payload.type, payload.data_bytes())
    if decoded not in _DECODED:
        decode_data(EVENT_TYPES[payload.type], payload.data)
        if len(_DECODED) >= DECODED_KEPT:
            _DECODED.clear()
        _DECODED.add(decoded)
    fitting = (payload.effective[4:], payload.precision)
    if fitting not in _FITTING:
        PartialDate.from_start(payload.effective, payload.precision)
        _FITTING.add(fitting)


# Decoding is a function of the type and the data, and the data's canonical bytes name it
# exactly: an archive repeats the same data often (a party's signature, a status change), so
# the (type, data bytes) that decoded are remembered, a few thousand at most. A refusal
# raises and is never remembered.
DECODED_KEPT = 8192
_DECODED: set[tuple[str, bytes]] = set()
# The effective dates that fit their precision, by month and day: the opened payload's
# effective date is a real date (its checks made sure), and whether a real date is the first
# day of its month or year, or fits a day, does not depend on its year (at most 366 x 3).
_FITTING: set[tuple[str, str]] = set()


def _opened_note(note: str, verifier: NoteVerifier) -> OpenedNote:
    """(SHA-256 of the note's text, its checkpoint or why it does not verify)."""
    digest = sha256_hex(note.encode())
    try:
        return digest, open_checkpoint(note, verifier)
    except (CheckpointError, ValueError) as error:
        return digest, str(error)


def count_events(registry: Registry) -> int:
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return int(session.execute(select(func.count()).select_from(cls)).scalar() or 0)


def _pages(registry: Registry) -> Iterator[tuple[int | None, int | None]]:
    """Ranges of notification ids [start, stop) of PAGE events each (None: no bound), found
    as they are read."""
    table = registry.signed_recorder.events_record_cls.__table__
    start: int | None = None
    while True:
        query = select(table.c.id).order_by(table.c.id).offset(PAGE).limit(1)
        if start is not None:
            query = query.where(table.c.id >= start)
        with registry.transaction() as session:
            found = session.execute(query).scalar()
        if found is None:
            yield start, None
            return
        yield start, int(found)
        start = int(found)


def _keyring_trust(registry: Registry, check: Check) -> Trust:
    """The keyring, applying every keyring event that verifies and reporting those that don't."""
    trust = Trust(registry.anchors())
    for stored in registry.recorder.select_events(Keyring.ID):
        try:
            trust.apply(registry.mapper.open(stored, trust).payload)
        except (TamperedEvent, LedgerError) as error:
            check.problems.append(f"keyring v{stored.originator_version}: {error}")
    return trust
