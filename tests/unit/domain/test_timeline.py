"""The timeline gives, for every date at once, what `state_as_of` gives for one date."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.errors import NotYetRecorded
from registry.domain.history import state_as_of
from registry.domain.timeline import Standing, standing_on, status_timeline
from registry.domain.values import AgreementStatus, PartyStatus
from tests.unit.domain.builders import (
    OFFICER,
    consent,
    day,
    draft,
    in_force,
    instant,
    recorded,
    sign,
)
from tests.unit.domain.strategies import histories

replays = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
day_by_day = settings(replays, max_examples=30)
FIRST, LAST = date(2025, 11, 1), date(2030, 6, 1)


@day_by_day
@given(histories(), st.data())
def test_the_timeline_agrees_with_replay_on_every_day(events, data) -> None:  # type: ignore[no-untyped-def]
    known_at = data.draw(st.none() | st.sampled_from([e.timestamp for e in events]))
    periods = status_timeline(events, known_at)
    day_ = FIRST
    while day_ <= LAST:
        expected = Standing.of(state_as_of(events, as_of=day_, known_at=known_at))
        assert standing_on(periods, day_) == expected, day_
        day_ += timedelta(days=1)
    assert standing_on(periods, None) == Standing.of(state_as_of(events, known_at=known_at))
    assert standing_on(periods, date.max) == standing_on(periods, None)


@replays
@given(histories())
def test_each_period_differs_from_the_one_before(events) -> None:  # type: ignore[no-untyped-def]
    periods = status_timeline(events)
    assert periods[0].start == date.min
    assert periods[0].standing.status is AgreementStatus.NOT_YET_DRAFTED
    assert all(a.start < b.start for a, b in pairwise(periods))
    assert all(a.standing != b.standing for a, b in pairwise(periods))


def test_a_scheduled_withdrawal_is_a_change_in_the_future() -> None:
    agreement = in_force(draft(withdrawal_notice_months=6))
    agreement.notify_withdrawal(effective=day(2026, 4, 1), actor=OFFICER, party="KAZ")
    statuses = [(p.start, p.standing.status) for p in status_timeline(agreement.history)]
    assert statuses[-3:] == [
        (date(2026, 3, 1), AgreementStatus.IN_FORCE),
        (date(2026, 4, 1), AgreementStatus.IN_FORCE),  # the party's notified withdrawal shows
        (date(2026, 10, 1), AgreementStatus.TERMINATED),
    ]


def test_a_party_standing_changes_without_the_agreement_status() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    periods = status_timeline(agreement.history)
    assert [(p.start, p.standing.status, p.standing.parties[0][1]) for p in periods[1:]] == [
        (date(2026, 1, 10), AgreementStatus.DRAFT, PartyStatus.LISTED),
        (date(2026, 2, 3), AgreementStatus.SIGNED, PartyStatus.SIGNED),
        (date(2026, 2, 15), AgreementStatus.SIGNED, PartyStatus.BOUND),
    ]


def test_a_timeline_known_before_the_agreement_was_recorded_is_refused() -> None:
    agreement = draft()
    events = recorded(agreement.collect_events(), instant(1, 10))
    with pytest.raises(NotYetRecorded):
        status_timeline(events, known_at=instant(1, 9))
