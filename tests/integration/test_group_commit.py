"""Group commit: concurrent writers of one process share one transaction, each with its own answer.

To make a group form for certain, the first writer's transaction is held open (by a projection
that waits) until the others have queued behind it; they then commit together as the next group.
`GroupScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from registry.store.application import Recorded, Registry
from registry.store.errors import VersionConflict
from registry.store.events.tables import log_entries
from registry.store.events.verification import verify_store
from registry.store.reads.filters import Filters
from registry.store.reads.rebuild import rebuild_views
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    day,
    draft_transit_agreement,
    open_registry,
    signed_data,
)

WAIT_SECONDS = 60  # an upper bound only: the test ends as soon as the writers have queued


def _milestone(registry: Registry, ref: str, number: int, also: Any = ()) -> Recorded:
    return registry.record(
        ref,
        "MilestoneRecorded",
        effective=day("2026-03-01"),
        actor=ISLAMABAD,
        data={"milestone": f"m-{number}", "title": f"Milestone {number}", "status": "planned"},
        projections=also,
    )


def _in_one_group(registry: Registry, writes: list[Callable[[], Recorded]]) -> list[Any]:
    """Run `writes` on threads while a first write holds the lock, so they form one group;
    each write's Recorded, or the exception it raised."""
    holding, queued = threading.Event(), threading.Event()
    groups = registry.signed_recorder.groups

    def hold(_session: Any, _sealed: Any) -> None:
        holding.set()
        queued.wait(WAIT_SECONDS)

    first = threading.Thread(target=_milestone, args=(registry, "PK-KZ-2026-001", 0, [hold]))
    first.start()
    holding.wait(WAIT_SECONDS)
    answers: list[Any] = [None] * len(writes)

    def run(number: int) -> None:
        try:
            answers[number] = writes[number]()
        except Exception as error:
            answers[number] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(writes))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while groups.waiting() < len(writes) and time.monotonic() < deadline:
        time.sleep(0.01)
    queued.set()
    for thread in [first, *threads]:
        thread.join(WAIT_SECONDS)
    return answers


def _read_models(registry: Registry) -> tuple[Any, ...]:
    filters = Filters(limit=None)
    current = registry.current_agreements(filters)
    as_of = registry.list_agreements(Filters(as_of=day("2026-02-04").start, limit=None))
    return current.rows, current.status_counts, as_of.agreements, as_of.counts


class GroupScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            for number in range(1, 6):
                draft_transit_agreement(registry, f"PK-KZ-2026-00{number}")
            yield registry

    def test_concurrent_writers_commit_in_one_group_under_one_checkpoint(
        self, registry: Registry
    ) -> None:
        writes = [lambda n=n: _milestone(registry, f"PK-KZ-2026-00{n}", n) for n in range(2, 6)]
        answers = _in_one_group(registry, writes)
        assert all(isinstance(a, Recorded) for a in answers), answers
        assert len({a.checkpoint.size for a in answers}) == 1
        leaves = sorted(a.leaf_index for a in answers)
        assert leaves == list(range(leaves[0], leaves[0] + 4))
        assert answers[0].checkpoint.size == leaves[-1] + 1
        assert verify_store(registry).ok

    def test_a_group_writes_the_read_models_of_every_member_as_a_rebuild_does(
        self, registry: Registry
    ) -> None:
        def sign(ref: str) -> Recorded:
            return registry.record(
                ref, "Signed", effective=day("2026-02-03"), actor=ISLAMABAD,
                data=signed_data("PAK"),
            )  # fmt: skip

        writes = [lambda n=n: sign(f"PK-KZ-2026-00{n}") for n in range(2, 6)]
        answers = _in_one_group(registry, writes)
        assert all(isinstance(a, Recorded) for a in answers), answers
        written = _read_models(registry)
        rebuild_views(registry)
        assert _read_models(registry) == written

    def test_a_refused_member_fails_alone_and_the_rest_of_its_group_commits(
        self, registry: Registry
    ) -> None:
        ref = "PK-KZ-2026-002"
        stale = registry.agreement(ref).version

        def sign(party: str) -> Recorded:
            return registry.record(
                ref,
                "Signed",
                effective=day("2026-02-03"),
                actor=ISLAMABAD,
                data=signed_data(party),
                expected_version=stale,
            )

        writes = [
            lambda: sign("PAK"),
            lambda: sign("KAZ"),
            lambda: _milestone(registry, "PK-KZ-2026-003", 3),
        ]
        answers = _in_one_group(registry, writes)
        conflicts = [a for a in answers[:2] if isinstance(a, VersionConflict)]
        assert len(conflicts) == 1, answers
        assert isinstance(answers[2], Recorded)
        assert registry.agreement(ref).version == stale + 1
        assert verify_store(registry).ok

    def test_a_member_whose_projection_fails_stores_nothing_and_the_others_commit(
        self, registry: Registry
    ) -> None:
        def refuse(_session: Any, _sealed: Any) -> None:
            raise ValueError("this write's own projection fails")

        writes = [
            lambda: _milestone(registry, "PK-KZ-2026-002", 2),
            lambda: _milestone(registry, "PK-KZ-2026-003", 3, [refuse]),
            lambda: _milestone(registry, "PK-KZ-2026-004", 4),
        ]
        answers = _in_one_group(registry, writes)
        assert isinstance(answers[0], Recorded) and isinstance(answers[2], Recorded)
        assert isinstance(answers[1], ValueError)
        assert registry.agreement("PK-KZ-2026-003").version == 1
        with registry.transaction() as session:
            indexes = [row[0] for row in session.execute(select(log_entries.c.leaf_index))]
        assert sorted(indexes) == list(range(len(indexes)))
        assert verify_store(registry).ok

    def test_a_write_by_another_registry_is_seen_under_the_lock(
        self, registry: Registry, settings: Settings
    ) -> None:
        _milestone(registry, "PK-KZ-2026-002", 2)  # this writer now knows the head
        other = Registry(settings)
        try:
            _milestone(other, "PK-KZ-2026-002", 3)
            _milestone(other, "PK-KZ-2026-004", 4)
        finally:
            other.close()
        recorded = _milestone(registry, "PK-KZ-2026-002", 5)
        assert recorded.version == 4
        assert recorded.leaf_index == recorded.checkpoint.size - 1
        assert verify_store(registry).ok


class TestGroupsOnSQLite(OnSQLite, GroupScenario):
    pass


@pytest.mark.postgres
class TestGroupsOnPostgres(OnPostgres, GroupScenario):
    pass
