from __future__ import annotations

from typing import Any

import pytest

from registry.domain.agreement import Agreement
from registry.domain.errors import (
    ConsentWithoutSignature,
    CorrectionBreaksHistory,
    CorrectionOfCorrection,
    CorrectionOfRetractedEvent,
    CorrectionTargetNotFound,
    DateOutOfOrder,
    DraftCannotBeRetracted,
    InvalidCorrectionValue,
    NonBindingTakesNoConsent,
    NotACorrectableField,
    NothingToCorrect,
    ReasonRequired,
    ReferenceCannotChange,
    RetractionTakesNoChanges,
)
from registry.domain.history import state_as_of
from registry.domain.values import CorrectionAction, SignatureType
from tests.unit.domain.builders import (
    OFFICER,
    consent,
    day,
    draft,
    instant,
    party_row,
    rebuilt,
    recorded,
    sign,
)

RETRACT = CorrectionAction.RETRACT


def correct(agreement: Agreement, corrects: int, **fields: Any) -> None:
    fields.setdefault("reason", "Checked against the depositary notification")
    agreement.correct(effective=day(2026, 3, 10), actor=OFFICER, corrects=corrects, **fields)


def signed_on_the_4th() -> Agreement:
    """v1 Drafted, v2 Pakistan signs (dated 4 Feb by mistake)."""
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 4))
    return agreement


def test_a_corrected_signature_date_shows_only_in_views_known_after_the_correction() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, new_effective=day(2026, 2, 3))
    events = recorded(agreement.collect_events(), instant(1, 10), instant(2, 4), instant(3, 10))

    def signed(known_at: Any) -> object:
        return party_row(state_as_of(events, known_at=known_at), "PAK").signed

    assert signed(instant(3, 9)) == day(2026, 2, 4)
    assert signed(instant(3, 10)) == day(2026, 2, 3)
    assert signed(None) == day(2026, 2, 3)
    (row,) = state_as_of(events).corrections
    assert (row.version, row.corrects, row.new_effective) == (3, 2, day(2026, 2, 3))
    assert row.reason == "Checked against the depositary notification"
    assert state_as_of(events, known_at=instant(3, 9)).corrections == ()


def test_a_re_dated_event_moves_in_as_of_views() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, new_effective=day(2026, 2, 3))
    on_the_3rd = state_as_of(agreement.history, as_of=day(2026, 2, 3).start)
    assert party_row(on_the_3rd, "PAK").signed == day(2026, 2, 3)


def test_a_retracted_event_disappears_only_for_views_known_after_the_retraction() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, action=RETRACT, reason="Recorded for the wrong agreement")
    events = recorded(agreement.collect_events(), instant(1, 10), instant(2, 4), instant(3, 10))
    before = state_as_of(events, known_at=instant(3, 9))
    after = state_as_of(events, known_at=instant(3, 10))
    assert party_row(before, "PAK").signed == day(2026, 2, 4)
    assert party_row(after, "PAK").signed is None
    assert after.versions == (1, 3)
    assert before.versions == (1, 2)


def test_field_values_can_be_superseded() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, changes={"signatory": "Ishaq Dar", "signature_type": "definitive"})
    row = agreement.state.party("PAK")
    assert row is not None
    assert row.signatures[0].signatory == "Ishaq Dar"
    assert row.signature_type is SignatureType.DEFINITIVE


def test_a_retracted_act_can_be_recorded_anew() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, action=RETRACT)
    sign(agreement, "PAK", day(2026, 2, 3))
    assert party_row(agreement.state, "PAK").signed == day(2026, 2, 3)


def test_a_correction_without_reason_is_refused() -> None:
    with pytest.raises(ReasonRequired) as refused:
        correct(signed_on_the_4th(), 2, new_effective=day(2026, 2, 3), reason=" ")
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")


@pytest.mark.parametrize("version", [0, 3, 99])
def test_a_correction_of_an_event_that_does_not_exist_is_refused(version: int) -> None:
    with pytest.raises(CorrectionTargetNotFound):
        correct(signed_on_the_4th(), version, new_effective=day(2026, 2, 3))


def test_a_retracted_event_cannot_be_corrected() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, action=RETRACT)
    with pytest.raises(CorrectionOfRetractedEvent):
        correct(agreement, 2, new_effective=day(2026, 2, 3))
    with pytest.raises(CorrectionOfRetractedEvent):
        correct(agreement, 2, action=RETRACT)


def test_the_drafted_event_cannot_be_retracted_but_can_be_corrected() -> None:
    agreement = draft()
    with pytest.raises(DraftCannotBeRetracted):
        correct(agreement, 1, action=RETRACT)
    correct(agreement, 1, changes={"titles": {"en": "Agreement on Transit Trade (2026)"}})
    assert agreement.state.titles == {"en": "Agreement on Transit Trade (2026)"}


def test_the_reference_cannot_be_corrected() -> None:
    with pytest.raises(ReferenceCannotChange):
        correct(draft(), 1, changes={"reference": "PK-KZ-2026-999"})


def test_a_correction_cannot_be_corrected() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, new_effective=day(2026, 2, 3))
    with pytest.raises(CorrectionOfCorrection):
        correct(agreement, 3, action=RETRACT)


def test_a_correction_must_change_something() -> None:
    with pytest.raises(NothingToCorrect):
        correct(signed_on_the_4th(), 2)


def test_a_retraction_takes_no_changes() -> None:
    with pytest.raises(RetractionTakesNoChanges):
        correct(signed_on_the_4th(), 2, action=RETRACT, new_effective=day(2026, 2, 3))


@pytest.mark.parametrize("name", ["actor", "timestamp", "originator_version", "instrument"])
def test_changes_may_only_name_data_fields_of_the_target(name: str) -> None:
    with pytest.raises(NotACorrectableField) as refused:
        correct(signed_on_the_4th(), 2, changes={name: "x"})
    assert refused.value.field == f"changes.{name}"


def test_changes_must_decode_for_the_fields_type() -> None:
    with pytest.raises(InvalidCorrectionValue) as refused:
        correct(signed_on_the_4th(), 2, changes={"signature_type": "provisional"})
    assert refused.value.field == "changes.signature_type"


def test_correcting_a_signature_date_to_after_the_ratification_is_refused() -> None:
    agreement = signed_on_the_4th()
    consent(agreement, "PAK", day(2026, 2, 15))
    with pytest.raises(CorrectionBreaksHistory) as refused:
        correct(agreement, 2, new_effective=day(2026, 2, 20))
    assert isinstance(refused.value.violation, DateOutOfOrder)
    assert "Pakistan" in refused.value.message
    assert party_row(agreement.state, "PAK").signed == day(2026, 2, 4)


def test_retracting_the_signature_a_ratification_needs_is_refused() -> None:
    agreement = signed_on_the_4th()
    consent(agreement, "PAK", day(2026, 2, 15))
    with pytest.raises(CorrectionBreaksHistory) as refused:
        correct(agreement, 2, action=RETRACT)
    assert isinstance(refused.value.violation, ConsentWithoutSignature)


def test_making_a_ratified_agreement_non_binding_is_refused() -> None:
    agreement = signed_on_the_4th()
    consent(agreement, "PAK", day(2026, 2, 15))
    with pytest.raises(CorrectionBreaksHistory) as refused:
        correct(agreement, 1, changes={"character": "non_binding"})
    assert isinstance(refused.value.violation, NonBindingTakesNoConsent)


def test_later_commands_see_the_corrected_history() -> None:
    agreement = signed_on_the_4th()
    correct(agreement, 2, changes={"party": "KAZ"})
    sign(agreement, "PAK", day(2026, 2, 5))
    consent(agreement, "KAZ", day(2026, 2, 15))
    assert party_row(agreement.state, "KAZ").consented == day(2026, 2, 15)
    assert rebuilt(agreement.collect_events()).state == agreement.state
