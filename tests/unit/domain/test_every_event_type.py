"""One story that records every agreement event type through its command."""

from __future__ import annotations

from registry.domain.events import AGREEMENT_EVENTS, DeclarationMade
from registry.domain.history import state_as_of
from registry.domain.values import (
    AgreementStatus,
    ConsentKind,
    CorrectionAction,
    MilestoneStatus,
    PartyStatus,
    TerritorialScope,
)
from tests.unit.domain.builders import (
    AFGHANISTAN,
    OFFICER,
    consent,
    day,
    draft_multilateral,
    party_row,
    rebuilt,
    sign,
)


def test_every_event_type_is_recorded_by_its_command_and_shows_in_the_state() -> None:
    railway = draft_multilateral(withdrawal_notice_months=6, summary="Trans-Afghan railway")
    railway.amend_text(
        effective=day(2026, 1, 20),
        actor=OFFICER,
        summary="Gauge clause added",
        titles={"en": "Trans-Afghan Railway Framework Agreement", "kk": "Келісім"},
    )
    railway.adopt_text(effective=day(2026, 2, 1), actor=OFFICER, place="Tashkent")
    for code in ("PAK", "KAZ", "UZB"):
        sign(railway, code, day(2026, 2, 3))
    railway.make_reservation(
        effective=day(2026, 2, 3), actor=OFFICER, party="PAK", article="12", text="Excluded"
    )
    railway.make_declaration(
        effective=day(2026, 2, 3), actor=OFFICER, party="KAZ", text="On tariffs"
    )
    reservation = railway.history[-2].originator_version
    railway.object_to_reservation(
        effective=day(2026, 2, 3),
        actor=OFFICER,
        party="KAZ",
        reserving_party="PAK",
        reservation=reservation,
    )
    railway.withdraw_statement(
        effective=day(2026, 2, 5), actor=OFFICER, party="KAZ", statement=railway.version
    )
    railway.declare_territorial_application(
        effective=day(2026, 2, 3),
        actor=OFFICER,
        party="UZB",
        scope=TerritorialScope.EXCLUDES,
        territories=("Karakalpakstan",),
    )
    railway.record_particulars(
        effective=day(2026, 2, 1),
        actor=OFFICER,
        depositary="Uzbekistan",
        concluded_place="Tashkent",
    )
    railway.record_footnote(
        effective=day(2026, 2, 3), actor=OFFICER, party="UZB", mark="1", text="See declaration."
    )
    railway.apply_provisionally(effective=day(2026, 2, 4), actor=OFFICER)
    consent(railway, "PAK", day(2026, 2, 15))
    consent(railway, "KAZ", day(2026, 2, 20), ConsentKind.APPROVAL)
    railway.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    railway.register_with_un(effective=day(2026, 3, 20), actor=OFFICER, number="I-60001")
    consent(railway, "AFG", day(2026, 3, 10), ConsentKind.ACCESSION, acceding=AFGHANISTAN)
    railway.enter_into_force(effective=day(2026, 4, 10), actor=OFFICER, party="AFG")
    railway.record_amendment(
        effective=day(2026, 5, 1),
        actor=OFFICER,
        amendment_reference="TAR-2026-001-P1",
        summary="Protocol on freight",
    )
    railway.record_milestone(
        effective=day(2026, 5, 2),
        actor=OFFICER,
        milestone="feasibility",
        title="Feasibility study",
        due=day(2026, 12),
    )
    railway.change_milestone_status(
        effective=day(2026, 6, 1),
        actor=OFFICER,
        milestone="feasibility",
        status=MilestoneStatus.IN_PROGRESS,
    )
    railway.suspend(effective=day(2026, 7, 1), actor=OFFICER, party="AFG")
    railway.resume(effective=day(2026, 8, 1), actor=OFFICER, party="AFG")
    railway.notify_withdrawal(effective=day(2026, 9, 1), actor=OFFICER, party="KAZ")
    railway.attach_document(
        effective=day(2026, 9, 2),
        actor=OFFICER,
        sha256="ab" * 32,
        filename="withdrawal-note.pdf",
        media_type="application/pdf",
        size=4096,
        title="Note verbale of withdrawal",
        language="ru",
    )
    railway.expire(effective=day(2031, 3, 1), actor=OFFICER)
    railway.renew(effective=day(2031, 3, 2), actor=OFFICER, until=day(2036, 3, 1))
    railway.terminate(effective=day(2034, 12, 31), actor=OFFICER, reason="Superseded")
    declaration = next(e for e in railway.history if isinstance(e, DeclarationMade))
    railway.correct(
        effective=day(2035, 1, 5),
        actor=OFFICER,
        corrects=declaration.originator_version,
        changes={"text": "On tariffs and transit fees"},
        reason="Typo in the declaration's text",
    )

    recorded = {type(event) for event in railway.history}
    assert recorded == set(AGREEMENT_EVENTS)

    state = railway.state
    assert state.status is AgreementStatus.TERMINATED
    assert state.titles["kk"] == "Келісім"
    assert [r.summary for r in state.revisions] == ["Gauge clause added"]
    assert state.adopted == day(2026, 2, 1)
    assert state.depositary == "Uzbekistan" and state.concluded_place == "Tashkent"
    assert state.registration is not None and state.registration.number == "I-60001"
    kazakhstan = party_row(state, "KAZ")
    assert kazakhstan.objections[0].reservation == reservation
    assert kazakhstan.objections[0].withdrawn == day(2026, 2, 5)
    assert party_row(state, "UZB").territorial[0].territories == ("Karakalpakstan",)
    assert party_row(state, "UZB").footnotes == ("1",)
    assert state.provisionally_applied == day(2026, 2, 4)
    assert state.entered_into_force == day(2026, 3, 1)
    assert [p.code for p in state.parties] == ["PAK", "KAZ", "UZB", "AFG"]
    pakistan, kazakhstan, uzbekistan, afghanistan = state.parties
    assert pakistan.reservations[0].article == "12"
    assert kazakhstan.declarations[0].text == "On tariffs and transit fees"
    assert kazakhstan.consent is ConsentKind.APPROVAL
    assert kazakhstan.withdrawal_takes_effect == day(2027, 3, 1)
    assert kazakhstan.status is PartyStatus.WITHDRAWN
    assert uzbekistan.status is PartyStatus.TERMINATED  # the agreement ended for everyone
    assert afghanistan.in_force == day(2026, 4, 10)
    assert afghanistan.suspended is None
    assert state.amendments[0].reference == "TAR-2026-001-P1"
    assert state.milestones[0].status is MilestoneStatus.IN_PROGRESS
    assert state.documents[0].filename == "withdrawal-note.pdf"
    assert state.expired is None and state.renewed_until == day(2036, 3, 1)
    assert state.terminated == day(2034, 12, 31)
    (correction,) = state.corrections
    assert correction.corrects == declaration.originator_version
    assert correction.action is CorrectionAction.SUPERSEDE
    assert correction.corrected_type == "DeclarationMade"

    in_july = state_as_of(railway.history, as_of=day(2026, 7, 15).start)
    assert in_july.status is AgreementStatus.IN_FORCE
    assert party_row(in_july, "AFG").status is PartyStatus.SUSPENDED
    assert party_row(in_july, "UZB").status is PartyStatus.PROVISIONALLY_APPLYING
    in_2032 = state_as_of(railway.history, as_of=day(2031, 3, 1).start)
    assert in_2032.status is AgreementStatus.EXPIRED

    assert rebuilt(railway.collect_events()).state == state
    assert state_as_of(railway.history) == state
