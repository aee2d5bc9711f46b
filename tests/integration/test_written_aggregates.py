"""A command runs on the agreement as its registry last committed it (no read of the store),
and runs again on the store's agreement when that copy proves behind (another writer).

`WrittenScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.store.application import Registry
from registry.store.errors import VersionConflict
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import ISLAMABAD, OnPostgres, OnSQLite, open_registry, roadmap_data

REF = "PK-KZ-2026-ROADMAP"
DRAFT = roadmap_data(REF)
FEB = PartialDate(2026, 2, 1)


def milestone(registry: Registry, number: int, **kwargs: object):  # type: ignore[no-untyped-def]
    data = {"milestone": f"m-{number}", "title": f"Milestone {number}", "status": "planned"}
    return registry.record(
        REF, "MilestoneRecorded", effective=FEB, actor=ISLAMABAD, data=data, **kwargs
    )


def in_progress(registry: Registry, number: int):  # type: ignore[no-untyped-def]
    data = {"milestone": f"m-{number}", "status": "in_progress"}
    return registry.record(REF, "MilestoneStatusChanged", effective=FEB, actor=ISLAMABAD, data=data)


def as_stored(registry: Registry) -> list[dict[str, object]]:
    return [vars(event) for event in registry.agreement(REF).history]


class WrittenScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            registry.draft(effective=PartialDate(2026, 1, 1), actor=ISLAMABAD, data=DRAFT)
            yield registry

    def test_the_held_agreement_is_what_a_read_of_the_store_gives(
        self, registry: Registry, settings: Settings
    ):
        for number in range(3):
            milestone(registry, number)
        held = registry.written.take(registry.resolve(REF))
        assert held is not None and held.version == 4
        fresh = Registry(settings)
        try:
            # every field of every event, the recorded instants too (not the command's clock)
            assert [vars(event) for event in held.history] == as_stored(fresh)
            assert held.modified_on == fresh.agreement(REF).modified_on
        finally:
            fresh.close()

    def test_a_held_agreement_behind_the_store_is_read_again(
        self, registry: Registry, settings: Settings
    ):
        milestone(registry, 0)  # held at version 2
        other = Registry(settings)
        try:
            milestone(other, 1)  # version 3, written by another registry
        finally:
            other.close()
        # the held copy lacks m-1: refused on it, accepted on the store's agreement
        recorded = in_progress(registry, 1)
        assert recorded.version == 4
        other = Registry(settings)
        try:
            milestone(other, 2)  # version 5
        finally:
            other.close()
        assert milestone(registry, 3).version == 6  # the version conflict is read again too
        assert verify_store(registry).ok

    def test_a_refusal_and_a_stale_expected_version_still_fail(self, registry: Registry):
        milestone(registry, 0)
        with pytest.raises(DomainError):
            milestone(registry, 0)  # m-0 exists: refused on the store's agreement too
        with pytest.raises(VersionConflict):
            milestone(registry, 1, expected_version=1)
        assert milestone(registry, 1, expected_version=2).version == 3


class TestOnSQLite(OnSQLite, WrittenScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, WrittenScenario):
    pass
