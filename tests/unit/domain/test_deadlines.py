"""Upcoming deadlines as of a date: the dates the event types declare ahead (withdrawals,
territorial declarations, ends, renewals, milestones...), read from the declarations."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from registry.domain.agreement import Agreement
from registry.domain.catalogue import DECLARATIONS
from registry.domain.deadlines import DERIVED, Deadline, DeadlineKind, deadlines_of, upcoming
from registry.domain.declaration import (
    IncompleteDeclaration,
    Scheduled,
    check_complete,
)
from registry.domain.events import TerritorialApplicationDeclared
from registry.domain.history import state_as_of
from registry.domain.rules.timing import ActDatedInFuture
from registry.domain.values import MilestoneStatus, TerritorialScope
from tests.unit.domain.builders import OFFICER, day, draft, draft_multilateral, in_force


def deadlines(agreement: Agreement, on: date, until: date) -> list[Deadline]:
    return deadlines_of(agreement.history, on, until)


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


# -- the declared kinds ----------------------------------------------------------------------


def test_a_territorial_declaration_taking_effect_later_is_a_deadline() -> None:
    agreement = in_force(draft())
    agreement.declare_territorial_application(
        effective=day(2026, 6, 1),
        actor=OFFICER,
        party="KAZ",
        scope=TerritorialScope.EXTENDS,
        territories=("Khorgos International Centre for Boundary Cooperation",),
        takes_effect=day(2027, 1, 1),
    )
    found = deadlines(agreement, date(2026, 7, 1), date(2027, 12, 31))
    assert summary(found) == [(DeadlineKind.TERRITORIAL_APPLICATION, "2027-01-01", "KAZ")]
    assert found[0].detail == "declared 2026-06-01"
    assert deadlines(agreement, date(2027, 1, 1), date(2027, 12, 31)) == []  # it took effect


def test_a_territorial_declaration_taking_effect_at_once_is_no_deadline() -> None:
    agreement = in_force(draft())
    agreement.declare_territorial_application(
        effective=day(2026, 6, 1),
        actor=OFFICER,
        party="KAZ",
        scope=TerritorialScope.EXCLUDES,
        territories=("Baikonur",),
    )
    assert deadlines(agreement, date(2026, 5, 1), date(2027, 12, 31)) == []
    assert deadlines(agreement, date(2026, 6, 2), date(2027, 12, 31)) == []


def test_a_suspension_and_a_resumption_fixed_ahead_are_deadlines() -> None:
    agreement = in_force(draft_multilateral())
    agreement.suspend(effective=day(2027, 1, 1), actor=OFFICER, party="KAZ")
    agreement.resume(effective=day(2027, 4, 1), actor=OFFICER, party="KAZ")
    assert summary(deadlines(agreement, date(2026, 7, 1), date(2027, 12, 31))) == [
        (DeadlineKind.SUSPENSION, "2027-01-01", "KAZ"),
        (DeadlineKind.RESUMPTION, "2027-04-01", "KAZ"),
    ]


def test_a_declared_date_after_the_agreement_ends_is_no_deadline() -> None:
    agreement = in_force(draft())
    agreement.suspend(effective=day(2027, 6, 1), actor=OFFICER)
    agreement.terminate(effective=day(2027, 6, 1), actor=OFFICER)
    assert summary(deadlines(agreement, date(2026, 7, 1), date(2027, 12, 31))) == [
        (DeadlineKind.TERMINATION, "2027-06-01", None)
    ]


def test_the_declarations_say_which_acts_lie_ahead_by_nature() -> None:
    ahead = {d.name for d in DECLARATIONS if d.takes_effect_ahead}
    assert ahead == {
        "ProvisionallyApplied",
        "EnteredIntoForce",
        "Suspended",
        "Resumed",
        "Terminated",
        "Expired",
        "Renewed",
    }
    fields = {
        (d.name, s.field) for d in DECLARATIONS for s in d.scheduled if s.field != "effective"
    }
    assert fields == {
        ("TerritorialApplicationDeclared", "takes_effect"),
        ("WithdrawalNotified", "takes_effect"),
        ("MilestoneRecorded", "due"),
        ("Renewed", "until"),
    }
    declared = {s.deadline for d in DECLARATIONS for s in d.scheduled}
    assert declared | {DeadlineKind.MILESTONE_OVERDUE} == set(DeadlineKind)
    assert set(DeadlineKind) >= DERIVED


def test_a_territorial_declaration_is_not_dated_ahead_though_its_effect_may_be() -> None:
    agreement = in_force(draft())
    with pytest.raises(ActDatedInFuture) as refused:
        agreement.declare_territorial_application(
            effective=day(2199, 1, 1),
            actor=OFFICER,
            party="KAZ",
            scope=TerritorialScope.EXTENDS,
            territories=("Khorgos",),
        )
    assert refused.value.code == "act_dated_in_future"


def test_a_scheduled_date_that_is_not_a_date_field_is_an_incomplete_declaration() -> None:
    (territorial,) = [d for d in DECLARATIONS if d.event is TerritorialApplicationDeclared]
    broken = dataclasses.replace(
        territorial, scheduled=(Scheduled("territories", DeadlineKind.TERRITORIAL_APPLICATION),)
    )
    with pytest.raises(IncompleteDeclaration, match="'territories' is not one of its date"):
        check_complete(broken, lambda _command: True)
