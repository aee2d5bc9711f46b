"""Upcoming deadlines as of a date: withdrawals, ends, renewals and milestones."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain.agreement import Agreement
from registry.domain.deadlines import Deadline, DeadlineKind, upcoming
from registry.domain.history import state_as_of
from registry.domain.values import MilestoneStatus
from tests.unit.domain.builders import OFFICER, day, draft, in_force


def deadlines(agreement: Agreement, on: date, until: date) -> list[Deadline]:
    events = agreement.history
    return upcoming(state_as_of(events, as_of=on), state_as_of(events), until)


def summary(found: list[Deadline]) -> list[tuple[DeadlineKind, str, str | None]]:
    return [(d.kind, str(d.due), d.party) for d in found]


def test_a_withdrawal_taking_effect_within_the_horizon_is_upcoming() -> None:
    agreement = in_force(draft())
    agreement.notify_withdrawal(effective=day(2026, 6, 1), actor=OFFICER, party="KAZ")
    found = deadlines(agreement, date(2026, 7, 1), date(2027, 12, 31))
    assert summary(found) == [(DeadlineKind.WITHDRAWAL_TAKES_EFFECT, "2027-06-01", "KAZ")]
    assert found[0].detail == "notified 2026-06-01"
    assert found[0].days_from(date(2026, 7, 1)) == 335
    assert deadlines(agreement, date(2026, 7, 1), date(2027, 5, 31)) == []
    assert deadlines(agreement, date(2027, 6, 1), date(2027, 12, 31)) == []  # it has happened


def test_entry_into_force_recorded_ahead_of_its_date_is_upcoming() -> None:
    agreement = in_force(draft())
    assert summary(deadlines(agreement, date(2026, 2, 20), date(2026, 12, 31))) == [
        (DeadlineKind.ENTRY_INTO_FORCE, "2026-03-01", None)
    ]


def test_a_renewal_runs_out_unless_the_agreement_ends_first() -> None:
    agreement = in_force(draft())
    agreement.renew(effective=day(2027, 3, 1), actor=OFFICER, until=day(2028, 3, 1))
    assert summary(deadlines(agreement, date(2027, 6, 1), date(2028, 6, 1))) == [
        (DeadlineKind.RENEWAL_ENDS, "2028-03-01", None)
    ]
    agreement.terminate(effective=day(2027, 12, 1), actor=OFFICER)
    assert summary(deadlines(agreement, date(2027, 6, 1), date(2028, 6, 1))) == [
        (DeadlineKind.TERMINATION, "2027-12-01", None)
    ]


def test_an_expiry_recorded_ahead_is_upcoming() -> None:
    agreement = in_force(draft())
    agreement.expire(effective=day(2031, 3, 1), actor=OFFICER)
    assert summary(deadlines(agreement, date(2030, 6, 1), date(2031, 6, 1))) == [
        (DeadlineKind.EXPIRY, "2031-03-01", None)
    ]


def test_open_milestones_are_due_or_overdue_and_finished_ones_are_not() -> None:
    agreement = in_force(draft())
    for milestone, due in (("M1", day(2026, 5, 31)), ("M2", day(2026, 9, 30)), ("M3", None)):
        agreement.record_milestone(
            effective=day(2026, 4, 1), actor=OFFICER, milestone=milestone, title=milestone, due=due
        )
    agreement.record_milestone(
        effective=day(2026, 4, 1), actor=OFFICER, milestone="M4", title="M4", due=day(2026, 8, 1)
    )
    agreement.change_milestone_status(
        effective=day(2026, 5, 1), actor=OFFICER, milestone="M4", status=MilestoneStatus.CANCELLED
    )
    found = deadlines(agreement, date(2026, 6, 15), date(2026, 12, 31))
    assert summary(found) == [
        (DeadlineKind.MILESTONE_OVERDUE, "2026-05-31", None),
        (DeadlineKind.MILESTONE_DUE, "2026-09-30", None),
    ]
    assert [d.detail for d in found] == ["M1 (planned)", "M2 (planned)"]
    assert found[0].days_from(date(2026, 6, 15)) == -15


def test_deadlines_need_a_date_to_count_from() -> None:
    events = in_force(draft()).collect_events()
    with pytest.raises(ValueError, match="needs an as_of"):
        upcoming(state_as_of(events), state_as_of(events), date(2030, 1, 1))
