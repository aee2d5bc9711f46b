"""Figures of the one-event write path: concurrent writers (group commit) and the plain
eventsourcing baseline on the database under test.

`concurrent_writers` records one event per call from 8 threads sharing one Registry (as the
threads of a gunicorn worker do), each on its own agreement, against 1 thread doing the same
work alone; group commit should carry the 8 in shared transactions (goal: >= 3x one).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from eventsourcing.application import Application

from bench import events as append_bench
from registry.store.application import Registry

WRITERS = 8


def _reference(writer: int) -> str:
    return f"BENCH-W{writer:02d}"


def _draft_agreements(registry: Registry, writers: int) -> None:
    for writer in range(writers):
        registry.draft(
            effective=append_bench.PartialDate(2026, 1, 1),
            actor=append_bench.OFFICER,
            data={**append_bench.DRAFT, "reference": _reference(writer)},
        )


def writers_rate(registry: Registry, writers: int, per_writer: int) -> float:
    """Events/s when `writers` threads each record `per_writer` events, one per call."""
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

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
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
