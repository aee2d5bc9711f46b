from __future__ import annotations

from typing import Any

import pytest

from registry.domain import commands
from registry.domain.agreement import Agreement
from registry.domain.codec import InvalidEventData, event_data
from registry.domain.errors import ConsentWithoutSignature
from registry.domain.events import Amended, EventCorrected, Signed
from registry.domain.values import AgreementStatus, PartyType, SignatureType
from tests.unit.domain.builders import (
    OFFICER,
    day,
    party_row,
)

DRAFTED: dict[str, Any] = {
    "reference": "PK-KZ-2026-003",
    "titles": {"en": "Joint Declaration on Strategic Partnership", "ur": "مشترکہ اعلامیہ"},
    "kind": "joint_declaration",
    "character": "non_binding",
    "multilateral": False,
    "parties": [
        {"code": "PAK", "name": "Pakistan", "type": "state"},
        {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
    ],
}


def drafted(**changes: Any) -> Agreement:
    return commands.draft_from_data(
        day(2026, 2, 3),
        OFFICER,
        "MOFA press release",
        None,
        {
            **DRAFTED,
            **changes,
        },
    )


def record(agreement: Agreement, type_name: str, data: dict[str, Any], **common: Any) -> None:
    commands.record(
        agreement,
        type_name,
        common.get("effective", day(2026, 2, 3)),
        OFFICER,
        common.get("source"),
        common.get("reason"),
        data,
    )


def test_an_agreement_is_drafted_from_json_data_with_optional_fields_left_out() -> None:
    agreement = drafted()
    state = agreement.state
    assert state.reference == "PK-KZ-2026-003"
    assert state.parties[1].type is PartyType.STATE
    assert (state.parent, state.summary, state.withdrawal_notice_months) == (None, None, 12)
    assert agreement.history[0].source == "MOFA press release"


def test_events_are_recorded_from_json_data() -> None:
    agreement = drafted()
    for party in ("PAK", "KAZ"):
        record(
            agreement,
            "Signed",
            {
                "party": party,
                "signatory": "Minister",
                "capacity": "Foreign Minister",
                "signature_type": "simple",
            },
        )
    assert agreement.state.status is AgreementStatus.IN_EFFECT
    signed = agreement.history[1]
    assert isinstance(signed, Signed)
    assert signed.place is None


def test_the_wire_data_of_an_event_records_the_same_event() -> None:
    agreement = drafted()
    record(
        agreement,
        "Signed",
        {
            "party": "PAK",
            "signatory": "Minister",
            "capacity": "Foreign Minister",
            "signature_type": "ad_referendum",
            "place": "Astana",
        },
        source="Note verbale 12/2026",
    )
    original = agreement.history[-1]
    again = drafted()
    record(again, "Signed", event_data(original), source="Note verbale 12/2026")
    copy = again.history[-1]
    assert isinstance(copy, Signed)
    assert copy.signature_type is SignatureType.AD_REFERENDUM
    assert event_data(copy) == event_data(original)


def test_source_given_twice_must_agree() -> None:
    data = {"party": "PAK", "signatory": "M", "capacity": "FM", "source": "A"}
    with pytest.raises(InvalidEventData) as refused:
        record(drafted(), "Signed", data, source="B")
    assert refused.value.field == "source"


def test_an_amendment_id_is_filled_from_its_reference() -> None:
    agreement = drafted()
    record(agreement, "Amended", {"amendment_reference": "PK-KZ-2026-003-A1", "summary": "x"})
    amended = agreement.history[-1]
    assert isinstance(amended, Amended)
    assert amended.amendment == str(Agreement.create_id("PK-KZ-2026-003-A1"))


def test_a_correction_is_recorded_from_json_data() -> None:
    agreement = drafted()
    record(agreement, "Signed", {"party": "PAK", "signatory": "M", "capacity": "FM"})
    record(
        agreement,
        "EventCorrected",
        {"corrects": 2, "action": "supersede", "new_effective": "2026-02"},
        reason="Only the month is certain",
    )
    correction = agreement.history[-1]
    assert isinstance(correction, EventCorrected)
    assert correction.changes == {}
    assert party_row(agreement.state, "PAK").signed == day(2026, 2)


@pytest.mark.parametrize(
    ("type_name", "data", "field"),
    [
        ("Signed", {"party": "PAK", "signatory": "M"}, "capacity"),
        ("Signed", {"party": "PAK", "signatory": "M", "capacity": "FM", "colour": 1}, "colour"),
        ("Signed", {"party": 7, "signatory": "M", "capacity": "FM"}, "party"),
        ("MilestoneRecorded", {"milestone": "m", "title": "t", "status": "done"}, "status"),
        ("MilestoneRecorded", {"milestone": "m", "title": "t", "due": "2026-13"}, "due"),
        ("Sealed", {}, "type"),
        ("Drafted", DRAFTED, "type"),
        ("KeyRegistered", {}, "type"),
    ],
)
def test_bad_data_is_refused_naming_the_field(type_name: str, data: Any, field: str) -> None:
    with pytest.raises(InvalidEventData) as refused:
        record(drafted(), type_name, data)
    assert refused.value.field == field


def test_data_must_be_an_object() -> None:
    with pytest.raises(InvalidEventData):
        record(drafted(), "Signed", ["PAK"])  # type: ignore[arg-type]


def test_a_refused_command_raises_its_domain_error() -> None:
    agreement = drafted(character="binding")
    with pytest.raises(ConsentWithoutSignature):
        record(agreement, "ConsentExpressed", {"party": "PAK", "instrument": "ratification"})


def test_every_agreement_event_but_drafted_has_a_command_taking_all_its_fields() -> None:
    import inspect

    from registry.domain.codec import data_fields
    from registry.domain.events import AGREEMENT_EVENTS, Drafted

    for event_type in AGREEMENT_EVENTS:
        command = (
            Agreement.draft
            if event_type is Drafted
            else getattr(Agreement, commands.COMMANDS[event_type.__name__])
        )
        parameters = set(inspect.signature(command).parameters)
        assert set(data_fields(event_type)) | {"effective", "actor"} <= parameters
    assert len(commands.COMMANDS) == len(AGREEMENT_EVENTS) - 1
