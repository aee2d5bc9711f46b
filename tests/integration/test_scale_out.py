"""Scale-out: several processes writing to one PostgreSQL give ONE log.

N processes (as N gunicorn workers, or N hosts, would) each append M events at once, some on
their own agreement and some on one agreement they all share (retrying on a version conflict,
as a client does after a 409). Afterwards the leaf indexes are dense, 0..n-1, in commit order
(notification ids and `recorded` strictly increase with them), checkpoint sizes increase in
the order they were issued, each checkpoint signs the tree of its size, and `registry verify`
passes. Bounded: N x M events, a timeout on every process; loopback only.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from registry.store.errors import VersionConflict
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.conftest import settings_for
from tests.integration.helpers import (
    ISLAMABAD,
    assert_one_dense_log,
    day,
    draft_transit_agreement,
    open_registry,
)

PROCESSES = 4
EVENTS_EACH = 12
SHARED = "PK-KZ-2026-000"
TIMEOUT_SECONDS = 300


def _append(home: str, url: str, writer: int, start: multiprocessing.synchronize.Event) -> None:
    """One writer process: M milestones, alternately on its own agreement and the shared one."""
    from registry.store.application import Registry

    registry = Registry(settings_for(Path(home), url))
    try:
        start.wait(TIMEOUT_SECONDS)
        for number in range(EVENTS_EACH):
            ref = SHARED if number % 2 else f"PK-KZ-2026-10{writer}"
            for _attempt in range(50):
                try:
                    registry.record(
                        ref,
                        "MilestoneRecorded",
                        effective=day("2026-03-01"),
                        actor=ISLAMABAD,
                        data={
                            "milestone": f"w{writer}-{number}",
                            "title": f"Milestone {number} of writer {writer}",
                            "status": "planned",
                        },
                    )
                    break
                except VersionConflict:
                    continue  # another process recorded on the shared agreement first
            else:
                raise RuntimeError(f"writer {writer} lost the race 50 times on {ref}")
    finally:
        registry.close()


@pytest.mark.postgres
def test_processes_writing_to_one_postgresql_give_one_dense_log(
    postgres_settings: Settings,
) -> None:
    with open_registry(postgres_settings) as registry:
        draft_transit_agreement(registry, SHARED)
        for writer in range(PROCESSES):
            draft_transit_agreement(registry, f"PK-KZ-2026-10{writer}")
        before = registry.checkpoint()
        assert before is not None
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    writers = [
        spawn.Process(
            target=_append,
            args=(str(postgres_settings.home), postgres_settings.database_url, n, start),
        )
        for n in range(PROCESSES)
    ]
    for process in writers:
        process.start()
    start.set()
    for process in writers:
        process.join(TIMEOUT_SECONDS)
    for process in writers:
        if process.is_alive():
            process.kill()
    assert [p.exitcode for p in writers] == [0] * PROCESSES

    with open_registry(postgres_settings, init=False) as registry:
        total = before.size + PROCESSES * EVENTS_EACH
        assert_one_dense_log(registry, total)
        assert registry.agreement(SHARED).version == 1 + PROCESSES * EVENTS_EACH // 2
        report = verify_store(registry, workers=1)
        assert report.ok, report.problems
