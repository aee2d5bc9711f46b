from __future__ import annotations

import pytest

from registry.domain.agreement import Agreement
from registry.domain.errors import (
    DuplicatePartyCode,
    EnglishTitleRequired,
    InvalidNoticePeriod,
    PartyHasActed,
    PartyTypeCannotBind,
    ReferenceRequired,
    RequiredFieldMissing,
    TextAlreadyAdopted,
    WrongNumberOfParties,
)
from registry.domain.events import Drafted
from registry.domain.values import AgreementStatus, LegalCharacter
from tests.unit.domain.builders import (
    FPRI,
    ISSI,
    KAZAKHSTAN,
    OFFICER,
    PAKISTAN,
    UZBEKISTAN,
    day,
    draft,
    draft_mou,
    sign,
)


def test_an_agreement_id_is_derived_from_its_reference_whatever_the_case() -> None:
    assert Agreement.create_id("PK-KZ-2026-001") == Agreement.create_id("pk-kz-2026-001")
    assert Agreement.create_id("PK-KZ-2026-001") != Agreement.create_id("PK-KZ-2026-002")


def test_a_drafted_agreement_is_identified_by_its_reference() -> None:
    agreement = draft("PK-KZ-2026-001")
    assert agreement.id == Agreement.create_id("PK-KZ-2026-001")
    assert agreement.reference == "PK-KZ-2026-001"
    (event,) = agreement.history
    assert isinstance(event, Drafted)
    assert agreement.state.status is AgreementStatus.DRAFT
    assert agreement.state.titles == {"en": "Agreement on Transit Trade", "ru": "Соглашение"}


def test_a_draft_without_reference_is_refused() -> None:
    with pytest.raises(ReferenceRequired) as refused:
        draft("  ")
    assert refused.value.code == "reference_required"
    assert refused.value.field == "reference"


def test_a_draft_without_an_english_title_is_refused() -> None:
    with pytest.raises(EnglishTitleRequired) as refused:
        draft(titles={"ur": "تجارتی معاہدہ"})
    assert refused.value.field == "titles"


def test_a_bilateral_agreement_with_three_parties_is_refused() -> None:
    with pytest.raises(WrongNumberOfParties) as refused:
        draft(parties=(PAKISTAN, KAZAKHSTAN, UZBEKISTAN))
    assert "Uzbekistan" in refused.value.message


def test_a_multilateral_agreement_with_one_party_is_refused() -> None:
    with pytest.raises(WrongNumberOfParties):
        draft(parties=(PAKISTAN,), multilateral=True)


def test_a_party_listed_twice_is_refused() -> None:
    with pytest.raises(DuplicatePartyCode) as refused:
        draft(parties=(PAKISTAN, PAKISTAN))
    assert "PAK" in refused.value.message


def test_an_institute_cannot_be_party_to_a_binding_agreement() -> None:
    with pytest.raises(PartyTypeCannotBind) as refused:
        draft(parties=(ISSI, FPRI), character=LegalCharacter.BINDING)
    assert "Institute of Strategic Studies Islamabad" in refused.value.message


def test_institutes_may_sign_a_non_binding_memorandum() -> None:
    assert draft_mou().state.parties[0].code == "ISSI"


def test_a_negative_notice_period_is_refused() -> None:
    with pytest.raises(InvalidNoticePeriod):
        draft(withdrawal_notice_months=-1)


def test_an_event_without_an_actor_is_refused() -> None:
    agreement = draft()
    with pytest.raises(RequiredFieldMissing) as refused:
        agreement.adopt_text(effective=day(2026, 2, 1), actor=" ")
    assert refused.value.field == "actor"


def test_the_draft_text_may_be_revised_before_adoption() -> None:
    agreement = draft()
    agreement.amend_text(
        effective=day(2026, 1, 20),
        actor=OFFICER,
        summary="Article 4 on transit fees redrafted",
        titles={"en": "Agreement on Transit Trade and Transport"},
    )
    state = agreement.state
    assert state.titles == {"en": "Agreement on Transit Trade and Transport"}
    assert [r.summary for r in state.revisions] == ["Article 4 on transit fees redrafted"]


def test_the_text_cannot_be_revised_after_adoption() -> None:
    agreement = draft()
    agreement.adopt_text(effective=day(2026, 2, 1), actor=OFFICER, place="Islamabad")
    with pytest.raises(TextAlreadyAdopted) as refused:
        agreement.amend_text(effective=day(2026, 2, 2), actor=OFFICER, summary="late change")
    assert refused.value.code == "text_already_adopted"
    assert agreement.state.adopted == day(2026, 2, 1)


def test_the_text_cannot_be_revised_once_signed() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    with pytest.raises(TextAlreadyAdopted) as refused:
        agreement.amend_text(effective=day(2026, 2, 4), actor=OFFICER, summary="late change")
    assert "Pakistan" in refused.value.message


def test_a_revision_cannot_drop_a_party_that_has_acted() -> None:
    agreement = draft(parties=(PAKISTAN, KAZAKHSTAN, UZBEKISTAN), multilateral=True)
    agreement.make_declaration(
        effective=day(2026, 1, 15), actor=OFFICER, party="UZB", text="Observer remarks"
    )
    with pytest.raises(PartyHasActed) as refused:
        agreement.amend_text(
            effective=day(2026, 1, 20),
            actor=OFFICER,
            summary="Uzbekistan leaves the talks",
            parties=(PAKISTAN, KAZAKHSTAN),
        )
    assert "Uzbekistan" in refused.value.message


def test_a_revision_can_change_the_parties() -> None:
    agreement = draft(parties=(PAKISTAN, KAZAKHSTAN, UZBEKISTAN), multilateral=True)
    agreement.amend_text(
        effective=day(2026, 1, 20),
        actor=OFFICER,
        summary="Uzbekistan leaves the talks",
        parties=(PAKISTAN, KAZAKHSTAN),
    )
    assert [p.code for p in agreement.state.parties] == ["PAK", "KAZ"]
