"""A writer keeps the log's head between its transactions and, under the lock, takes in the
rows that other writers (other processes, other Registries) added since, never trusting what
it holds over the store.

`HeadScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    assert_one_dense_log,
    open_registry,
    roadmap_data,
)

FEB = PartialDate(2026, 2, 1)


def milestone(registry: Registry, ref: str, number: int, actor: str = ISLAMABAD) -> None:
    data = {"milestone": f"m-{number}", "title": f"Milestone {number}", "status": "planned"}
    registry.record(ref, "MilestoneRecorded", effective=FEB, actor=actor, data=data)


def events_in(registry: Registry) -> int:
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return int(session.execute(select(func.count()).select_from(cls)).scalar() or 0)


class HeadScenario:
    @pytest.fixture
    def pair(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as first:
            second = Registry(settings)
            try:
                for registry, ref in ((first, "PK-KZ-2026-A"), (second, "PK-KZ-2026-B")):
                    registry.draft(effective=FEB, actor=ISLAMABAD, data=roadmap_data(ref))
                yield first, second
            finally:
                second.close()

    def test_two_writers_in_turn_give_one_dense_log_and_each_takes_in_the_others_rows(
        self, pair: tuple[Registry, Registry]
    ):
        first, second = pair
        for number in range(6):
            milestone(first, "PK-KZ-2026-A", number)
            milestone(second, "PK-KZ-2026-B", number)
            milestone(second if number % 2 else first, "PK-KZ-2026-A", 100 + number)
        total = events_in(first)
        assert_one_dense_log(first, total)
        assert verify_store(first).ok
        # the first writer knows the second's agreement from the rows it took in under the lock
        head = first.signed_recorder._head
        assert head is not None and second.resolve("PK-KZ-2026-B") in head.streams

    def test_a_keyring_change_by_another_writer_is_taken_in_before_signing(
        self, pair: tuple[Registry, Registry]
    ):
        first, second = pair
        milestone(first, "PK-KZ-2026-A", 0)
        second.register_officer("officer.newcomer")
        # signed under the trust that holds the newcomer's key: the keyring row was taken in
        milestone(first, "PK-KZ-2026-A", 1, actor="officer.newcomer")
        assert verify_store(first).ok
        assert_one_dense_log(first, events_in(first))


class TestOnSQLite(OnSQLite, HeadScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, HeadScenario):
    pass
