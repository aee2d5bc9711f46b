from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from registry.domain.agreement import Agreement
from registry.domain.dates import Precision
from registry.domain.errors import NotYetRecorded
from registry.domain.events import AgreementEvent
from registry.domain.history import state_as_of
from registry.domain.values import AgreementStatus, ConsentKind, PartyStatus
from tests.unit.domain.builders import (
    OFFICER,
    consent,
    day,
    draft,
    instant,
    party_row,
    recorded,
    sign,
)


def ratified_15_feb_recorded_3_mar() -> list[AgreementEvent]:
    """DESIGN.md's example: Pakistan ratified on 15 Feb, the registry learned of it on 3 Mar."""
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    return recorded(agreement.collect_events(), instant(1, 10), instant(2, 3), instant(3, 3))


def test_a_view_as_of_a_date_shows_what_took_effect_by_then() -> None:
    state = state_as_of(ratified_15_feb_recorded_3_mar(), as_of=date(2026, 2, 20))
    row = state.party("PAK")
    assert row is not None
    assert (row.consent, row.consented) == (ConsentKind.RATIFICATION, day(2026, 2, 15))
    assert row.status is PartyStatus.BOUND


def test_a_view_known_at_an_instant_shows_only_what_was_recorded_by_then() -> None:
    report_of_1_march = state_as_of(
        ratified_15_feb_recorded_3_mar(), as_of=date(2026, 2, 20), known_at=instant(3, 1)
    )
    row = report_of_1_march.party("PAK")
    assert row is not None
    assert row.consent is None
    assert row.status is PartyStatus.SIGNED
    assert report_of_1_march.versions == (1, 2)
    assert report_of_1_march.known_at == instant(3, 1)


def test_a_view_as_of_a_date_before_an_act_does_not_show_it() -> None:
    state = state_as_of(ratified_15_feb_recorded_3_mar(), as_of=date(2026, 2, 14))
    assert party_row(state, "PAK").consent is None
    assert state.versions == (1, 2)


def test_before_its_drafted_date_an_agreement_is_not_yet_drafted() -> None:
    state = state_as_of(ratified_15_feb_recorded_3_mar(), as_of=date(2026, 1, 9))
    assert state.status is AgreementStatus.NOT_YET_DRAFTED
    assert state.reference == "PK-KZ-2026-001"


def test_a_view_known_before_the_agreement_was_recorded_is_refused() -> None:
    with pytest.raises(NotYetRecorded) as refused:
        state_as_of(ratified_15_feb_recorded_3_mar(), known_at=instant(1, 9))
    assert "PK-KZ-2026-001" in refused.value.message


def test_known_at_must_be_an_instant_with_a_timezone() -> None:
    with pytest.raises(ValueError):
        state_as_of(ratified_15_feb_recorded_3_mar(), known_at=datetime(2026, 3, 1))


def test_a_vague_date_keeps_its_precision_and_counts_from_its_first_day() -> None:
    agreement = draft()
    sign(agreement, "PAK", day(2026, 2))  # "February 2026"
    events = agreement.history
    on_1_feb = state_as_of(events, as_of=date(2026, 2, 1)).party("PAK")
    on_31_jan = state_as_of(events, as_of=date(2026, 1, 31)).party("PAK")
    assert on_1_feb is not None and on_31_jan is not None
    assert on_1_feb.signed == day(2026, 2)
    assert on_1_feb.signed.precision is Precision.MONTH
    assert on_31_jan.signed is None


def test_status_follows_the_life_of_a_bilateral_agreement() -> None:
    agreement = draft()
    statuses = [agreement.state.status]
    agreement.adopt_text(effective=day(2026, 2, 1), actor=OFFICER)
    statuses.append(agreement.state.status)
    sign(agreement, "PAK", day(2026, 2, 3))
    sign(agreement, "KAZ", day(2026, 2, 3))
    statuses.append(agreement.state.status)
    agreement.apply_provisionally(effective=day(2026, 2, 4), actor=OFFICER)
    statuses.append(agreement.state.status)
    consent(agreement, "PAK", day(2026, 2, 15))
    consent(agreement, "KAZ", day(2026, 2, 20))
    agreement.enter_into_force(effective=day(2026, 3, 1), actor=OFFICER)
    statuses.append(agreement.state.status)
    agreement.terminate(effective=day(2030, 3, 1), actor=OFFICER)
    statuses.append(agreement.state.status)
    assert [s.value for s in statuses] == [
        "draft",
        "adopted",
        "signed",
        "provisionally_applied",
        "in_force",
        "terminated",
    ]
    as_of = [
        state_as_of(agreement.history, as_of=date(2026, month, 2)).status.value
        for month in (1, 2, 3)
    ]
    assert as_of == ["not_yet_drafted", "adopted", "in_force"]


def test_the_state_is_json_native() -> None:
    state = state_as_of(
        ratified_15_feb_recorded_3_mar(), as_of=date(2026, 2, 20), known_at=instant(3, 3)
    )
    data = json.loads(json.dumps(state.to_dict()))
    assert data["id"] == str(Agreement.create_id("PK-KZ-2026-001"))
    assert data["status"] == "signed"
    assert data["as_of"] == "2026-02-20"
    assert data["known_at"] == "2026-03-03T09:00:00.000000Z"
    pakistan = data["parties"][0]
    assert pakistan["code"] == "PAK"
    assert pakistan["consent"] == "ratification"
    assert pakistan["consented"] == "2026-02-15"
    assert pakistan["signatures"][0]["signature_type"] == "simple"
    assert data["versions"] == [1, 2, 3]


def test_the_state_does_not_depend_on_the_order_events_are_given_in() -> None:
    events = ratified_15_feb_recorded_3_mar()
    assert state_as_of(list(reversed(events))) == state_as_of(events)
