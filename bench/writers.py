"""Figures of the one-event write path: concurrent writers (group commit) and the plain
eventsourcing baseline on the database under test.

`concurrent_writers` records one event per call from 8 threads sharing one Registry (as the
threads of a gunicorn worker do), each on its own agreement, against 1 thread doing the same
work alone; group commit should carry the 8 in shared transactions (goal: >= 3x one). A second
figure runs the 8 writers as 2 processes of 4 threads, each process with its own Registry on
the same database (as 2 gunicorn workers of 4 threads are): each process forms its own groups,
the database's write lock orders the processes' transactions, and the writing of one process
overlaps the other's work outside the lock on the second core.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.application import Application

from bench import events as append_bench
from registry.store.application import Registry
from registry.store.settings import Settings

WRITERS = 8
PROCESSES = 2
START_SECONDS = 300  # an upper bound on a process's start; the start is not timed


def _reference(writer: int) -> str:
    return f"BENCH-W{writer:02d}"


def _draft_agreements(registry: Registry, writers: int) -> None:
    for writer in range(writers):
        registry.draft(
            effective=append_bench.PartialDate(2026, 1, 1),
            actor=append_bench.OFFICER,
            data={**append_bench.DRAFT, "reference": _reference(writer)},
        )


def writers_rate(
    registry: Registry, writers: int, per_writer: int, first: int = 0, start: Any = None
) -> float:
    """Events/s when `writers` threads each record `per_writer` events, one per call (writer
    numbers from `first`); with `start` (an event), they begin when it is set."""
    errors: list[BaseException] = []
    ready = threading.Barrier(writers + 1)

    def write(writer: int) -> None:
        ready.wait()
        try:
            for number in range(per_writer):
                registry.record(
                    _reference(writer),
                    "MilestoneRecorded",
                    effective=append_bench.PartialDate(2026, 2, 1),
                    actor=append_bench.OFFICER,
                    data=append_bench.milestone(number),
                )
        except BaseException as error:  # reported after the threads end
            errors.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(first, first + writers)]
    for thread in threads:
        thread.start()
    if start is not None:
        start.wait(START_SECONDS)
    ready.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise errors[0]
    return writers * per_writer / seconds


def concurrent_writers(
    open_registry: Callable[[str], AbstractContextManager[Registry]],
    per_writer: int,
    figure: Callable[..., Any],
) -> Iterator[Any]:
    """The figure '8 concurrent writers / 1 writer' (events/s, a fresh registry each)."""
    rates = {}
    for writers in (1, WRITERS):
        with open_registry(f"writers{writers}") as registry:
            _draft_agreements(registry, writers)
            rates[writers] = writers_rate(registry, writers, per_writer)
    yield figure(
        f"{WRITERS} concurrent writers / 1 writer (one event per transaction)",
        rates[WRITERS], rates[1], ">= 3", "events/s",
    )  # fmt: skip
    with open_registry(f"processes{PROCESSES}") as registry:
        _draft_agreements(registry, WRITERS)
        in_processes = processes_rate(registry.settings, PROCESSES, WRITERS, per_writer)
    threads = WRITERS // PROCESSES
    yield figure(
        f"{WRITERS} concurrent writers in {PROCESSES} processes of {threads} threads / 1 writer "
        "(one event per transaction)",
        in_processes, rates[1], ">= 3", "events/s",
    )  # fmt: skip


def processes_rate(settings: Settings, processes: int, writers: int, per_writer: int) -> float:
    """Events/s when `writers` threads spread over `processes` processes (each its own
    Registry on the store of `settings`, started before the clock runs) each record
    `per_writer` events, one per call."""
    context = multiprocessing.get_context("spawn")
    ready, start = context.Barrier(processes + 1), context.Event()
    each = writers // processes
    children = [
        context.Process(
            target=_process_writers, args=(settings, each, per_writer, n * each, ready, start)
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    try:
        ready.wait(START_SECONDS)
        began = time.perf_counter()
        start.set()
        for child in children:
            child.join()
        seconds = time.perf_counter() - began
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
    failed = [child.exitcode for child in children if child.exitcode != 0]
    if failed:
        raise RuntimeError(f"a writer process failed (exit codes {failed})")
    return each * processes * per_writer / seconds


def _process_writers(
    settings: Settings, writers: int, per_writer: int, first: int, ready: Any, start: Any
) -> None:
    registry = Registry(settings)
    try:
        ready.wait(START_SECONDS)
        writers_rate(registry, writers, per_writer, first, start)
    finally:
        registry.close()


class _Unsigned(Application[Any]):
    pass


def eventsourcing_in_memory(url: str, count: int) -> float:
    """Plain eventsourcing-sqlalchemy on `url`, its aggregate kept in memory: events/s."""
    app = _Unsigned(env={"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url})
    try:
        roadmap = append_bench.Roadmap(append_bench.REF)
        app.save(roadmap)
        start = time.perf_counter()
        for number in range(count):
            roadmap.record_milestone(**append_bench.milestone(number))
            app.save(roadmap)
        return count / (time.perf_counter() - start)
    finally:
        app.close()  # eventsourcing-sqlalchemy leaves its engine's pool open: dispose it too
        engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
        if engine is not None:
            engine.dispose()
