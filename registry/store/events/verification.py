"""Whole-store verification: every envelope, every key window, every chain, the log and its tree.

It reads the event table in global order, one page at a time, and never trusts a derived table
to judge the events: the leaf index, the stored Merkle nodes and the archived checkpoints are
each compared against what the events themselves give. Every problem is reported, not just the
first, so an auditor sees the whole damage at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import func, select

from registry.domain.keyring import Keyring
from registry.ledger import merkle
from registry.ledger.canonical import sha256_hex
from registry.ledger.chain import ChainHead, first_problems, link_problems
from registry.ledger.errors import LedgerError
from registry.ledger.payload import EventPayload, parse_instant
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.events.log import note_verifier
from registry.store.events.mapper import OpenedEvent, TamperedEvent, event_from_payload
from registry.store.events.verify_log import StreamedLogCheck
from registry.store.settings import Settings

PAGE = 500
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
    are opened by `workers` processes (default: one per core, for stores large enough to be
    worth it), each over its own ranges of the log; the chains, the order, the index, the
    tree and the checkpoints are checked here, in log order, on what they return, a page at
    a time (memory: a page, the tree's edge and each agreement's head)."""
    report = Report()
    signatures = report.check("signatures and keys")
    chains = report.check("agreement chains")
    order = report.check("log order")
    trust = _keyring_trust(registry, signatures)
    total = count_events(registry)
    heads: dict[UUID, ChainHead] = {}
    last_recorded: str | None = None
    position = 0
    checks = [report.check(name) for name in ("log index", "merkle tree", "checkpoints")]
    verifier = note_verifier(registry.settings.log_origin, registry.anchors())
    with registry.transaction() as session:
        log = StreamedLogCheck(session, verifier, checks)
        for page in _opened_pages(registry, trust, total, workers):
            log.add([(stored, leaf) for stored, leaf, _opened, _problem in page])
            for stored, _leaf, opened, problem in page:
                position += 1
                if problem is not None:
                    signatures.problems.append(problem)
                if opened is None:
                    continue
                payload, envelope = opened
                if last_recorded is not None and parse_instant(payload.recorded) <= parse_instant(
                    last_recorded
                ):
                    order.problems.append(
                        f"notification {stored.id} recorded {payload.recorded}, "
                        f"not after the event before it ({last_recorded})"
                    )
                last_recorded = payload.recorded
                previous = heads.get(stored.originator_id)
                current = (payload, envelope)
                if previous is None:
                    chains.problems.extend(first_problems(current, opened=True))
                else:
                    chains.problems.extend(link_problems(previous, current, opened=True))
                heads[stored.originator_id] = ChainHead.of(current)
            if progress:
                progress(position, total)
        report.checkpoint_size = log.finish()
    report.events = position
    report.agreements = len([s for s in heads if s != Keyring.ID])
    return report


# (thin notification, leaf hash, (payload, envelope) or None if it failed, problem or None)
OpenedRow = tuple[Notification, bytes, tuple[EventPayload, bytes] | None, str | None]
PARALLEL_FROM = 50 * PAGE  # fewer events: opened here (a worker costs ~1-2 s to start)


def _opened_pages(
    registry: Registry, trust: Trust, total: int, workers: int | None
) -> Iterator[list[OpenedRow]]:
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= PARALLEL_FROM else 1
    if workers <= 1:
        for page in _pages(registry):
            yield [_opened_row(registry, trust, stored) for stored in page]
        return
    bounds = _id_ranges(registry, PAGE * 4)
    context = multiprocessing.get_context("spawn")  # no forked database connections
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(registry.settings,)
    ) as pool:
        yield from pool.map(_open_range, bounds)


def _id_ranges(registry: Registry, size: int) -> list[tuple[int, int]]:
    """Ranges of notification ids [start, stop) holding about `size` events each."""
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        ids = session.execute(select(cls.id).order_by(cls.id)).scalars().all()
    starts = ids[::size]
    return [
        (start, starts[n + 1] if n + 1 < len(starts) else ids[-1] + 1)
        for n, start in enumerate(starts)
    ]


_worker: tuple[Registry, Trust] | None = None


def _start_worker(settings: Settings) -> None:
    global _worker
    registry = Registry(settings, can_sign=False)
    _worker = (registry, _keyring_trust(registry, Check("keyring")))


def _open_range(bounds: tuple[int, int]) -> list[OpenedRow]:
    assert _worker is not None
    registry, trust = _worker
    start, stop = bounds
    page = registry.recorder.select_notifications(start=start, limit=stop - start, stop=stop - 1)
    return [_opened_row(registry, trust, stored) for stored in page if stored.id < stop]


def _opened_row(registry: Registry, trust: Trust, stored: Notification) -> OpenedRow:
    check = Check("signatures and keys")
    opened = _open(registry, trust, stored, check)
    problem = check.problems[0] if check.problems else None
    leaf = merkle.leaf_hash(stored.state)
    found = None if opened is None else (opened.payload, opened.envelope)
    return _thin(stored), leaf, found, problem


def count_events(registry: Registry) -> int:
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return int(session.execute(select(func.count()).select_from(cls)).scalar() or 0)


def _pages(registry: Registry):  # type: ignore[no-untyped-def]
    start = 1
    while True:
        page = registry.recorder.select_notifications(start=start, limit=PAGE)
        if not page:
            return
        yield page
        start = page[-1].id + 1


def _thin(stored: Notification) -> Notification:
    return Notification(
        id=stored.id,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=sha256_hex(stored.state).encode(),
    )


def _keyring_trust(registry: Registry, check: Check) -> Trust:
    """The keyring, applying every keyring event that verifies and reporting those that don't."""
    trust = Trust(registry.anchors())
    for stored in registry.recorder.select_events(Keyring.ID):
        try:
            trust.apply(registry.mapper.open(stored, trust).payload)
        except (TamperedEvent, LedgerError) as error:
            check.problems.append(f"keyring v{stored.originator_version}: {error}")
    return trust


def _open(
    registry: Registry, trust: Trust, stored: Notification, check: Check
) -> OpenedEvent | None:
    try:
        opened = registry.mapper.open(stored, trust)
        event_from_payload(opened.payload)
    except TamperedEvent as error:
        check.problems.append(f"notification {stored.id}: {error}")
        return None
    except (ValueError, TypeError) as error:
        check.problems.append(f"notification {stored.id}: signed data does not decode: {error}")
        return None
    return opened
