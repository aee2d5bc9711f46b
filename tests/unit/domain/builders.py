"""Small builders for agreements and histories, so each test states only what it varies."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from registry.domain.agreement import Agreement
from registry.domain.dates import PartialDate
from registry.domain.events import AgreementEvent
from registry.domain.state import AgreementState, MilestoneRow, PartyRow
from registry.domain.values import (
    AgreementKind,
    ConsentKind,
    LegalCharacter,
    Party,
    PartyType,
    SignatureType,
)

PAKISTAN = Party("PAK", "Pakistan", PartyType.STATE)
KAZAKHSTAN = Party("KAZ", "Kazakhstan", PartyType.STATE)
UZBEKISTAN = Party("UZB", "Uzbekistan", PartyType.STATE)
AFGHANISTAN = Party("AFG", "Afghanistan", PartyType.STATE)
ISSI = Party("ISSI", "Institute of Strategic Studies Islamabad", PartyType.INSTITUTE)
FPRI = Party("KZ-FPRI", "Foreign Policy Research Institute", PartyType.INSTITUTE)
OFFICER = "officer.islamabad"
DRAFTED_ON = PartialDate(2026, 1, 10)
IN_FORCE_ON = PartialDate(2026, 3, 1)


def day(year: int, month: int | None = None, date: int | None = None) -> PartialDate:
    return PartialDate(year, month, date)


def instant(month: int, date: int, hour: int = 9) -> datetime:
    """An instant in 2026, UTC."""
    return datetime(2026, month, date, hour, tzinfo=UTC)


def draft(
    reference: str = "PK-KZ-2026-001",
    *,
    effective: PartialDate = DRAFTED_ON,
    parties: Sequence[Party] = (PAKISTAN, KAZAKHSTAN),
    multilateral: bool = False,
    character: LegalCharacter = LegalCharacter.BINDING,
    kind: AgreementKind = AgreementKind.AGREEMENT,
    **fields: Any,
) -> Agreement:
    fields.setdefault("titles", {"en": "Agreement on Transit Trade", "ru": "Соглашение"})
    return Agreement.draft(
        effective=effective,
        actor=OFFICER,
        reference=reference,
        kind=kind,
        character=character,
        multilateral=multilateral,
        parties=tuple(parties),
        **fields,
    )


def draft_mou(**fields: Any) -> Agreement:
    fields.setdefault("titles", {"en": "MoU between ISSI and the FPRI"})
    return draft(
        "PK-KZ-2026-002",
        parties=(ISSI, FPRI),
        character=LegalCharacter.NON_BINDING,
        kind=AgreementKind.MEMORANDUM_OF_UNDERSTANDING,
        **fields,
    )


def draft_multilateral(**fields: Any) -> Agreement:
    fields.setdefault("titles", {"en": "Trans-Afghan Railway Framework"})
    return draft(
        "TAR-2026-001",
        parties=(PAKISTAN, KAZAKHSTAN, UZBEKISTAN),
        multilateral=True,
        kind=AgreementKind.FRAMEWORK,
        **fields,
    )


def sign(
    agreement: Agreement,
    party: str,
    on: PartialDate,
    signature_type: SignatureType = SignatureType.SIMPLE,
) -> None:
    agreement.sign(
        effective=on,
        actor=OFFICER,
        party=party,
        signatory=f"Foreign Minister of {party}",
        capacity="Minister for Foreign Affairs",
        signature_type=signature_type,
        place="Astana",
    )


def consent(
    agreement: Agreement,
    party: str,
    on: PartialDate,
    instrument: ConsentKind = ConsentKind.RATIFICATION,
    acceding: Party | None = None,
) -> None:
    agreement.express_consent(
        effective=on, actor=OFFICER, party=party, instrument=instrument, acceding=acceding
    )


def in_force(agreement: Agreement, on: PartialDate = IN_FORCE_ON) -> Agreement:
    """Signed by both on 3 Feb, ratified on 15 and 20 Feb, in force on `on`."""
    sign(agreement, "PAK", day(2026, 2, 3))
    sign(agreement, "KAZ", day(2026, 2, 3))
    consent(agreement, "PAK", day(2026, 2, 15))
    consent(agreement, "KAZ", day(2026, 2, 20))
    agreement.enter_into_force(effective=on, actor=OFFICER)
    return agreement


def party_row(state: AgreementState, code: str) -> PartyRow:
    """The party's row, which the test expects to be there."""
    found = state.party(code)
    assert found is not None, f"{code} is not among the parties"
    return found


def milestone_row(state: AgreementState, milestone_id: str) -> MilestoneRow:
    found = state.milestone(milestone_id)
    assert found is not None, f"no milestone {milestone_id}"
    return found


def recorded(events: Sequence[AgreementEvent], *instants: datetime) -> list[AgreementEvent]:
    """The events with the given recorded instants (as the store sets them), in order."""
    assert len(events) == len(instants)
    return [
        dataclasses.replace(event, timestamp=moment)
        for event, moment in zip(events, instants, strict=True)
    ]


def rebuilt(events: Sequence[AgreementEvent]) -> Agreement:
    """The aggregate as a repository rebuilds it from stored events."""
    aggregate: Any = None
    for event in events:
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Agreement)
    return aggregate
