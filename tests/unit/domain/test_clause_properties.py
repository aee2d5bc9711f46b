"""Properties of clause-derived status: it equals a naive day-by-day reference computed
straight from the events, it never depends on what was recorded later, and the timeline
agrees with replay on every day."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.events import AgreementEvent, ConsentExpressed, Signed, Terminated
from registry.domain.history import state_as_of
from registry.domain.timeline import Standing, standing_on, status_timeline
from registry.domain.values import PartyStatus, SignatureType
from tests.unit.domain.clause_strategies import clause_histories

examples = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIRST, LAST = date(2024, 1, 1), date(2029, 1, 1)


def bound_days(events: list[AgreementEvent]) -> dict[str, date]:
    found: dict[str, date] = {}
    for event in events:
        binding = isinstance(event, ConsentExpressed) or (
            isinstance(event, Signed) and event.signature_type is SignatureType.DEFINITIVE
        )
        if binding:
            party = event.party  # type: ignore[attr-defined]
            found[party] = min(found.get(party, date.max), event.effective.start)
    return found


def plus_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def naive_status(clauses: dict[str, Any], events: list[AgreementEvent], code: str, on: date):  # type: ignore[no-untyped-def]
    """The party's standing on `on`, asked day by day: the clause read literally."""
    if any(isinstance(e, Terminated) and e.effective.start <= on for e in events):
        return PartyStatus.TERMINATED
    bound = {p: d for p, d in bound_days(events).items() if d <= on}
    clause = clauses["entry_into_force"]
    general: date | None = None
    if "date" in clause:
        fixed = date.fromisoformat(clause["date"])
        general = fixed if any(d <= fixed for d in bound.values()) else None
        reference = fixed
    elif "instruments" in clause:
        # the first day on which N instruments had been deposited D days before
        reference = None
        day = FIRST
        while day <= on:
            deposited = [d for d in bound.values() if d <= day - timedelta(clause["days_after"])]
            if len(deposited) >= clause["instruments"]:
                reference = day
                break
            day += timedelta(days=1)
        general = reference
    else:
        return PartyStatus.BOUND if code in bound else None  # as recorded: nothing recorded
    duration = clauses.get("duration")
    fixed_term = duration and "tacit_renewal" not in duration
    if general is not None and fixed_term and plus_years(general, duration["years"]) <= on:
        return PartyStatus.EXPIRED
    if code not in bound:
        return None
    if reference is not None and reference <= on:
        if bound[code] <= reference:
            return PartyStatus.IN_FORCE
        later = clause.get("later_parties_days_after_deposit", 0)
        if bound[code] + timedelta(days=later) <= on:
            return PartyStatus.IN_FORCE
    return PartyStatus.BOUND


@examples
@given(clause_histories(), st.data())
def test_clause_derived_status_equals_a_naive_day_by_day_reference(history, data) -> None:  # type: ignore[no-untyped-def]
    clauses, events = history
    for _ in range(15):
        on = data.draw(st.dates(date(2024, 1, 10), LAST))
        state = state_as_of(events, as_of=on)
        for row in state.parties:
            expected = naive_status(clauses, events, row.code, on)
            if expected is None:
                assert row.status in (PartyStatus.SIGNED, PartyStatus.LISTED), (on, row.code)
            else:
                assert row.status is expected, (on, row.code, clauses)


@examples
@given(clause_histories(), st.data())
def test_status_known_at_t_never_depends_on_later_records(history, data) -> None:  # type: ignore[no-untyped-def]
    _, events = history
    cut = data.draw(st.integers(min_value=1, max_value=len(events)))
    known_at = events[cut - 1].timestamp
    for _ in range(6):
        on = data.draw(st.none() | st.dates(date(2024, 1, 10), LAST))
        everything = state_as_of(events, as_of=on, known_at=known_at)
        only_earlier = state_as_of(events[:cut], as_of=on)
        assert Standing.of(everything) == Standing.of(only_earlier)
        assert everything.entered_into_force == only_earlier.entered_into_force
        assert everything.expired == only_earlier.expired
        assert everything.term_ends == only_earlier.term_ends


@settings(examples, max_examples=20)
@given(clause_histories())
def test_the_timeline_agrees_with_replay_on_every_day_with_clauses(history) -> None:  # type: ignore[no-untyped-def]
    _, events = history
    periods = status_timeline(events)
    day = FIRST
    while day <= LAST:
        assert standing_on(periods, day) == Standing.of(state_as_of(events, as_of=day)), day
        day += timedelta(days=2)
    for period in periods[1:]:
        for on in (period.start - timedelta(days=1), period.start):
            assert standing_on(periods, on) == Standing.of(state_as_of(events, as_of=on))
    assert standing_on(periods, None) == Standing.of(state_as_of(events))
