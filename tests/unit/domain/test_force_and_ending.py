from __future__ import annotations

import pytest

from registry.domain.errors import (
    AfterExpiry,
    AfterTermination,
    AlreadyExpired,
    AlreadyInForce,
    AlreadyProvisionallyApplied,
    AlreadySuspended,
    AlreadyTerminated,
    DateOutOfOrder,
    EntryIntoForceWithoutConsent,
    ExpiryWithinRenewedTerm,
    LaterActsRecorded,
    NonBindingTakesNoEntryIntoForce,
    NonBindingTakesNoProvisionalApplication,
    NotInForce,
    NotSuspended,
    PartyWithdrawn,
    WithdrawalAlreadyNotified,
    WithdrawalNoticeTooShort,
)
from registry.domain.history import state_as_of
from registry.domain.values import AgreementStatus, ConsentKind, PartyStatus
from tests.unit.domain.builders import (
    OFFICER,
    consent,
    day,
    draft,
    draft_mou,
    draft_multilateral,
    in_force,
    party_row,
    sign,
)


def test_a_bilateral_agreement_enters_into_force_once_both_parties_consented() -> None:
    agreement = in_force(draft(), on=day(2026, 3, 1))
    state = agreement.state
    assert state.status is AgreementStatus.IN_FORCE
    assert state.entered_into_force == day(2026, 3, 1)
    assert [row.in_force for row in state.parties] == [day(2026, 3, 1)] * 2
    assert {row.status for row in state.parties} == {PartyStatus.IN_FORCE}


def test_entry_into_force_without_every_consent_is_refused_for_a_bilateral_agreement() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    with pytest.raises(EntryIntoForceWithoutConsent) as refused:
        agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    assert "Kazakhstan" in refused.value.message


def test_entry_into_force_before_a_consent_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    consent(agreement, "KAZ", day(2026, 3, 10), ConsentKind.NOTIFICATION)
    with pytest.raises(DateOutOfOrder) as refused:
        agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    assert "Kazakhstan" in refused.value.message


def test_a_multilateral_agreement_needs_at_least_one_consent_to_enter_into_force() -> None:
    agreement = draft_multilateral()
    with pytest.raises(EntryIntoForceWithoutConsent):
        agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    consent(agreement, "UZB", day(2026, 2, 15), ConsentKind.NOTIFICATION)
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    state = agreement.state
    assert state.status is AgreementStatus.IN_FORCE
    assert [row.in_force for row in state.parties] == [None, None, day(2026, 3, 1)]


def test_a_party_bound_after_entry_into_force_is_in_force_from_its_consent() -> None:
    agreement = draft_multilateral()
    consent(agreement, "UZB", day(2026, 2, 15), ConsentKind.NOTIFICATION)
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    consent(agreement, "KAZ", day(2026, 5, 1), ConsentKind.NOTIFICATION)
    assert party_row(agreement.state, "KAZ").in_force == day(2026, 5, 1)


def test_entry_into_force_for_one_party() -> None:
    agreement = draft_multilateral()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    agreement.enter_into_force(effective=day(2026, 3, 15), actor=OFFICER, party="PAK")
    state = agreement.state
    assert state.status is AgreementStatus.IN_FORCE
    assert state.entered_into_force is None
    assert party_row(state, "PAK").in_force == day(2026, 3, 15)
    with pytest.raises(AlreadyInForce) as refused:
        agreement.enter_into_force(effective=day(2026, 4, 1), actor=OFFICER, party="PAK")
    assert "Pakistan" in refused.value.message


def test_entry_into_force_for_a_party_without_consent_is_refused() -> None:
    with pytest.raises(EntryIntoForceWithoutConsent) as refused:
        draft_multilateral().enter_into_force(effective=day(2026, 3, 1), actor=OFFICER, party="UZB")
    assert "Uzbekistan" in refused.value.message


def test_a_second_entry_into_force_is_refused() -> None:
    agreement = in_force(draft())
    with pytest.raises(AlreadyInForce):
        agreement.enter_into_force(effective=day(2026, 4, 1), actor=OFFICER)


def test_a_non_binding_instrument_does_not_enter_into_force() -> None:
    mou = draft_mou()
    with pytest.raises(NonBindingTakesNoEntryIntoForce):
        mou.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    with pytest.raises(NonBindingTakesNoProvisionalApplication):
        mou.apply_provisionally(effective=day(2026, 3, 1), actor=OFFICER)


def test_provisional_application_pending_entry_into_force() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    sign(agreement, "KAZ", day(2026, 2, 3))
    agreement.apply_provisionally(effective=day(2026, 2, 3), actor=OFFICER)
    state = agreement.state
    assert state.status is AgreementStatus.PROVISIONALLY_APPLIED
    assert state.provisionally_applied == day(2026, 2, 3)
    assert {row.status for row in state.parties} == {PartyStatus.PROVISIONALLY_APPLYING}
    with pytest.raises(AlreadyProvisionallyApplied):
        agreement.apply_provisionally(effective=day(2026, 2, 4), actor=OFFICER, party="PAK")


def test_provisional_application_after_entry_into_force_is_refused() -> None:
    agreement = in_force(draft(), on=day(2026, 3, 1))
    with pytest.raises(AlreadyInForce):
        agreement.apply_provisionally(effective=day(2026, 3, 5), actor=OFFICER)


def test_suspension_and_resumption() -> None:
    agreement = in_force(draft())
    agreement.suspend(effective=day(2026, 6, 1), actor=OFFICER)
    assert agreement.state.status is AgreementStatus.SUSPENDED
    assert agreement.state.suspended == day(2026, 6, 1)
    with pytest.raises(AlreadySuspended):
        agreement.suspend(effective=day(2026, 6, 2), actor=OFFICER)
    agreement.resume(effective=day(2026, 7, 1), actor=OFFICER)
    assert agreement.state.status is AgreementStatus.IN_FORCE
    assert state_as_of(agreement.history, as_of=day(2026, 6, 15).start).status is (
        AgreementStatus.SUSPENDED
    )


def test_suspension_of_an_agreement_not_in_force_is_refused() -> None:
    with pytest.raises(NotInForce) as refused:
        draft().suspend(effective=day(2026, 6, 1), actor=OFFICER)
    assert refused.value.code == "not_in_force"


def test_suspension_before_entry_into_force_is_refused() -> None:
    agreement = in_force(draft(), on=day(2026, 3, 1))
    with pytest.raises(NotInForce):
        agreement.suspend(effective=day(2026, 2, 25), actor=OFFICER)


def test_suspension_for_a_party_it_is_not_in_force_for_is_refused() -> None:
    agreement = draft_multilateral()
    consent(agreement, "UZB", day(2026, 2, 15), ConsentKind.NOTIFICATION)
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    with pytest.raises(NotInForce) as refused:
        agreement.suspend(effective=day(2026, 6, 1), actor=OFFICER, party="PAK")
    assert "Pakistan" in refused.value.message
    agreement.suspend(effective=day(2026, 6, 1), actor=OFFICER, party="UZB")
    assert party_row(agreement.state, "UZB").status is PartyStatus.SUSPENDED
    assert agreement.state.status is AgreementStatus.SUSPENDED  # its only party in force


def test_resuming_what_is_not_suspended_is_refused() -> None:
    with pytest.raises(NotSuspended):
        in_force(draft()).resume(effective=day(2026, 7, 1), actor=OFFICER)


def test_a_resumption_dated_before_its_suspension_is_refused() -> None:
    agreement = in_force(draft())
    agreement.suspend(effective=day(2026, 6, 1), actor=OFFICER)
    with pytest.raises(DateOutOfOrder):
        agreement.resume(effective=day(2026, 5, 1), actor=OFFICER)


def test_a_withdrawal_takes_effect_after_the_notice_period() -> None:
    agreement = draft_multilateral(withdrawal_notice_months=6)
    for code in ("PAK", "KAZ"):
        sign(agreement, code, day(2026, 2, 3))
        consent(agreement, code, day(2026, 2, 15))
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    agreement.notify_withdrawal(effective=day(2026, 4, 30), actor=OFFICER, party="KAZ")
    row = agreement.state.party("KAZ")
    assert row is not None
    assert (row.withdrawal_notified, row.withdrawal_takes_effect) == (
        day(2026, 4, 30),
        day(2026, 10, 30),
    )
    before = state_as_of(agreement.history, as_of=day(2026, 10, 29).start).party("KAZ")
    after = state_as_of(agreement.history, as_of=day(2026, 10, 30).start).party("KAZ")
    assert before is not None and after is not None
    assert (before.withdrawn, after.withdrawn) == (False, True)
    assert after.status is PartyStatus.WITHDRAWN
    assert state_as_of(agreement.history, as_of=day(2026, 11, 1).start).status is (
        AgreementStatus.IN_FORCE
    )
    with pytest.raises(PartyWithdrawn) as refused:
        agreement.make_declaration(
            effective=day(2026, 11, 1), actor=OFFICER, party="KAZ", text="too late"
        )
    assert "Kazakhstan" in refused.value.message


def test_a_withdrawal_with_too_short_notice_is_refused() -> None:
    agreement = in_force(draft(withdrawal_notice_months=12))
    with pytest.raises(WithdrawalNoticeTooShort) as refused:
        agreement.notify_withdrawal(
            effective=day(2026, 4, 1), actor=OFFICER, party="PAK", takes_effect=day(2027, 3, 31)
        )
    assert refused.value.field == "takes_effect"
    assert "Pakistan" in refused.value.message


def test_a_second_withdrawal_notice_is_refused() -> None:
    agreement = in_force(draft())
    agreement.notify_withdrawal(effective=day(2026, 4, 1), actor=OFFICER, party="PAK")
    with pytest.raises(WithdrawalAlreadyNotified):
        agreement.notify_withdrawal(effective=day(2026, 4, 2), actor=OFFICER, party="PAK")


def test_withdrawal_from_an_agreement_not_in_force_is_refused() -> None:
    with pytest.raises(NotInForce):
        draft().notify_withdrawal(effective=day(2026, 4, 1), actor=OFFICER, party="PAK")


def test_a_bilateral_agreement_ends_when_a_withdrawal_takes_effect() -> None:
    agreement = in_force(draft(withdrawal_notice_months=12))
    agreement.notify_withdrawal(effective=day(2026, 4, 1), actor=OFFICER, party="PAK")
    assert state_as_of(agreement.history, as_of=day(2027, 3, 31).start).status is (
        AgreementStatus.IN_FORCE
    )
    assert state_as_of(agreement.history, as_of=day(2027, 4, 1).start).status is (
        AgreementStatus.TERMINATED
    )
    with pytest.raises(AfterTermination) as refused:
        agreement.suspend(effective=day(2027, 5, 1), actor=OFFICER)
    assert "Pakistan" in refused.value.message


def test_a_withdrawal_cannot_take_effect_before_acts_already_recorded() -> None:
    agreement = in_force(draft(withdrawal_notice_months=0))
    agreement.record_milestone(
        effective=day(2026, 9, 1), actor=OFFICER, milestone="m1", title="Border post opened"
    )
    with pytest.raises(LaterActsRecorded):
        agreement.notify_withdrawal(
            effective=day(2026, 4, 1), actor=OFFICER, party="PAK", takes_effect=day(2026, 5, 1)
        )


def test_nothing_takes_effect_after_termination() -> None:
    agreement = in_force(draft())
    agreement.terminate(effective=day(2026, 10, 31), actor=OFFICER)
    assert agreement.state.status is AgreementStatus.TERMINATED
    assert agreement.state.terminated == day(2026, 10, 31)
    with pytest.raises(AfterTermination) as refused:
        agreement.record_milestone(
            effective=day(2026, 11, 5), actor=OFFICER, milestone="m1", title="Late"
        )
    assert refused.value.code == "after_termination"
    # documents may still be attached, and acts dated before the end recorded
    agreement.attach_document(
        effective=day(2026, 11, 5),
        actor=OFFICER,
        sha256="a" * 64,
        filename="note.pdf",
        media_type="application/pdf",
        size=1024,
        title="Note verbale on termination",
    )
    agreement.record_milestone(
        effective=day(2026, 10), actor=OFFICER, milestone="m0", title="Final review"
    )


def test_a_termination_before_recorded_acts_is_refused() -> None:
    agreement = in_force(draft(), on=day(2026, 3, 1))
    with pytest.raises(LaterActsRecorded):
        agreement.terminate(effective=day(2026, 2, 25), actor=OFFICER)


def test_a_second_termination_is_refused() -> None:
    agreement = in_force(draft())
    agreement.terminate(effective=day(2026, 12, 31), actor=OFFICER)
    with pytest.raises(AlreadyTerminated):
        agreement.terminate(effective=day(2026, 12, 31), actor=OFFICER)


def test_an_expired_agreement_stays_expired_until_renewed() -> None:
    mou = draft_mou()
    sign(mou, "ISSI", day(2026, 2, 3))
    sign(mou, "KZ-FPRI", day(2026, 2, 3))
    mou.expire(effective=day(2026, 6, 3), actor=OFFICER)
    assert mou.state.status is AgreementStatus.EXPIRED
    with pytest.raises(AfterExpiry):
        mou.make_declaration(effective=day(2026, 7, 1), actor=OFFICER, party="ISSI", text="x")
    with pytest.raises(AlreadyExpired):
        mou.expire(effective=day(2026, 6, 3), actor=OFFICER)
    mou.renew(effective=day(2026, 8, 1), actor=OFFICER, until=day(2036, 4, 1))
    state = mou.state
    assert state.status is AgreementStatus.IN_EFFECT
    assert state.renewed_until == day(2036, 4, 1)
    assert state_as_of(mou.history, as_of=day(2026, 7, 1).start).status is (AgreementStatus.EXPIRED)


def test_a_renewal_before_expiry_extends_the_term() -> None:
    mou = draft_mou()
    sign(mou, "ISSI", day(2026, 2, 3))
    sign(mou, "KZ-FPRI", day(2026, 2, 3))
    mou.renew(effective=day(2030, 12, 1), actor=OFFICER, until=day(2036, 2, 3))
    with pytest.raises(ExpiryWithinRenewedTerm):
        mou.expire(effective=day(2031, 2, 3), actor=OFFICER)


def test_a_renewal_cannot_end_before_it_starts() -> None:
    with pytest.raises(DateOutOfOrder) as refused:
        draft_mou().renew(effective=day(2030, 12, 1), actor=OFFICER, until=day(2030, 1, 1))
    assert refused.value.field == "until"
