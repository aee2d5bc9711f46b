"""The depositary's further acts: objections, withdrawals of statements, territorial
application, succession, formal confirmation, particulars, UN registration, footnotes and
depositary notifications; each with its rules and every named refusal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from registry.domain.agreement import Agreement
from registry.domain.codec import event_data
from registry.domain.commands import record
from registry.domain.errors import DateOutOfOrder, DomainError, RequiredFieldMissing
from registry.domain.errors_acts import (
    AlreadyRegistered,
    DuplicateFootnote,
    DuplicateObjection,
    FormalConfirmationByOrganisationOnly,
    InvalidLanguageCode,
    NonBindingCannotBeRegistered,
    NonBindingTakesNoObjections,
    NoParticulars,
    ObjectionToOwnReservation,
    ObjectionToWithdrawnReservation,
    PredecessorIsSuccessor,
    PredecessorWithoutSuccession,
    RegistrationBeforeEntryIntoForce,
    ReservationNotFound,
    ReservationOfAnotherParty,
    StatementAlreadyWithdrawn,
    StatementNotFound,
    StatementOfAnotherParty,
    SuccessionNeedsPredecessor,
    SuccessionToBilateral,
    SuccessorAlreadyListed,
    SuccessorPartyMismatch,
    TakesEffectBeforeDeclaration,
    TerritoriesRequired,
    UntsPageWithoutVolume,
)
from registry.domain.history import state_as_of
from registry.domain.values import (
    ConsentKind,
    Notification,
    Party,
    PartyStatus,
    PartyType,
    TerritorialScope,
)
from tests.unit.domain.builders import (
    KAZAKHSTAN,
    OFFICER,
    PAKISTAN,
    UZBEKISTAN,
    consent,
    day,
    draft,
    draft_mou,
    draft_multilateral,
    in_force,
    party_row,
    sign,
)

ECO = Party("ECO", "Economic Cooperation Organization", PartyType.INTERNATIONAL_ORGANISATION)
MONTENEGRO = Party("MNE", "Montenegro", PartyType.STATE)


def with_reservation() -> tuple[Agreement, int]:
    """A multilateral treaty all three have signed, with a reservation by Pakistan."""
    treaty = draft_multilateral()
    for code in ("PAK", "KAZ", "UZB"):
        sign(treaty, code, day(2026, 2, 3))
    treaty.make_reservation(effective=day(2026, 2, 3), actor=OFFICER, party="PAK", text="No")
    return treaty, treaty.version


def objection(treaty: Agreement, **fields: Any) -> None:
    values: dict[str, Any] = {
        "effective": day(2026, 2, 10),
        "actor": OFFICER,
        "party": "KAZ",
        "reserving_party": "PAK",
        "reservation": 5,
    }
    treaty.object_to_reservation(**{**values, **fields})


# -- objections -------------------------------------------------------------------------------


def test_an_objection_names_the_reservation_and_may_oppose_entry_into_force() -> None:
    treaty, reservation = with_reservation()
    objection(treaty, reservation=reservation, opposes_entry_into_force=True, text="Objects")
    row = party_row(treaty.state, "KAZ").objections[0]
    assert (row.reserving_party, row.reservation, row.opposes_entry_into_force) == (
        "PAK",
        reservation,
        True,
    )


def not_in_force_with(treaty: Agreement, on: date | None = None) -> dict[str, tuple[str, ...]]:
    state = state_as_of(treaty.history, as_of=on)
    return {row.code: row.not_in_force_with for row in state.parties}


def test_an_objection_opposing_entry_into_force_parts_the_two_parties_only() -> None:
    treaty, reservation = with_reservation()
    objection(treaty, reservation=reservation, opposes_entry_into_force=True)
    assert not_in_force_with(treaty) == {"PAK": ("KAZ",), "KAZ": ("PAK",), "UZB": ()}
    assert not_in_force_with(treaty, date(2026, 2, 9)) == {"PAK": (), "KAZ": (), "UZB": ()}
    statuses = {row.code: row.status for row in treaty.state.parties}
    assert statuses == {code: PartyStatus.SIGNED for code in ("PAK", "KAZ", "UZB")}
    assert treaty.state.to_dict()["parties"][0]["not_in_force_with"] == ["KAZ"]


def test_an_objection_that_does_not_oppose_entry_into_force_parts_no_one() -> None:
    treaty, reservation = with_reservation()
    objection(treaty, reservation=reservation, opposes_entry_into_force=False)
    assert set(not_in_force_with(treaty).values()) == {()}


def test_withdrawing_the_objection_or_the_reservation_restores_relations() -> None:
    treaty, reservation = with_reservation()
    objection(treaty, reservation=reservation, opposes_entry_into_force=True)
    objected = treaty.version
    objection(treaty, party="UZB", reservation=reservation, opposes_entry_into_force=True)
    assert not_in_force_with(treaty)["PAK"] == ("KAZ", "UZB")
    treaty.withdraw_statement(
        effective=day(2026, 3, 1), actor=OFFICER, party="KAZ", statement=objected
    )
    assert not_in_force_with(treaty)["PAK"] == ("UZB",)
    assert not_in_force_with(treaty, date(2026, 2, 28))["PAK"] == ("KAZ", "UZB")
    treaty.withdraw_statement(
        effective=day(2026, 4, 1), actor=OFFICER, party="PAK", statement=reservation
    )
    assert set(not_in_force_with(treaty).values()) == {()}
    assert not_in_force_with(treaty, date(2026, 3, 31))["UZB"] == ("PAK",)


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"reservation": 2}, ReservationNotFound),  # a Signed event
        ({"reservation": 99}, ReservationNotFound),
        ({"reserving_party": "UZB"}, ReservationOfAnotherParty),
        ({"party": "PAK"}, ObjectionToOwnReservation),
        ({"effective": day(2026, 2, 1)}, DateOutOfOrder),
    ],
)
def test_an_objection_is_refused(fields: dict[str, Any], refusal: type[DomainError]) -> None:
    treaty, _ = with_reservation()
    with pytest.raises(refusal) as raised:
        objection(treaty, **fields)
    assert raised.value.code and raised.value.message


def test_a_party_objects_once_and_never_to_a_withdrawn_reservation() -> None:
    treaty, reservation = with_reservation()
    objection(treaty)
    with pytest.raises(DuplicateObjection):
        objection(treaty, effective=day(2026, 2, 11))
    treaty.withdraw_statement(
        effective=day(2026, 2, 12), actor=OFFICER, party="PAK", statement=reservation
    )
    with pytest.raises(ObjectionToWithdrawnReservation):
        objection(treaty, party="UZB", effective=day(2026, 2, 13))


def test_a_non_binding_instrument_takes_no_objections() -> None:
    mou = draft_mou()
    with pytest.raises(NonBindingTakesNoObjections):
        mou.object_to_reservation(
            effective=day(2026, 2, 1),
            actor=OFFICER,
            party="ISSI",
            reserving_party="KZ-FPRI",
            reservation=1,
        )


# -- withdrawal of statements -------------------------------------------------------------------


def test_a_withdrawn_reservation_stays_marked_withdrawn() -> None:
    treaty, reservation = with_reservation()
    treaty.withdraw_statement(
        effective=day(2026, 3, 1), actor=OFFICER, party="PAK", statement=reservation
    )
    statement = party_row(treaty.state, "PAK").reservations[0]
    assert statement.withdrawn == day(2026, 3, 1)


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"statement": 2}, StatementNotFound),
        ({"party": "KAZ"}, StatementOfAnotherParty),
        ({"effective": day(2026, 2, 1)}, DateOutOfOrder),
    ],
)
def test_a_withdrawal_of_a_statement_is_refused(
    fields: dict[str, Any], refusal: type[DomainError]
) -> None:
    treaty, reservation = with_reservation()
    values = {"effective": day(2026, 3, 1), "actor": OFFICER, "party": "PAK"}
    with pytest.raises(refusal):
        treaty.withdraw_statement(**{**values, "statement": reservation, **fields})


def test_a_statement_is_withdrawn_once() -> None:
    treaty, reservation = with_reservation()
    treaty.withdraw_statement(
        effective=day(2026, 3, 1), actor=OFFICER, party="PAK", statement=reservation
    )
    with pytest.raises(StatementAlreadyWithdrawn):
        treaty.withdraw_statement(
            effective=day(2026, 3, 2), actor=OFFICER, party="PAK", statement=reservation
        )


# -- territorial application --------------------------------------------------------------------


def test_a_territorial_declaration_has_its_own_effective_date() -> None:
    treaty = in_force(draft())
    treaty.declare_territorial_application(
        effective=day(2026, 3, 5),
        actor=OFFICER,
        party="KAZ",
        scope=TerritorialScope.EXTENDS,
        territories=["Baikonur"],
        takes_effect=day(2026, 4, 1),
    )
    row = party_row(treaty.state, "KAZ").territorial[0]
    assert (row.territories, row.takes_effect, row.date) == (
        ("Baikonur",),
        day(2026, 4, 1),
        day(2026, 3, 5),
    )


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"territories": ()}, TerritoriesRequired),
        ({"territories": ("A", "A")}, TerritoriesRequired),
        ({"territories": (" ",)}, TerritoriesRequired),
        ({"takes_effect": day(2026, 3, 1)}, TakesEffectBeforeDeclaration),
    ],
)
def test_a_territorial_declaration_is_refused(
    fields: dict[str, Any], refusal: type[DomainError]
) -> None:
    treaty = in_force(draft())
    values: dict[str, Any] = {
        "effective": day(2026, 3, 5),
        "actor": OFFICER,
        "party": "KAZ",
        "scope": TerritorialScope.EXCLUDES,
        "territories": ("Baikonur",),
    }
    with pytest.raises(refusal):
        treaty.declare_territorial_application(**{**values, **fields})


# -- succession and formal confirmation ---------------------------------------------------------


def test_a_successor_state_succeeds_to_a_signature_then_ratifies() -> None:
    treaty = draft_multilateral()
    treaty.sign(
        effective=day(2026, 2, 3),
        actor=OFFICER,
        party="MNE",
        signatory="Minister",
        capacity="Foreign Minister",
        predecessor="Serbia and Montenegro",
        successor=MONTENEGRO,
    )
    consent(treaty, "MNE", day(2026, 3, 1))
    row = party_row(treaty.state, "MNE")
    assert row.predecessor == "Serbia and Montenegro"
    assert row.consent is ConsentKind.RATIFICATION


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({"predecessor": None}, SuccessionNeedsPredecessor),
        ({"party": "SRB"}, SuccessorPartyMismatch),
        ({"successor": PAKISTAN, "party": "PAK"}, SuccessorAlreadyListed),
        ({"predecessor": "Montenegro"}, PredecessorIsSuccessor),
    ],
)
def test_a_succession_to_a_signature_is_refused(
    fields: dict[str, Any], refusal: type[DomainError]
) -> None:
    treaty = draft_multilateral()
    values: dict[str, Any] = {
        "effective": day(2026, 2, 3),
        "actor": OFFICER,
        "party": "MNE",
        "signatory": "Minister",
        "capacity": "Foreign Minister",
        "predecessor": "Serbia and Montenegro",
        "successor": MONTENEGRO,
    }
    with pytest.raises(refusal):
        treaty.sign(**{**values, **fields})


def test_no_succession_to_a_signature_of_a_bilateral_agreement() -> None:
    with pytest.raises(SuccessionToBilateral):
        draft().sign(
            effective=day(2026, 2, 3),
            actor=OFFICER,
            party="MNE",
            signatory="Minister",
            capacity="Foreign Minister",
            predecessor="Serbia and Montenegro",
            successor=MONTENEGRO,
        )


def test_consent_by_succession_names_its_predecessor_and_only_it_does() -> None:
    treaty = draft_multilateral()
    treaty.express_consent(
        effective=day(2026, 2, 3),
        actor=OFFICER,
        party="MNE",
        instrument=ConsentKind.SUCCESSION,
        acceding=MONTENEGRO,
        predecessor="Serbia and Montenegro",
    )
    assert party_row(treaty.state, "MNE").predecessor == "Serbia and Montenegro"
    sign(treaty, "PAK", day(2026, 2, 3))
    with pytest.raises(PredecessorWithoutSuccession):
        treaty.express_consent(
            effective=day(2026, 2, 4),
            actor=OFFICER,
            party="PAK",
            instrument=ConsentKind.RATIFICATION,
            predecessor="British India",
        )


def test_formal_confirmation_is_an_international_organisations_consent() -> None:
    treaty = draft("ECO-PK-2026", parties=(ECO, PAKISTAN))
    sign(treaty, "ECO", day(2026, 2, 3))
    sign(treaty, "PAK", day(2026, 2, 3))
    consent(treaty, "ECO", day(2026, 2, 10), ConsentKind.FORMAL_CONFIRMATION)
    row = party_row(treaty.state, "ECO")
    assert row.consent is ConsentKind.FORMAL_CONFIRMATION and row.consent.untc_mark == "c"
    with pytest.raises(FormalConfirmationByOrganisationOnly):
        consent(treaty, "PAK", day(2026, 2, 10), ConsentKind.FORMAL_CONFIRMATION)


def test_untc_marks() -> None:
    marks = {kind.value: kind.untc_mark for kind in ConsentKind}
    assert marks == {
        "ratification": "",
        "acceptance": "A",
        "approval": "AA",
        "accession": "a",
        "succession": "d",
        "notification": "",
        "formal_confirmation": "c",
    }


# -- particulars, registration, footnotes -------------------------------------------------------


def test_particulars_keep_the_latest_value_of_each() -> None:
    treaty = draft()
    treaty.record_particulars(
        effective=day(2026, 1, 20), actor=OFFICER, depositary="Pakistan", concluded_place="Astana"
    )
    treaty.record_particulars(
        effective=day(2026, 2, 1), actor=OFFICER, authentic_languages=["en", "kk", "ur"]
    )
    state = treaty.state
    assert (state.depositary, state.concluded_place, state.authentic_languages) == (
        "Pakistan",
        "Astana",
        ("en", "kk", "ur"),
    )


@pytest.mark.parametrize(
    ("fields", "refusal"),
    [
        ({}, NoParticulars),
        ({"authentic_languages": ["English"]}, InvalidLanguageCode),
        ({"authentic_languages": ["en", "en"]}, InvalidLanguageCode),
        ({"depositary": " "}, RequiredFieldMissing),
    ],
)
def test_particulars_are_refused(fields: dict[str, Any], refusal: type[DomainError]) -> None:
    with pytest.raises(refusal):
        draft().record_particulars(effective=day(2026, 1, 20), actor=OFFICER, **fields)


def test_registration_comes_after_entry_into_force_once() -> None:
    treaty = draft()
    with pytest.raises(RegistrationBeforeEntryIntoForce):
        treaty.register_with_un(effective=day(2026, 2, 1), actor=OFFICER, number="I-1")
    in_force(treaty)
    with pytest.raises(UntsPageWithoutVolume):
        treaty.register_with_un(effective=day(2026, 4, 1), actor=OFFICER, number="I-1", unts_page=7)
    treaty.register_with_un(
        effective=day(2026, 4, 1), actor=OFFICER, number="I-1", unts_volume=3200, unts_page=7
    )
    registration = treaty.state.registration
    assert registration is not None and (registration.unts_volume, registration.unts_page) == (
        3200,
        7,
    )
    with pytest.raises(AlreadyRegistered):
        treaty.register_with_un(effective=day(2026, 5, 1), actor=OFFICER, number="I-2")
    with pytest.raises(NonBindingCannotBeRegistered):
        draft_mou().register_with_un(effective=day(2026, 5, 1), actor=OFFICER, number="I-3")


def test_footnotes_per_participant_and_general_in_the_importers_shape() -> None:
    treaty = draft_multilateral()
    for data in (
        {"party": "KAZ", "mark": "2", "text": "On ratification"},
        {"party": None, "mark": "1", "text": "General"},
        {"party": "UZB", "mark": "2", "text": "Same mark, another participant"},
    ):
        record(treaty, "FootnoteRecorded", day(2026, 2, 1), OFFICER, None, None, data)
    state = treaty.state
    assert [(f.party, f.mark) for f in state.footnotes] == [(None, "1"), ("KAZ", "2"), ("UZB", "2")]
    assert party_row(state, "KAZ").footnotes == ("2",)
    with pytest.raises(DuplicateFootnote):
        record(
            treaty,
            "FootnoteRecorded",
            day(2026, 2, 2),
            OFFICER,
            None,
            None,
            {"party": "KAZ", "mark": "2", "text": "Again"},
        )


# -- depositary notifications -------------------------------------------------------------------


def test_a_notification_travels_in_the_data_only_when_given() -> None:
    treaty = draft_multilateral()
    sign(treaty, "PAK", day(2026, 2, 3))
    treaty.sign(
        effective=day(2026, 2, 3),
        actor=OFFICER,
        party="KAZ",
        signatory="Minister",
        capacity="Foreign Minister",
        notification=Notification("C.N.464.2017.TREATIES-XXVII.7.d", day(2017, 7, 1)),
    )
    plain, notified = treaty.history[-2], treaty.history[-1]
    assert "notification" not in event_data(plain)
    assert "predecessor" not in event_data(plain) and "successor" not in event_data(plain)
    assert event_data(notified)["notification"] == {
        "number": "C.N.464.2017.TREATIES-XXVII.7.d",
        "date": "2017-07-01",
    }
    with pytest.raises(RequiredFieldMissing):
        treaty.sign(
            effective=day(2026, 2, 3),
            actor=OFFICER,
            party="UZB",
            signatory="Minister",
            capacity="Foreign Minister",
            notification=Notification(" "),
        )
    assert [p.code for p in (PAKISTAN, KAZAKHSTAN, UZBEKISTAN)] == ["PAK", "KAZ", "UZB"]
