"""A party's agreements (store.party_view) answer what replay answers, on SQLite and PostgreSQL.

The property test reuses the random histories of test_intervals (several agreements, recorded
through the real signed store, interleaved, backdated, corrected) and compares, for random
parties, dates and instants, every row of the party view with `history.state_as_of` of each
agreement the party takes part in. The party view's SQL is one indexed query: checked with the
database's own query plan.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from registry.domain.errors import NotYetRecorded
from registry.domain.history import state_as_of
from registry.domain.values import AgreementStatus
from registry.store.application import Registry
from registry.store.reads.filters import Filters
from registry.store.reads.intervals import LAST_DAY
from registry.store.reads.listed import When
from registry.store.reads.party_view import PartyAgreement, party_agreements, party_query
from tests.integration.helpers import OnPostgres, OnSQLite, SteppingClock
from tests.integration.test_intervals import (
    Program,
    RandomHistoriesScenario,
    moments_to_ask,
    programs,
    random_histories,
    record,
)

PARTIES = ("PAK", "KAZ", "UZB", "AFG", "ISSI", "KZ-FPRI")


def as_shown(row: PartyAgreement) -> tuple[Any, ...]:
    return (row.reference, row.status, row.party_status, row.signed, row.consent,
            row.consented, row.in_force, row.withdrawal)  # fmt: skip


def text_of(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def as_replayed(events: Any, code: str, as_of: date | None, known_at: datetime | None) -> Any:
    """The party's row of one agreement: None if not known then, or the party takes no part."""
    try:
        state = state_as_of(events, as_of=as_of, known_at=known_at)
    except NotYetRecorded:
        return None
    party = state.party(code)
    if party is None or state.status is AgreementStatus.NOT_YET_DRAFTED:
        return None
    return (state.reference, state.status, party.status, text_of(party.signed),
            text_of(party.consent), text_of(party.consented), text_of(party.in_force),
            text_of(party.withdrawal_takes_effect))  # fmt: skip


class PartyViewScenario(RandomHistoriesScenario):
    def test_the_party_view_answers_what_replay_answers_for_random_histories(
        self, registry: Registry, clock: SteppingClock
    ):
        @random_histories(max_examples=12)
        @given(programs(), st.data())
        def check(program: Program, data: st.DataObject) -> None:
            agreements = record(registry, clock, program)
            histories = {a.id: registry.agreement(a.id).history for a in agreements}
            any_day, any_instant = moments_to_ask(list(histories.values()))
            for _ in range(10):
                as_of, known_at = data.draw(any_day), data.draw(any_instant)
                code = data.draw(st.sampled_from(PARTIES))
                found = {
                    row.id: as_shown(row)
                    for row in party_agreements(
                        registry, Filters(party=code, as_of=as_of, known_at=known_at)
                    ).agreements
                }
                for agreement_id, events in histories.items():
                    expected = as_replayed(events, code, as_of, known_at)
                    assert found.get(agreement_id) == expected, (code, as_of, known_at)

        check()

    def test_its_query_reads_an_index_of_the_party_intervals(self, registry: Registry):
        query = party_query("PAK", When(LAST_DAY, None), Filters(party="PAK"))
        with registry.transaction() as session:
            dialect = session.get_bind().dialect
            sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            explain = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
            if dialect.name == "postgresql":  # a few rows: a plain scan would be cheaper
                session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(row) for row in session.execute(text(explain + sql)))
        assert "registry_party_intervals_" in plan, plan  # one of its indexes, by party
        assert "Seq Scan" not in plan and "SCAN registry_party_intervals " not in plan, plan


class TestOnSQLite(OnSQLite, PartyViewScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, PartyViewScenario):
    pass
