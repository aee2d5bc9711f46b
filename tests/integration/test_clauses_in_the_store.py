"""Clauses, the date rules and search through the real signed store, on SQLite and again on
PostgreSQL: the lists (officers' and as-of) say what replay says, refusals store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from registry.domain.dates import PartialDate
from registry.domain.history import state_as_of
from registry.domain.rules.clauses import EntryIntoForceContradictsClause
from registry.domain.rules.timing import ActDatedInFuture, DateBeyondHorizon
from registry.domain.values import AgreementStatus, PartyStatus
from registry.store.application import Registry
from registry.store.reads.filters import Filters
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    day,
    drafted_data,
    open_registry,
    signed_data,
)

TREATY = "CL-2025-900"
STATES = [
    {"code": "PAK", "name": "Pakistan", "type": "state"},
    {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
    {"code": "TUR", "name": "Türkiye", "type": "state"},
]
TITLES = {
    "en": "Transit Agreement with Türkiye",
    "ru": "Соглашение с Казахстаном",
    "ur": "پاکستان اور قازقستان کے درمیان معاہدہ",
}


def treaty_data(**overrides: Any) -> dict[str, Any]:
    return drafted_data(
        TREATY,
        titles=TITLES,
        multilateral=True,
        parties=STATES,
        withdrawal_notice_months=12,
        clauses={
            "entry_into_force": {
                "instruments": 2,
                "days_after": 30,
                "later_parties_days_after_deposit": 30,
            },
            "withdrawal": {"notice": {"years": 1}},
        },
        **overrides,
    )


def ratify(registry: Registry, party: str, signed: str, ratified: str) -> None:
    registry.record(
        TREATY, "Signed", effective=day(signed), actor=ISLAMABAD, data=signed_data(party)
    )
    registry.record(
        TREATY,
        "ConsentExpressed",
        effective=day(ratified),
        actor=ISLAMABAD,
        data={"party": party, "instrument": "ratification"},
    )


def party_statuses(registry: Registry, as_of: date | None) -> dict[str, PartyStatus]:
    (listed,) = registry.list_as_of(as_of, limit=None).agreements
    return {p.code: p.status for p in listed.parties}


class ClauseScenario:
    @pytest.fixture
    def registry(self, settings: Settings) -> Iterator[Registry]:
        with open_registry(settings) as registry:
            yield registry

    @pytest.fixture
    def treaty(self, registry: Registry) -> Registry:
        registry.draft(effective=day("2025-01-10"), actor=ISLAMABAD, data=treaty_data())
        ratify(registry, "PAK", "2025-01-20", "2025-02-01")
        ratify(registry, "KAZ", "2025-01-20", "2025-02-10")  # in force 12 March 2025
        ratify(registry, "TUR", "2025-01-20", "2025-06-01")  # in force 1 July 2025
        return registry

    def test_the_as_of_list_gives_the_clause_derived_status_by_party(self, treaty: Registry):
        events = treaty.agreement(TREATY).history
        for on in (date(2025, 3, 11), date(2025, 3, 12), date(2025, 6, 30), date(2025, 7, 1)):
            state = state_as_of(events, as_of=on)
            assert party_statuses(treaty, on) == {row.code: row.status for row in state.parties}
        assert party_statuses(treaty, date(2025, 3, 12)) == {
            "PAK": PartyStatus.IN_FORCE,
            "KAZ": PartyStatus.IN_FORCE,
            "TUR": PartyStatus.SIGNED,
        }
        assert party_statuses(treaty, date(2025, 7, 1))["TUR"] is PartyStatus.IN_FORCE
        in_force = treaty.list_as_of(date(2025, 3, 12), status=AgreementStatus.IN_FORCE)
        assert [a.reference for a in in_force.agreements] == [TREATY]

    def test_termination_ends_every_partys_standing_in_the_lists(self, treaty: Registry):
        treaty.record(TREATY, "Terminated", effective=day("2025-09-01"), actor=ISLAMABAD, data={})
        assert set(party_statuses(treaty, date(2025, 9, 1)).values()) == {PartyStatus.TERMINATED}
        assert party_statuses(treaty, date(2025, 8, 31))["PAK"] is PartyStatus.IN_FORCE
        assert treaty.list_as_of(date(2025, 9, 1), party="PAK").agreements[0].status is (
            AgreementStatus.TERMINATED
        )

    def test_an_entry_into_force_against_the_clause_is_refused_and_nothing_stored(
        self, treaty: Registry
    ):
        version = treaty.agreement(TREATY).version
        with pytest.raises(EntryIntoForceContradictsClause) as refused:
            treaty.record(
                TREATY, "EnteredIntoForce", effective=day("2025-03-01"), actor=ISLAMABAD, data={}
            )
        assert "12 March 2025" in refused.value.message
        assert treaty.agreement(TREATY).version == version

    def test_an_act_dated_after_the_day_it_is_recorded_is_refused(self, treaty: Registry):
        version = treaty.agreement(TREATY).version
        tomorrow = PartialDate.of(datetime.now(UTC).date() + timedelta(days=2))
        with pytest.raises(ActDatedInFuture) as refused:
            treaty.record(
                TREATY,
                "DeclarationMade",
                effective=tomorrow,
                actor=ISLAMABAD,
                data={"party": "PAK", "article": None, "text": "On transit"},
            )
        assert (refused.value.code, refused.value.field) == ("act_dated_in_future", "effective")
        with pytest.raises(DateBeyondHorizon) as beyond:
            treaty.record(
                TREATY, "Terminated", effective=PartialDate(2300), actor=ISLAMABAD, data={}
            )
        assert beyond.value.field == "effective"
        assert treaty.agreement(TREATY).version == version
        treaty.record(  # scheduled by nature: a termination may be fixed in advance
            TREATY, "Terminated", effective=tomorrow, actor=ISLAMABAD, data={}
        )

    @pytest.mark.parametrize(
        "words",
        ["Казахстан", "казахстан", "КАЗАХСТАНОМ", "معاہدہ", "قازقستان", "Turkiye", "TÜRKİYE"],
    )
    def test_search_matches_every_script_whatever_the_case_and_accents(
        self, treaty: Registry, words: str
    ):
        assert [a.reference for a in treaty.list_as_of(None, q=words).agreements] == [TREATY]
        on_a_day = treaty.list_as_of(date(2025, 3, 12), q=words)
        assert [a.reference for a in on_a_day.agreements] == [TREATY]
        officers = treaty.current_agreements(Filters(q=words))
        assert [row["reference"] for row in officers.rows] == [TREATY]

    def test_search_does_not_match_what_is_not_there(self, treaty: Registry):
        assert treaty.list_as_of(None, q="Узбекистан").total == 0
        assert treaty.current_agreements(Filters(q="Узбекистан")).total == 0


class TestOnSQLite(OnSQLite, ClauseScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, ClauseScenario):
    pass
