"""Properties of replay, over random accepted histories (strategies.py)."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.agreement import Agreement
from registry.domain.codec import decode_data, event_data
from registry.domain.corrections import Corrections, checked_record
from registry.domain.events import (
    AgreementEvent,
    Drafted,
    ObjectionMade,
    ReservationMade,
    StatementWithdrawn,
)
from registry.domain.history import state_as_of
from registry.domain.values import AgreementStatus
from tests.unit.domain.builders import rebuilt
from tests.unit.domain.strategies import (
    Step,
    arbitrary_events,
    as_of_dates,
    drafts,
    histories,
    programs,
    run,
)

Events = list[AgreementEvent]

replays = settings(
    max_examples=int(os.environ.get("DOMAIN_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@replays
@given(drafts(), programs())
def test_the_aggregate_state_kept_incrementally_equals_a_full_replay(
    agreement: Agreement, program: list[Step]
) -> None:
    run(agreement, program)
    assert agreement.state == state_as_of(agreement.history)


@replays
@given(histories())
def test_rebuilding_the_aggregate_from_its_events_gives_the_same_state(events: Events) -> None:
    assert rebuilt(events).state == state_as_of(events)


@replays
@given(histories())
def test_events_that_travel_as_wire_data_replay_to_the_same_state(events: Events) -> None:
    def travelled(event: AgreementEvent) -> AgreementEvent:
        extra = {"originator_topic": event.originator_topic} if isinstance(event, Drafted) else {}
        return type(event)(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            timestamp=event.timestamp,
            effective=event.effective,
            actor=event.actor,
            **extra,
            **decode_data(type(event), event_data(event)),
        )

    assert state_as_of([travelled(e) for e in events]) == state_as_of(events)


@replays
@given(histories(), as_of_dates(), st.data())
def test_replay_is_deterministic(events: Events, as_of: date | None, data: st.DataObject) -> None:
    known_at = events[data.draw(st.integers(0, len(events) - 1))].timestamp
    first = state_as_of(events, as_of=as_of, known_at=known_at)
    assert first == state_as_of(list(events), as_of=as_of, known_at=known_at)
    shuffled = data.draw(st.permutations(events))
    assert state_as_of(shuffled, as_of=as_of, known_at=known_at) == first


@replays
@given(histories(), as_of_dates(), st.data())
def test_a_state_known_at_an_instant_never_depends_on_events_recorded_later(
    events: Events, as_of: date | None, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(min_value=1, max_value=len(events)))
    known_at = events[cut - 1].timestamp
    later = data.draw(
        arbitrary_events(events[0].originator_id, len(events) + 1, events[-1].timestamp)
    )
    expected = state_as_of(events[:cut], as_of=as_of, known_at=known_at)
    assert state_as_of(events + later, as_of=as_of, known_at=known_at) == expected
    assert state_as_of(events[:cut], as_of=as_of) == replace(expected, known_at=None)


@replays
@given(histories(), as_of_dates(), st.data())
def test_replaying_stored_events_never_fails_whatever_they_say(
    events: Events, as_of: date | None, data: st.DataObject
) -> None:
    junk = data.draw(
        arbitrary_events(events[0].originator_id, len(events) + 1, events[-1].timestamp)
    )
    state = state_as_of(events + junk, as_of=as_of)
    assert rebuilt(events + junk).state == state_as_of(events + junk)
    drafted = events[0].effective.start
    assert (state.status is AgreementStatus.NOT_YET_DRAFTED) == (
        as_of is not None and as_of < drafted
    )


@replays
@given(histories())
def test_every_accepted_history_satisfies_every_rule_when_replayed(events: Events) -> None:
    corrections = Corrections()
    for event in events:
        corrections.take(event)
    checked_record(corrections.in_order())


@replays
@given(histories(), st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 1, 1)))
def test_a_view_as_of_a_date_holds_only_facts_dated_by_then(events: Events, as_of: date) -> None:
    state = state_as_of(events, as_of=as_of)
    for row in state.parties:
        for when in (row.signed, row.consented, row.in_force, row.withdrawal_notified):
            assert when is None or when.start <= as_of
    for milestone in state.milestones:
        assert milestone.changed.start <= as_of


def naive_partings(facts: Events, as_of: date | None) -> set[tuple[str, str]]:
    """The pairs an opposing objection parts (VCLT art. 20(4)(b)), read straight from the
    facts: dated by `as_of`, neither the objection nor its reservation withdrawn by then."""
    dated = [f for f in facts if as_of is None or f.effective.start <= as_of]
    versions = {f.originator_version: f for f in dated}
    withdrawn = {f.statement for f in dated if isinstance(f, StatementWithdrawn)}
    pairs = set()
    for fact in dated:
        if not isinstance(fact, ObjectionMade) or not fact.opposes_entry_into_force:
            continue
        if not isinstance(versions.get(fact.reservation), ReservationMade):
            continue
        if fact.originator_version in withdrawn or fact.reservation in withdrawn:
            continue
        pairs |= {(fact.party, fact.reserving_party), (fact.reserving_party, fact.party)}
    return pairs


@replays
@given(histories(), as_of_dates())
def test_an_opposing_objection_parts_exactly_the_pairs_a_naive_reading_gives(
    events: Events, as_of: date | None
) -> None:
    corrections = Corrections()
    for event in events:
        corrections.take(event)
    state = state_as_of(events, as_of=as_of)
    found = {(row.code, other) for row in state.parties for other in row.not_in_force_with}
    assert found == naive_partings(corrections.in_order(), as_of)
    assert found == {(b, a) for a, b in found}  # pair-wise, both ways
