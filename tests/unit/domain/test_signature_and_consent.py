from __future__ import annotations

import pytest

from registry.domain.errors import (
    AccedingPartyMismatch,
    AccessionToBilateral,
    AgreementNotDrafted,
    AlreadyBoundBySignature,
    ConsentWithoutSignature,
    DateOutOfOrder,
    DuplicateConsent,
    DuplicateSignature,
    JoiningNeedsAccession,
    NonBindingTakesNoConsent,
    NonBindingTakesNoReservations,
    PartyAlreadyListed,
    PartyTypeCannotBind,
    ReservationWithoutSignature,
    UnknownParty,
)
from registry.domain.values import (
    AgreementStatus,
    ConsentKind,
    Party,
    PartyStatus,
    PartyType,
    SignatureType,
)
from tests.unit.domain.builders import (
    AFGHANISTAN,
    ISSI,
    OFFICER,
    consent,
    day,
    draft,
    draft_mou,
    draft_multilateral,
    party_row,
    sign,
)


def test_a_signature_is_shown_with_its_signatory_and_date() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    row = agreement.state.party("PAK")
    assert row is not None
    assert row.signature_type is SignatureType.SIMPLE
    assert row.signed == day(2026, 2, 3)
    assert row.signatures[0].signatory == "Foreign Minister of PAK"
    assert row.status is PartyStatus.SIGNED
    assert agreement.state.status is AgreementStatus.SIGNED


def test_ratification_without_signature_is_refused() -> None:
    agreement = draft()
    with pytest.raises(ConsentWithoutSignature) as refused:
        consent(agreement, "PAK", day(2026, 2, 15))
    assert refused.value.code == "consent_without_signature"
    assert "Pakistan cannot ratify before it has signed" in refused.value.message
    assert "accession" in refused.value.message


@pytest.mark.parametrize("instrument", [ConsentKind.ACCEPTANCE, ConsentKind.APPROVAL])
def test_acceptance_or_approval_without_signature_is_refused(instrument: ConsentKind) -> None:
    with pytest.raises(ConsentWithoutSignature):
        consent(draft(), "KAZ", day(2026, 2, 15), instrument)


def test_ratification_dated_before_the_signature_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    with pytest.raises(DateOutOfOrder) as refused:
        consent(agreement, "PAK", day(2026, 2, 1))
    assert "Pakistan" in refused.value.message


def test_a_signature_ad_referendum_does_not_suffice_for_ratification() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3), SignatureType.AD_REFERENDUM)
    with pytest.raises(ConsentWithoutSignature) as refused:
        consent(agreement, "PAK", day(2026, 2, 15))
    assert "ad referendum" in refused.value.message


def test_a_confirmed_signature_ad_referendum_allows_ratification() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3), SignatureType.AD_REFERENDUM)
    sign(agreement, "PAK", day(2026, 2, 10))
    consent(agreement, "PAK", day(2026, 2, 15))
    row = agreement.state.party("PAK")
    assert row is not None
    assert row.signature_type is SignatureType.SIMPLE
    assert [s.signature_type for s in row.signatures] == [
        SignatureType.AD_REFERENDUM,
        SignatureType.SIMPLE,
    ]
    assert row.status is PartyStatus.BOUND


def test_a_confirmation_dated_before_the_signature_ad_referendum_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3), SignatureType.AD_REFERENDUM)
    with pytest.raises(DateOutOfOrder):
        sign(agreement, "PAK", day(2026, 2, 1))


def test_a_second_signature_by_the_same_party_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    with pytest.raises(DuplicateSignature) as refused:
        sign(agreement, "PAK", day(2026, 2, 4))
    assert "Pakistan" in refused.value.message


def test_a_second_consent_by_the_same_party_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    with pytest.raises(DuplicateConsent) as refused:
        consent(agreement, "PAK", day(2026, 2, 16), ConsentKind.NOTIFICATION)
    assert "Pakistan" in refused.value.message


def test_a_party_that_signed_definitively_needs_no_further_consent() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3), SignatureType.DEFINITIVE)
    assert party_row(agreement.state, "PAK").status is PartyStatus.BOUND
    with pytest.raises(AlreadyBoundBySignature) as refused:
        consent(agreement, "PAK", day(2026, 2, 15))
    assert "Pakistan" in refused.value.message


def test_notification_of_internal_procedures_needs_no_signature() -> None:
    agreement = draft()
    consent(agreement, "KAZ", day(2026, 2, 15), ConsentKind.NOTIFICATION)
    row = agreement.state.party("KAZ")
    assert row is not None
    assert (row.consent, row.consented) == (ConsentKind.NOTIFICATION, day(2026, 2, 15))


def test_a_signature_dated_after_the_consent_is_refused() -> None:
    agreement = draft_multilateral()
    consent(agreement, "UZB", day(2026, 2, 15), ConsentKind.SUCCESSION)
    with pytest.raises(DateOutOfOrder) as refused:
        sign(agreement, "UZB", day(2026, 3, 1))
    assert "Uzbekistan" in refused.value.message


def test_a_signature_before_the_adoption_of_the_text_is_refused() -> None:
    agreement = draft()
    agreement.adopt_text(effective=day(2026, 2, 1), actor=OFFICER)
    with pytest.raises(DateOutOfOrder) as refused:
        sign(agreement, "KAZ", day(2026, 1, 20))
    assert "Kazakhstan" in refused.value.message


def test_an_adoption_recorded_late_cannot_postdate_a_signature() -> None:
    agreement = draft()
    sign(agreement, "KAZ", day(2026, 1, 20))
    with pytest.raises(DateOutOfOrder) as refused:
        agreement.adopt_text(effective=day(2026, 2, 1), actor=OFFICER)
    assert "Kazakhstan" in refused.value.message


def test_vague_dates_never_contradict() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2))  # "February 2026"
    consent(agreement, "PAK", day(2026, 2, 10))
    sign(agreement, "KAZ", day(2026, 2, 20))
    consent(agreement, "KAZ", day(2026))  # "2026"
    agreement.enter_into_force(effective=day(2026, 2), actor=OFFICER)
    assert agreement.state.status is AgreementStatus.IN_FORCE


def test_nothing_can_be_dated_before_the_draft() -> None:
    agreement = draft(effective=day(2026, 1, 10))
    with pytest.raises(AgreementNotDrafted) as refused:
        sign(agreement, "PAK", day(2025, 12, 1))
    assert refused.value.field == "effective"


def test_a_party_not_listed_cannot_act() -> None:
    agreement = draft()
    with pytest.raises(UnknownParty) as refused:
        sign(agreement, "AFG", day(2026, 2, 3))
    assert "AFG" in refused.value.message
    assert "Pakistan" in refused.value.message


def test_a_state_joins_a_multilateral_agreement_by_accession() -> None:
    agreement = draft_multilateral()
    consent(agreement, "AFG", day(2026, 4, 1), ConsentKind.ACCESSION, acceding=AFGHANISTAN)
    row = agreement.state.party("AFG")
    assert row is not None
    assert row.joined == day(2026, 4, 1)
    assert row.status is PartyStatus.BOUND
    agreement.make_declaration(
        effective=day(2026, 4, 2), actor=OFFICER, party="AFG", text="On transit corridors"
    )


def test_an_acceding_party_cannot_act_before_it_joined() -> None:
    agreement = draft_multilateral()
    consent(agreement, "AFG", day(2026, 4, 1), ConsentKind.ACCESSION, acceding=AFGHANISTAN)
    with pytest.raises(DateOutOfOrder) as refused:
        agreement.make_declaration(
            effective=day(2026, 3, 1), actor=OFFICER, party="AFG", text="Too early"
        )
    assert "Afghanistan" in refused.value.message


def test_no_state_can_accede_to_a_bilateral_agreement() -> None:
    with pytest.raises(AccessionToBilateral):
        consent(draft(), "AFG", day(2026, 4, 1), ConsentKind.ACCESSION, acceding=AFGHANISTAN)


def test_joining_by_ratification_is_refused() -> None:
    with pytest.raises(JoiningNeedsAccession):
        consent(draft_multilateral(), "AFG", day(2026, 4, 1), acceding=AFGHANISTAN)


def test_an_acceding_party_must_be_the_acting_party() -> None:
    with pytest.raises(AccedingPartyMismatch):
        consent(draft_multilateral(), "IRN", day(2026, 4, 1), ConsentKind.ACCESSION, AFGHANISTAN)


def test_a_listed_party_cannot_accede_again() -> None:
    uzbekistan = Party("UZB", "Uzbekistan", PartyType.STATE)
    with pytest.raises(PartyAlreadyListed):
        consent(draft_multilateral(), "UZB", day(2026, 4, 1), ConsentKind.ACCESSION, uzbekistan)


def test_an_institute_cannot_accede_to_a_binding_agreement() -> None:
    with pytest.raises(PartyTypeCannotBind):
        consent(draft_multilateral(), "ISSI", day(2026, 4, 1), ConsentKind.ACCESSION, ISSI)


def test_a_non_binding_instrument_takes_no_consent() -> None:
    mou = draft_mou()
    sign(mou, "ISSI", day(2026, 2, 3))
    with pytest.raises(NonBindingTakesNoConsent) as refused:
        consent(mou, "ISSI", day(2026, 2, 10))
    assert refused.value.code == "non_binding_takes_no_consent"


def test_a_non_binding_instrument_takes_effect_once_all_parties_signed() -> None:
    mou = draft_mou()
    sign(mou, "ISSI", day(2026, 2, 3))
    assert mou.state.status is AgreementStatus.SIGNED
    sign(mou, "KZ-FPRI", day(2026, 2, 4))
    assert mou.state.status is AgreementStatus.IN_EFFECT
    assert {row.status for row in mou.state.parties} == {PartyStatus.IN_EFFECT}


def test_a_reservation_is_made_on_signing_or_consenting() -> None:
    agreement = draft()
    with pytest.raises(ReservationWithoutSignature) as refused:
        agreement.make_reservation(
            effective=day(2026, 2, 3), actor=OFFICER, party="PAK", text="Art. 7 excluded"
        )
    assert "Pakistan" in refused.value.message
    sign(agreement, "PAK", day(2026, 2, 3))
    agreement.make_reservation(
        effective=day(2026, 2, 3), actor=OFFICER, party="PAK", article="7", text="Excluded"
    )
    row = agreement.state.party("PAK")
    assert row is not None
    assert [(r.article, r.text) for r in row.reservations] == [("7", "Excluded")]


def test_a_reservation_dated_before_signature_is_refused() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    with pytest.raises(DateOutOfOrder):
        agreement.make_reservation(
            effective=day(2026, 2, 1), actor=OFFICER, party="PAK", text="Art. 7 excluded"
        )


def test_a_non_binding_instrument_takes_no_reservations_but_declarations() -> None:
    mou = draft_mou()
    sign(mou, "ISSI", day(2026, 2, 3))
    with pytest.raises(NonBindingTakesNoReservations):
        mou.make_reservation(effective=day(2026, 2, 3), actor=OFFICER, party="ISSI", text="x")
    mou.make_declaration(effective=day(2026, 2, 3), actor=OFFICER, party="ISSI", text="y")
    row = mou.state.party("ISSI")
    assert row is not None
    assert [d.text for d in row.declarations] == ["y"]
