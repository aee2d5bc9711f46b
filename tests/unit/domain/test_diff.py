"""The diff between two views of an agreement: two dates, two instants, or both."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.diff import Change, ChangeKind, diff, lateness
from registry.domain.errors import NotYetRecorded
from registry.domain.events import AgreementEvent
from registry.domain.history import state_as_of
from registry.domain.values import CorrectionAction, MilestoneStatus
from tests.unit.domain.builders import (
    OFFICER,
    consent,
    day,
    draft,
    draft_multilateral,
    in_force,
    instant,
    recorded,
    sign,
)
from tests.unit.domain.strategies import as_of_dates, histories


def between(
    events: list[AgreementEvent],
    before: tuple[date | None, datetime | None],
    after: tuple[date | None, datetime | None],
) -> list[Change]:
    try:
        old = state_as_of(events, *before)
    except NotYetRecorded:
        old = None
    return diff(old, state_as_of(events, *after), events)


def kinds(changes: list[Change]) -> list[tuple[ChangeKind, str | None, str]]:
    return [(c.kind, c.party, str(c.effective)) for c in changes]


def ratified_15_feb_recorded_3_mar() -> list[AgreementEvent]:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    return recorded(agreement.collect_events(), instant(1, 10), instant(2, 3), instant(3, 3))


def signature_corrected_on_10_march() -> list[AgreementEvent]:
    """Signed on 4 Feb, recorded as 3 Feb; corrected on 10 Mar."""
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    agreement.correct(
        effective=day(2026, 3, 10),
        actor=OFFICER,
        corrects=2,
        new_effective=day(2026, 2, 4),
        reason="The signature was on 4 February",
    )
    return recorded(agreement.collect_events(), instant(1, 10), instant(2, 4), instant(3, 10))


def test_between_two_dates_the_acts_that_took_effect_are_listed() -> None:
    changes = between(
        ratified_15_feb_recorded_3_mar(), (date(2026, 2, 1), None), (date(2026, 2, 20), None)
    )
    assert kinds(changes) == [
        (ChangeKind.SIGNED, "PAK", "2026-02-03"),
        (ChangeKind.CONSENT, "PAK", "2026-02-15"),
    ]
    signed, ratified = changes
    assert signed.detail == "simple, by Foreign Minister of PAK"
    assert (signed.version, signed.recorded, signed.late_days) == (2, instant(2, 3), None)
    assert ratified.detail == "ratification"
    assert (ratified.version, ratified.recorded, ratified.late_days) == (3, instant(3, 3), 16)


def test_between_two_instants_a_backdated_ratification_shows_how_late_it_was_recorded() -> None:
    events = ratified_15_feb_recorded_3_mar()
    report_of_1_march = (date(2026, 2, 20), instant(3, 1))
    changes = between(events, report_of_1_march, (date(2026, 2, 20), instant(3, 5)))
    assert kinds(changes) == [(ChangeKind.CONSENT, "PAK", "2026-02-15")]
    assert changes[0].recorded == instant(3, 3)
    assert changes[0].late_days == 16
    assert changes[0].to_dict()["recorded"] == "2026-03-03T09:00:00.000000Z"


def test_the_same_view_twice_has_no_changes() -> None:
    events = ratified_15_feb_recorded_3_mar()
    assert between(events, (date(2026, 2, 20), None), (date(2026, 2, 20), None)) == []


def test_a_correction_re_dates_the_signature_and_is_listed_with_its_reason() -> None:
    events = signature_corrected_on_10_march()
    changes = between(
        events, (date(2026, 2, 20), instant(3, 1)), (date(2026, 2, 20), instant(3, 15))
    )
    assert kinds(changes) == [
        (ChangeKind.SIGNED, "PAK", "2026-02-04"),
        (ChangeKind.CORRECTED, "PAK", "2026-03-10"),
    ]
    signed, corrected = changes
    assert signed.previous == day(2026, 2, 3)
    assert signed.version == 3  # learned from the correction, recorded on 10 March
    assert (signed.recorded, signed.late_days) == (instant(3, 10), 34)
    assert corrected.detail == (
        "corrected event 2 (Signed), now effective 2026-02-04; "
        "reason: The signature was on 4 February"
    )


def test_known_before_the_correction_the_wrong_date_stands() -> None:
    events = signature_corrected_on_10_march()
    changes = between(events, (date(2026, 2, 1), instant(3, 1)), (date(2026, 2, 20), instant(3, 1)))
    assert kinds(changes) == [(ChangeKind.SIGNED, "PAK", "2026-02-03")]


def test_between_two_dates_a_correction_made_between_them_is_listed() -> None:
    events = signature_corrected_on_10_march()
    changes = between(events, (date(2026, 3, 1), None), (date(2026, 3, 31), None))
    assert kinds(changes) == [(ChangeKind.CORRECTED, "PAK", "2026-03-10")]


def test_a_retraction_removes_the_fact() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    agreement.correct(
        effective=day(2026, 3, 10),
        actor=OFFICER,
        corrects=2,
        action=CorrectionAction.RETRACT,
        reason="Recorded on the wrong agreement",
    )
    events = recorded(agreement.collect_events(), instant(1, 10), instant(2, 4), instant(3, 10))
    changes = between(events, (None, instant(3, 1)), (None, instant(3, 15)))
    assert kinds(changes) == [
        (ChangeKind.SIGNED, "PAK", "2026-02-03"),
        (ChangeKind.CORRECTED, "PAK", "2026-03-10"),
    ]
    assert changes[0].removed
    assert changes[0].version == 3
    assert changes[1].detail.startswith("retracted event 2 (Signed)")


def test_an_agreement_not_yet_recorded_at_the_first_instant_is_new_in_every_fact() -> None:
    events = ratified_15_feb_recorded_3_mar()
    changes = between(events, (None, instant(1, 1)), (None, instant(2, 5)))
    assert kinds(changes) == [
        (ChangeKind.DRAFTED, None, "2026-01-10"),
        (ChangeKind.SIGNED, "PAK", "2026-02-03"),
    ]


def test_entry_into_force_for_all_is_not_repeated_for_each_party() -> None:
    agreement = in_force(draft())
    events = agreement.collect_events()
    changes = between(events, (date(2026, 2, 25), None), (date(2026, 3, 2), None))
    assert kinds(changes) == [(ChangeKind.ENTERED_INTO_FORCE, None, "2026-03-01")]
    assert changes[0].version == 6


def test_a_party_that_consents_after_entry_into_force_enters_into_force_on_its_consent() -> None:
    agreement = draft_multilateral()
    for code in ("PAK", "KAZ", "UZB"):
        sign(agreement, code, day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 10))
    consent(agreement, "KAZ", day(2026, 2, 11))
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    consent(agreement, "UZB", day(2026, 4, 2))
    events = agreement.collect_events()
    changes = between(events, (date(2026, 3, 15), None), (date(2026, 4, 30), None))
    assert kinds(changes) == [
        (ChangeKind.CONSENT, "UZB", "2026-04-02"),
        (ChangeKind.ENTERED_INTO_FORCE, "UZB", "2026-04-02"),
    ]
    assert changes[1].version == changes[0].version


def test_a_withdrawal_is_notified_then_takes_effect() -> None:
    agreement = in_force(draft())
    agreement.notify_withdrawal(effective=day(2026, 6, 1), actor=OFFICER, party="KAZ")
    events = agreement.collect_events()
    notified = between(events, (date(2026, 5, 1), None), (date(2026, 7, 1), None))
    assert kinds(notified) == [(ChangeKind.WITHDRAWAL_NOTIFIED, "KAZ", "2026-06-01")]
    assert notified[0].detail == "takes effect 2027-06-01"  # twelve months' notice
    took_effect = between(events, (date(2026, 7, 1), None), (date(2027, 6, 30), None))
    assert kinds(took_effect) == [(ChangeKind.WITHDRAWAL_TOOK_EFFECT, "KAZ", "2027-06-01")]
    assert took_effect[0].version == notified[0].version


def test_a_suspension_and_its_end() -> None:
    agreement = in_force(draft())
    agreement.suspend(effective=day(2026, 5, 1), actor=OFFICER)
    agreement.resume(effective=day(2026, 6, 1), actor=OFFICER)
    events = agreement.collect_events()
    suspended = between(events, (date(2026, 4, 1), None), (date(2026, 5, 15), None))
    assert kinds(suspended) == [(ChangeKind.SUSPENDED, None, "2026-05-01")]
    resumed = between(events, (date(2026, 5, 15), None), (date(2026, 6, 15), None))
    assert kinds(resumed) == [(ChangeKind.RESUMED, None, "2026-06-01")]
    assert between(events, (date(2026, 4, 1), None), (date(2026, 6, 15), None)) == [
        *suspended,
        *resumed,
    ]


def test_termination_expiry_and_renewal() -> None:
    agreement = in_force(draft())
    agreement.expire(effective=day(2027, 3, 1), actor=OFFICER)
    agreement.renew(effective=day(2027, 3, 2), actor=OFFICER, until=day(2032, 3, 1))
    agreement.terminate(effective=day(2030, 1, 1), actor=OFFICER)
    events = agreement.collect_events()
    expired = between(events, (date(2027, 1, 1), None), (date(2027, 3, 1), None))
    assert kinds(expired) == [(ChangeKind.EXPIRED, None, "2027-03-01")]
    renewed = between(events, (date(2027, 3, 1), None), (date(2027, 4, 1), None))
    assert kinds(renewed) == [(ChangeKind.RENEWED, None, "2027-03-02")]
    assert renewed[0].detail == "until 2032-03-01"
    ended = between(events, (date(2029, 1, 1), None), (date(2030, 1, 1), None))
    assert kinds(ended) == [(ChangeKind.TERMINATED, None, "2030-01-01")]


def test_a_milestone_and_its_status_changes() -> None:
    agreement = in_force(draft())
    agreement.record_milestone(
        effective=day(2026, 4, 1),
        actor=OFFICER,
        milestone="M1",
        title="Joint working group",
        due=day(2026, 9, 30),
    )
    agreement.change_milestone_status(
        effective=day(2026, 5, 1), actor=OFFICER, milestone="M1", status=MilestoneStatus.IN_PROGRESS
    )
    agreement.change_milestone_status(
        effective=day(2026, 9, 1), actor=OFFICER, milestone="M1", status=MilestoneStatus.ACHIEVED
    )
    events = agreement.collect_events()
    changes = between(events, (date(2026, 3, 15), None), (date(2026, 5, 15), None))
    assert [(c.kind, str(c.effective), c.detail) for c in changes] == [
        (ChangeKind.MILESTONE, "2026-04-01", "Joint working group: planned, due 2026-09-30"),
        (ChangeKind.MILESTONE, "2026-05-01", "Joint working group: planned → in progress"),
    ]
    later = between(events, (date(2026, 5, 15), None), (date(2026, 10, 1), None))
    assert [(str(c.effective), c.detail) for c in later] == [
        ("2026-09-01", "Joint working group: in progress → achieved")
    ]


def test_lateness_counts_from_the_last_day_of_a_vague_date() -> None:
    recorded_on = datetime(2026, 3, 3, 9, tzinfo=UTC)
    assert lateness(day(2026, 2, 15), recorded_on) == 16
    assert lateness(day(2026, 2), recorded_on) == 3
    assert lateness(day(2026), recorded_on) is None
    assert lateness(day(2026, 3, 3), recorded_on) is None
    assert lateness(day(2026, 2, 15), None) is None


def test_between_two_dates_and_two_instants_at_once() -> None:
    events = ratified_15_feb_recorded_3_mar()
    changes = between(events, (date(2026, 2, 1), instant(2, 1)), (date(2026, 2, 20), instant(3, 5)))
    assert kinds(changes) == [
        (ChangeKind.SIGNED, "PAK", "2026-02-03"),
        (ChangeKind.CONSENT, "PAK", "2026-02-15"),
    ]


# -- properties over random accepted histories -------------------------------------------------

replays = settings(
    max_examples=int(os.environ.get("DOMAIN_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def known_at(events: list[AgreementEvent], position: int) -> datetime:
    return events[min(position, len(events) - 1)].timestamp


@replays
@given(histories(), as_of_dates(), st.data())
def test_a_view_compared_with_itself_has_no_changes(
    events: list[AgreementEvent], as_of: date | None, data: st.DataObject
) -> None:
    moment = known_at(events, data.draw(st.integers(0, len(events))))
    view = state_as_of(events, as_of, moment)
    assert diff(view, view, events) == []


@replays
@given(histories(), st.data())
def test_moving_only_the_date_forward_removes_nothing_and_every_act_is_dated_in_between(
    events: list[AgreementEvent], data: st.DataObject
) -> None:
    first, second = sorted(
        data.draw(st.dates(min_value=date(2025, 11, 1), max_value=date(2029, 3, 1)))
        for _ in range(2)
    )
    before, after = state_as_of(events, first), state_as_of(events, second)
    for change in diff(before, after, events):
        assert not change.removed
        if change.kind is not ChangeKind.CORRECTED:
            assert first < change.effective.start <= second, change
        assert change.version is not None, change


@replays
@given(histories(), as_of_dates(), st.data())
def test_between_two_instants_every_change_was_learned_in_between(
    events: list[AgreementEvent], as_of: date | None, data: st.DataObject
) -> None:
    first, second = sorted(data.draw(st.integers(0, len(events))) for _ in range(2))
    try:
        before = state_as_of(events, as_of, known_at(events, first))
    except NotYetRecorded:
        before = None
    earlier = known_at(events, first)
    later = known_at(events, second)
    for change in diff(before, state_as_of(events, as_of, later), events):
        assert change.recorded is not None, change
        assert earlier < change.recorded <= later, change
