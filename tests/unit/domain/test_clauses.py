"""Final clauses: entry into force, withdrawal and duration computed from the recorded acts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from registry.domain.agreement import Agreement
from registry.domain.clauses import (
    EntryIntoForceRule,
    InvalidClause,
    Reckoning,
    parse_clauses,
)
from registry.domain.codec import decode_data, event_data
from registry.domain.deadlines import DeadlineKind, upcoming
from registry.domain.errors import NonBindingTakesNoEntryIntoForce, NotInForce
from registry.domain.errors_acts import RegistrationBeforeEntryIntoForce
from registry.domain.events import Drafted
from registry.domain.history import state_as_of
from registry.domain.rules.clauses import (
    EntryIntoForceContradictsClause,
    EntryIntoForceNotDueUnderClause,
    ExpiryContradictsClause,
    NoticePeriodContradictsClause,
    WithdrawalBeforeEarliestDate,
)
from registry.domain.timeline import Standing, standing_on, status_timeline
from registry.domain.values import (
    AgreementStatus,
    ConsentKind,
    LegalCharacter,
    Party,
    PartyStatus,
    PartyType,
    SignatureType,
)
from tests.unit.domain.builders import (
    AFGHANISTAN,
    FPRI,
    ISSI,
    KAZAKHSTAN,
    OFFICER,
    PAKISTAN,
    UZBEKISTAN,
    consent,
    day,
    draft,
    party_row,
    rebuilt,
    sign,
)

TURKIYE = Party("TUR", "Türkiye", PartyType.STATE)
PARTIES = (PAKISTAN, KAZAKHSTAN, UZBEKISTAN, TURKIYE)
BY_TWO = {"instruments": 2, "days_after": 30, "later_parties_days_after_deposit": 20}


def treaty(clauses: dict[str, Any] | None, **fields: Any) -> Agreement:
    fields.setdefault("parties", PARTIES)
    fields.setdefault("multilateral", True)
    return draft("CL-2025-001", effective=day(2025, 1, 10), clauses=clauses, **fields)


def ratify(agreement: Agreement, code: str, on: date) -> None:
    signed = on - timedelta(days=3)
    sign(agreement, code, day(signed.year, signed.month, signed.day))
    consent(agreement, code, day(on.year, on.month, on.day))


def status(agreement: Agreement, code: str, on: date | None) -> PartyStatus:
    return party_row(state_as_of(agreement.history, as_of=on), code).status


# -- the shape -------------------------------------------------------------------------------


def test_every_documented_form_parses() -> None:
    fixed = parse_clauses(
        {"entry_into_force": {"date": "2016-11-04", "later_parties_days_after_deposit": 30}}
    )
    assert fixed is not None and fixed.entry_into_force is not None
    assert fixed.entry_into_force.rule is EntryIntoForceRule.DATE
    assert fixed.entry_into_force.date == date(2016, 11, 4)
    full = parse_clauses(
        {
            "entry_into_force": BY_TWO,
            "withdrawal": {"notice": {"years": 1}, "earliest": {"years": 3, "from": "agreement"}},
            "duration": {"years": 5, "tacit_renewal": {"years": 5}},
        }
    )
    assert full is not None and full.withdrawal is not None and full.duration is not None
    assert full.withdrawal.notice_months == 12
    assert full.withdrawal.earliest_from is Reckoning.AGREEMENT
    assert (full.duration.years, full.duration.renewal_years) == (5, 5)
    recorded = parse_clauses({"entry_into_force": {"as_recorded": True}})
    assert recorded is not None and recorded.entry_into_force is not None
    assert not recorded.entry_into_force.computed
    assert parse_clauses(None) is None


@pytest.mark.parametrize(
    ("clauses", "path"),
    [
        ([], "clauses"),
        ({"entry": {}}, "clauses.entry"),
        ({"entry_into_force": {}}, "clauses.entry_into_force"),
        ({"entry_into_force": {"date": "2016-11"}}, "clauses.entry_into_force.date"),
        ({"entry_into_force": {"date": "soon"}}, "clauses.entry_into_force.date"),
        ({"entry_into_force": {"instruments": 0}}, "clauses.entry_into_force.instruments"),
        ({"entry_into_force": {"instruments": True}}, "clauses.entry_into_force.instruments"),
        (
            {"entry_into_force": {"date": "2016-11-04", "instruments": 2}},
            "clauses.entry_into_force",
        ),
        (
            {"entry_into_force": {"date": "2016-11-04", "days_after": 3}},
            "clauses.entry_into_force.days_after",
        ),
        ({"entry_into_force": {"as_recorded": False}}, "clauses.entry_into_force"),
        ({"withdrawal": {"notice": {"weeks": 2}}}, "clauses.withdrawal.notice.weeks"),
        ({"withdrawal": {"notice": {"months": 1, "years": 1}}}, "clauses.withdrawal.notice"),
        ({"withdrawal": {"earliest": {"from": "party"}}}, "clauses.withdrawal.earliest.years"),
        (
            {"withdrawal": {"earliest": {"years": 3, "from": "signature"}}},
            "clauses.withdrawal.earliest.from",
        ),
        ({"duration": {}}, "clauses.duration.years"),
        ({"duration": {"years": 5, "tacit_renewal": {}}}, "clauses.duration.tacit_renewal.years"),
    ],
)
def test_a_clause_of_the_wrong_shape_is_refused_naming_its_path(clauses: Any, path: str) -> None:
    with pytest.raises(InvalidClause) as refused:
        treaty(clauses)
    assert refused.value.code == "invalid_clause"
    assert refused.value.field == "clauses"
    assert refused.value.path == path
    assert str(refused.value).startswith(f"{path}:")


def test_a_draft_without_clauses_keeps_its_signed_data_unchanged() -> None:
    (drafted,) = treaty(None).collect_events()
    data = event_data(drafted)
    assert "clauses" not in data
    assert decode_data(Drafted, data)["clauses"] is None
    with_clauses = treaty({"entry_into_force": BY_TWO}).collect_events()[0]
    assert event_data(with_clauses)["clauses"] == {"entry_into_force": BY_TWO}


def test_a_non_binding_instrument_takes_no_entry_into_force_clause() -> None:
    with pytest.raises(NonBindingTakesNoEntryIntoForce) as refused:
        draft(
            "PK-KZ-2026-002",
            parties=(ISSI, FPRI),
            character=LegalCharacter.NON_BINDING,
            clauses={"entry_into_force": BY_TWO},
        )
    assert refused.value.field == "clauses"


# -- entry into force ------------------------------------------------------------------------


def test_n_instruments_plus_d_days_puts_the_first_parties_in_force_together() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 3, 1))
    assert status(agreement, "PAK", None) is PartyStatus.BOUND
    ratify(agreement, "KAZ", date(2025, 3, 10))
    ratify(agreement, "UZB", date(2025, 4, 1))  # before 9 April: with the others
    ratify(agreement, "TUR", date(2025, 5, 1))  # later: its deposit + 20 days
    state = agreement.state
    assert state.entered_into_force == day(2025, 4, 9)
    assert [row.in_force for row in state.parties] == [
        day(2025, 4, 9),
        day(2025, 4, 9),
        day(2025, 4, 9),
        day(2025, 5, 21),
    ]
    assert status(agreement, "PAK", date(2025, 4, 8)) is PartyStatus.BOUND
    assert status(agreement, "PAK", date(2025, 4, 9)) is PartyStatus.IN_FORCE
    assert status(agreement, "TUR", date(2025, 5, 20)) is PartyStatus.BOUND
    assert status(agreement, "TUR", date(2025, 5, 21)) is PartyStatus.IN_FORCE
    on_8_april = state_as_of(agreement.history, as_of=date(2025, 4, 8))
    assert on_8_april.status is AgreementStatus.SIGNED and on_8_april.entered_into_force is None


def test_a_fixed_date_with_later_parties_d_days_after_their_deposit() -> None:
    clause = {"entry_into_force": {"date": "2025-06-01", "later_parties_days_after_deposit": 30}}
    agreement = treaty(clause)
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 7, 1))
    assert agreement.state.entered_into_force == day(2025, 6, 1)
    assert party_row(agreement.state, "PAK").in_force == day(2025, 6, 1)
    assert party_row(agreement.state, "KAZ").in_force == day(2025, 7, 31)
    assert state_as_of(agreement.history, as_of=date(2025, 5, 31)).status is AgreementStatus.SIGNED
    assert state_as_of(agreement.history, as_of=date(2025, 6, 1)).status is (
        AgreementStatus.IN_FORCE
    )


def test_without_a_later_parties_rule_a_later_party_is_in_force_from_its_consent() -> None:
    agreement = treaty({"entry_into_force": {"date": "2025-06-01"}})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 7, 1))
    assert party_row(agreement.state, "KAZ").in_force == day(2025, 7, 1)


def test_a_fixed_date_no_one_was_bound_by_is_no_general_entry_into_force() -> None:
    agreement = treaty({"entry_into_force": {"date": "2025-03-01"}})
    ratify(agreement, "PAK", date(2025, 4, 1))
    assert agreement.state.entered_into_force is None
    assert party_row(agreement.state, "PAK").in_force == day(2025, 4, 1)


def test_definitive_signatures_and_accessions_count_as_instruments() -> None:
    agreement = treaty({"entry_into_force": {"instruments": 2, "days_after": 0}})
    sign(agreement, "PAK", day(2025, 2, 1), SignatureType.DEFINITIVE)
    consent(agreement, "AFG", day(2025, 2, 5), ConsentKind.ACCESSION, acceding=AFGHANISTAN)
    assert agreement.state.entered_into_force == day(2025, 2, 5)
    assert party_row(agreement.state, "AFG").status is PartyStatus.IN_FORCE


def test_a_recorded_entry_into_force_the_clause_gives_is_accepted() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 3, 10))
    agreement.enter_into_force(effective=day(2025, 4, 9), actor=OFFICER)
    ratify(agreement, "UZB", date(2025, 5, 1))
    agreement.enter_into_force(effective=day(2025, 5), actor=OFFICER, party="UZB")  # vague
    assert agreement.state.entered_into_force == day(2025, 4, 9)
    assert party_row(agreement.state, "UZB").in_force == day(2025, 5, 21)


def test_a_recorded_entry_into_force_that_contradicts_the_clause_is_refused() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 3, 10))
    with pytest.raises(EntryIntoForceContradictsClause) as refused:
        agreement.enter_into_force(effective=day(2025, 4, 1), actor=OFFICER)
    assert refused.value.code == "entry_into_force_contradicts_clause"
    assert refused.value.field == "effective"
    assert "9 April 2025" in refused.value.message
    ratify(agreement, "UZB", date(2025, 5, 1))
    with pytest.raises(EntryIntoForceContradictsClause) as refused:
        agreement.enter_into_force(effective=day(2025, 5, 1), actor=OFFICER, party="UZB")
    assert "21 May 2025" in refused.value.message


def test_an_entry_into_force_before_the_clause_gives_a_date_is_refused() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 3, 1))
    with pytest.raises(EntryIntoForceNotDueUnderClause) as refused:
        agreement.enter_into_force(effective=day(2025, 4, 1), actor=OFFICER)
    assert refused.value.code == "entry_into_force_not_due_under_clause"


def test_as_recorded_keeps_todays_behaviour() -> None:
    agreement = treaty({"entry_into_force": {"as_recorded": True}})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 3, 10))
    assert agreement.state.entered_into_force is None
    agreement.enter_into_force(effective=day(2025, 4, 1), actor=OFFICER)
    assert party_row(agreement.state, "KAZ").in_force == day(2025, 4, 1)


# -- withdrawal ------------------------------------------------------------------------------


def in_force_by_clause(clauses: dict[str, Any], **fields: Any) -> Agreement:
    agreement = treaty({"entry_into_force": BY_TWO, **clauses}, **fields)
    ratify(agreement, "PAK", date(2025, 1, 15))
    ratify(agreement, "KAZ", date(2025, 1, 20))  # in force on 19 February 2025
    ratify(agreement, "UZB", date(2025, 3, 1))  # on 21 March 2025
    return agreement


def test_the_withdrawal_clause_gives_the_notice_period_and_the_effect_date() -> None:
    agreement = in_force_by_clause({"withdrawal": {"notice": {"months": 6}}})
    assert agreement.state.withdrawal_notice_months == 6
    agreement.notify_withdrawal(effective=day(2025, 5, 1), actor=OFFICER, party="UZB")
    row = party_row(agreement.state, "UZB")
    assert row.withdrawal_takes_effect == day(2025, 11, 1)
    assert status(agreement, "UZB", date(2025, 10, 31)) is PartyStatus.IN_FORCE
    assert status(agreement, "UZB", date(2025, 11, 1)) is PartyStatus.WITHDRAWN


def test_a_notice_period_that_contradicts_the_clause_is_refused() -> None:
    with pytest.raises(NoticePeriodContradictsClause) as refused:
        treaty({"withdrawal": {"notice": {"years": 1}}}, withdrawal_notice_months=6)
    assert refused.value.field == "withdrawal_notice_months"
    agreement = treaty({"withdrawal": {"notice": {"years": 1}}}, withdrawal_notice_months=12)
    assert agreement.state.withdrawal_notice_months == 12


@pytest.mark.parametrize(
    ("reckoning", "party", "earliest"),
    [("agreement", "UZB", "19 February 2026"), ("party", "UZB", "21 March 2026")],
)
def test_a_withdrawal_taking_effect_before_the_earliest_date_is_refused(
    reckoning: str, party: str, earliest: str
) -> None:
    clause = {"withdrawal": {"notice": {"months": 1}, "earliest": {"years": 1, "from": reckoning}}}
    agreement = in_force_by_clause(clause)
    with pytest.raises(WithdrawalBeforeEarliestDate) as refused:
        agreement.notify_withdrawal(effective=day(2025, 6, 1), actor=OFFICER, party=party)
    assert refused.value.code == "withdrawal_before_earliest_date"
    assert refused.value.field == "takes_effect"
    assert earliest in refused.value.message
    agreement.notify_withdrawal(
        effective=day(2025, 6, 1), actor=OFFICER, party=party, takes_effect=day(2026, 3, 21)
    )
    assert status(agreement, party, date(2026, 3, 21)) is PartyStatus.WITHDRAWN


def test_a_withdrawal_needs_the_clause_derived_entry_into_force() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 1, 15))
    with pytest.raises(NotInForce):
        agreement.notify_withdrawal(effective=day(2025, 6, 1), actor=OFFICER, party="PAK")


# -- duration --------------------------------------------------------------------------------


def test_a_fixed_term_expires_and_ends_every_partys_standing() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    state = agreement.state
    assert state.status is AgreementStatus.EXPIRED and state.expired == day(2026, 2, 19)
    before = state_as_of(agreement.history, as_of=date(2026, 2, 18))
    assert before.status is AgreementStatus.IN_FORCE and before.expired is None
    after = state_as_of(agreement.history, as_of=date(2026, 2, 19))
    assert after.status is AgreementStatus.EXPIRED
    assert {row.status for row in after.parties} == {PartyStatus.EXPIRED}


def test_a_recorded_renewal_supersedes_the_derived_expiry() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    agreement.renew(effective=day(2026, 2, 1), actor=OFFICER, until=day(2027, 2, 18))
    assert agreement.state.status is AgreementStatus.IN_FORCE


def test_tacit_renewal_never_expires_and_gives_the_current_term() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1, "tacit_renewal": {"years": 2}}})
    assert agreement.state.status is AgreementStatus.IN_FORCE
    first = state_as_of(agreement.history, as_of=date(2025, 6, 1))
    assert first.term_ends == day(2026, 2, 18)
    renewed = state_as_of(agreement.history, as_of=date(2026, 2, 19))
    assert renewed.term_ends == day(2028, 2, 18)


def test_an_expiry_recorded_off_the_fixed_terms_end_is_refused_with_the_clauses_date() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    with pytest.raises(ExpiryContradictsClause) as refused:
        agreement.expire(effective=day(2026, 3, 1), actor=OFFICER)
    assert refused.value.code == "expiry_contradicts_clause"
    assert refused.value.field == "effective"
    assert "expires on 19 February 2026" in refused.value.message
    assert "record it on 2026-02-19" in refused.value.message
    agreement.expire(effective=day(2026, 2), actor=OFFICER)  # a month holding the day
    assert agreement.state.expired == day(2026, 2)


def test_with_tacit_renewal_an_expiry_falls_at_the_end_of_a_term() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1, "tacit_renewal": {"years": 2}}})
    with pytest.raises(ExpiryContradictsClause) as refused:
        agreement.expire(effective=day(2027, 1, 1), actor=OFFICER)
    assert "expires on 19 February 2028" in refused.value.message
    agreement.expire(effective=day(2028, 2, 19), actor=OFFICER)
    assert state_as_of(agreement.history, as_of=date(2028, 2, 19)).status is (
        AgreementStatus.EXPIRED
    )


def test_after_a_recorded_renewal_the_officer_records_the_end() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    agreement.renew(effective=day(2026, 2, 1), actor=OFFICER, until=day(2027, 2, 18))
    agreement.expire(effective=day(2027, 2, 18), actor=OFFICER)
    assert agreement.state.expired == day(2027, 2, 18)


def test_an_expiry_before_the_clause_gives_an_entry_into_force_is_left_to_the_other_rules() -> None:
    agreement = treaty({"entry_into_force": BY_TWO, "duration": {"years": 1}})
    ratify(agreement, "PAK", date(2025, 1, 15))
    agreement.expire(effective=day(2025, 6, 1), actor=OFFICER)
    assert agreement.state.status is AgreementStatus.EXPIRED


# -- withdrawal and the count of instruments ---------------------------------------------------


def test_a_withdrawal_that_took_effect_leaves_the_count_of_instruments_as_deposited() -> None:
    """VCLT art. 55: a treaty does not end because its parties fall below the number needed
    for its entry into force; the clause counts deposits, and a later party still enters
    into force its deposit + D days."""
    agreement = in_force_by_clause({})
    agreement.notify_withdrawal(effective=day(2025, 3, 1), actor=OFFICER, party="PAK")
    ratify(agreement, "TUR", date(2026, 5, 1))
    after = state_as_of(agreement.history, as_of=date(2026, 6, 1))
    assert after.entered_into_force == day(2025, 2, 19)
    assert {row.code: row.status for row in after.parties} == {
        "PAK": PartyStatus.WITHDRAWN,
        "KAZ": PartyStatus.IN_FORCE,
        "UZB": PartyStatus.IN_FORCE,
        "TUR": PartyStatus.IN_FORCE,
    }
    assert party_row(after, "TUR").in_force == day(2026, 5, 21)
    assert party_row(after, "KAZ").in_force == day(2025, 2, 19)


def test_no_withdrawal_can_take_effect_before_the_instruments_are_counted() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 1, 15))
    with pytest.raises(NotInForce) as refused:
        agreement.notify_withdrawal(effective=day(2025, 1, 20), actor=OFFICER, party="PAK")
    assert refused.value.code == "not_in_force"


# -- UN registration -------------------------------------------------------------------------


def test_registration_follows_the_entry_into_force_the_clause_computes() -> None:
    agreement = in_force_by_clause({})
    assert agreement.state.entered_into_force == day(2025, 2, 19)  # none recorded
    with pytest.raises(RegistrationBeforeEntryIntoForce) as refused:
        agreement.register_with_un(effective=day(2025, 2, 18), actor=OFFICER, number="I-1")
    assert refused.value.code == "registration_before_entry_into_force"
    agreement.register_with_un(effective=day(2025, 2, 19), actor=OFFICER, number="I-1")
    registration = agreement.state.registration
    assert registration is not None and registration.date == day(2025, 2, 19)


def test_a_treaty_the_clause_has_not_yet_put_in_force_cannot_be_registered() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 1, 15))
    with pytest.raises(RegistrationBeforeEntryIntoForce):
        agreement.register_with_un(effective=day(2025, 6, 1), actor=OFFICER, number="I-1")


# -- termination ends standing everywhere ------------------------------------------------------


def test_termination_ends_every_partys_in_force_standing() -> None:
    agreement = in_force_by_clause({})
    agreement.terminate(effective=day(2025, 9, 1), actor=OFFICER)
    assert status(agreement, "PAK", date(2025, 8, 31)) is PartyStatus.IN_FORCE
    assert status(agreement, "PAK", date(2025, 9, 1)) is PartyStatus.TERMINATED
    assert status(agreement, "TUR", date(2025, 9, 1)) is PartyStatus.TERMINATED


def test_a_bilateral_withdrawal_ends_the_other_partys_standing() -> None:
    agreement = draft(withdrawal_notice_months=3, effective=day(2025, 1, 10))
    for code in ("PAK", "KAZ"):
        ratify(agreement, code, date(2025, 2, 10))
    agreement.enter_into_force(effective=day(2025, 3, 1), actor=OFFICER)
    agreement.notify_withdrawal(effective=day(2025, 4, 1), actor=OFFICER, party="PAK")
    on_the_day = state_as_of(agreement.history, as_of=date(2025, 7, 1))
    assert party_row(on_the_day, "PAK").status is PartyStatus.WITHDRAWN
    assert party_row(on_the_day, "KAZ").status is PartyStatus.TERMINATED


# -- every view agrees -----------------------------------------------------------------------


def test_the_timeline_changes_on_the_days_the_clause_gives() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    periods = status_timeline(agreement.history)
    starts = {period.start for period in periods}
    assert {date(2025, 2, 19), date(2025, 3, 21), date(2026, 2, 19)} <= starts
    for on in (date(2025, 2, 18), date(2025, 2, 19), date(2025, 3, 21), date(2026, 2, 19)):
        expected = Standing.of(state_as_of(agreement.history, as_of=on))
        assert standing_on(periods, on) == expected


def test_the_aggregate_rebuilt_from_its_events_has_the_same_state() -> None:
    agreement = in_force_by_clause({"duration": {"years": 3, "tacit_renewal": {"years": 3}}})
    assert rebuilt(agreement.collect_events()).state == agreement.state
    assert state_as_of(agreement.history) == agreement.state


def test_a_clause_corrected_later_shows_to_views_known_after_it() -> None:
    agreement = treaty({"entry_into_force": {"instruments": 3, "days_after": 0}})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 3, 10))
    before = datetime.now(UTC)
    agreement.correct(
        effective=day(2025, 3, 11),
        actor=OFFICER,
        corrects=1,
        changes={"clauses": {"entry_into_force": {"instruments": 2, "days_after": 0}}},
        reason="The clause says the second instrument",
    )
    assert agreement.state.entered_into_force == day(2025, 3, 10)
    earlier = state_as_of(agreement.history, known_at=before - timedelta(microseconds=1))
    assert earlier.entered_into_force is None


def test_a_terminated_agreement_lists_no_later_entry_into_force_as_a_deadline() -> None:
    agreement = treaty({"entry_into_force": BY_TWO})
    ratify(agreement, "PAK", date(2025, 3, 1))
    ratify(agreement, "KAZ", date(2025, 3, 10))
    ratify(agreement, "UZB", date(2025, 5, 1))  # in force on 21 May 2025
    on_day = state_as_of(agreement.history, as_of=date(2025, 5, 2))
    kinds = [(d.kind, d.party) for d in upcoming(on_day, agreement.state, date(2025, 12, 31))]
    assert (DeadlineKind.ENTRY_INTO_FORCE, "UZB") in kinds
    agreement.terminate(effective=day(2025, 5, 15), actor=OFFICER)
    on_day = state_as_of(agreement.history, as_of=date(2025, 5, 2))
    kinds = [(d.kind, d.party) for d in upcoming(on_day, agreement.state, date(2025, 12, 31))]
    assert kinds == [(DeadlineKind.TERMINATION, None)]


def test_a_fixed_term_shows_its_expiry_as_a_deadline() -> None:
    agreement = in_force_by_clause({"duration": {"years": 1}})
    on_day = state_as_of(agreement.history, as_of=date(2026, 1, 1))
    (deadline,) = upcoming(on_day, agreement.state, date(2026, 12, 31))
    assert (deadline.kind, deadline.due) == (DeadlineKind.EXPIRY, day(2026, 2, 19))
