"""Hypothesis strategies for agreements with clauses: random clauses, random parties bound on
random past days (signature then ratification, definitive signature or accession), and
sometimes a termination; recorded one minute apart."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.domain.events import AgreementEvent
from registry.domain.values import ConsentKind, Party, PartyType, SignatureType
from tests.unit.domain.builders import AFGHANISTAN, KAZAKHSTAN, OFFICER, PAKISTAN, UZBEKISTAN, draft
from tests.unit.domain.builders import consent as consent_of
from tests.unit.domain.builders import sign as sign_of
from tests.unit.domain.strategies import one_minute_apart

DRAFTED = date(2024, 1, 10)
LAST = date(2026, 6, 1)  # acts that happened are in the past, whenever the tests run
TURKIYE = Party("TUR", "Türkiye", PartyType.STATE)
PARTIES = (PAKISTAN, KAZAKHSTAN, UZBEKISTAN, TURKIYE)
later_days = st.none() | st.integers(min_value=0, max_value=60)


def entry_clauses() -> st.SearchStrategy[dict[str, Any]]:
    by_date = st.fixed_dictionaries(
        {"date": st.dates(date(2024, 2, 1), date(2025, 12, 31)).map(str)},
        optional={"later_parties_days_after_deposit": st.integers(0, 60)},
    )
    by_count = st.fixed_dictionaries(
        {"instruments": st.integers(1, 4), "days_after": st.integers(0, 90)},
        optional={"later_parties_days_after_deposit": st.integers(0, 60)},
    )
    return st.one_of(by_date, by_count, st.just({"as_recorded": True}))


def clause_sets() -> st.SearchStrategy[dict[str, Any]]:
    duration = st.fixed_dictionaries(
        {"years": st.integers(1, 2)},
        optional={"tacit_renewal": st.fixed_dictionaries({"years": st.integers(1, 3)})},
    )
    return st.fixed_dictionaries(
        {"entry_into_force": entry_clauses()}, optional={"duration": duration}
    )


def day_of(moment: date) -> PartialDate:
    return PartialDate.of(moment)


@st.composite
def clause_histories(draw: st.DrawFn) -> tuple[dict[str, Any], list[AgreementEvent]]:
    clauses = draw(clause_sets())
    agreement = draft(
        "CL-2024-001",
        effective=day_of(DRAFTED),
        parties=PARTIES,
        multilateral=True,
        clauses=clauses,
    )
    offsets = st.integers(min_value=1, max_value=(LAST - DRAFTED).days)
    for party in (*PARTIES, AFGHANISTAN):
        how = draw(st.sampled_from(("none", "signed", "ratified", "definitive")))
        on = DRAFTED + timedelta(days=draw(offsets))
        try:
            if party is AFGHANISTAN:
                if how != "none":
                    consent_of(agreement, "AFG", day_of(on), ConsentKind.ACCESSION, AFGHANISTAN)
            elif how == "definitive":
                sign_of(agreement, party.code, day_of(on), SignatureType.DEFINITIVE)
            elif how != "none":
                sign_of(agreement, party.code, day_of(on))
                if how == "ratified":
                    later = min(on + timedelta(days=draw(st.integers(0, 200))), LAST)
                    consent_of(agreement, party.code, day_of(later))
        except DomainError:
            pass
    if draw(st.integers(0, 3)) == 0:
        on = DRAFTED + timedelta(days=draw(offsets))
        with suppress(DomainError):
            agreement.terminate(effective=day_of(on), actor=OFFICER)
    return clauses, one_minute_apart(agreement.collect_events())  # type: ignore[arg-type]
