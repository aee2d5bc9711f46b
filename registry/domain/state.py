"""The state of an agreement on a date, as known at an instant: plain, frozen data.

Built by `history.state_as_of` (and by `Agreement.state` for current knowledge). Every date
is a PartialDate, so its precision travels with it. `to_dict()` is JSON-native (the codec's
wire forms: enums by value, dates in reduced ISO 8601, instants in UTC).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain.codec import format_instant, to_json
from registry.domain.dates import PartialDate
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    MilestoneStatus,
    PartyStatus,
    PartyType,
    SignatureType,
    TerritorialScope,
)


@dataclass(frozen=True)
class SignatureRow:
    signature_type: SignatureType
    date: PartialDate
    signatory: str
    capacity: str
    place: str | None
    version: int


@dataclass(frozen=True)
class Statement:
    """A reservation or a declaration."""

    article: str | None
    text: str
    date: PartialDate
    version: int
    withdrawn: PartialDate | None  # VCLT art. 22


@dataclass(frozen=True)
class ObjectionRow:
    """An objection by the row's party to another party's reservation (VCLT arts. 20-21)."""

    reserving_party: str
    reservation: int  # the ReservationMade event
    opposes_entry_into_force: bool  # art. 20(4)(b)
    text: str | None
    date: PartialDate
    version: int
    withdrawn: PartialDate | None  # art. 22(2)


@dataclass(frozen=True)
class TerritorialRow:
    scope: TerritorialScope
    territories: tuple[str, ...]
    takes_effect: PartialDate  # its own date, or the declaration's
    text: str | None
    date: PartialDate
    version: int


@dataclass(frozen=True)
class FootnoteRow:
    party: str | None  # None: a general note
    mark: str
    text: str
    version: int


@dataclass(frozen=True)
class RegistrationRow:
    """UN Charter art. 102: registration number and date, and where the UNTS publishes it."""

    number: str
    date: PartialDate
    unts_volume: int | None
    unts_page: int | None
    version: int


@dataclass(frozen=True)
class PartyRow:
    code: str
    name: str
    type: PartyType
    status: PartyStatus
    joined: PartialDate | None  # by accession or succession; None for negotiating parties
    signature_type: SignatureType | None  # the operative (latest) signature
    signed: PartialDate | None
    signatures: tuple[SignatureRow, ...]
    consent: ConsentKind | None
    consented: PartialDate | None
    provisionally_applied: PartialDate | None
    in_force: PartialDate | None
    reservations: tuple[Statement, ...]
    declarations: tuple[Statement, ...]
    objections: tuple[ObjectionRow, ...]  # made by this party
    territorial: tuple[TerritorialRow, ...]
    predecessor: str | None  # by succession (to its signature or consent): the predecessor
    footnotes: tuple[str, ...]  # the marks of the notes on this party
    suspended: PartialDate | None  # since when, while suspended for this party or for all
    withdrawal_notified: PartialDate | None
    withdrawal_takes_effect: PartialDate | None
    withdrawn: bool
    # The parties between which and this one the treaty is not in force: an objection to a
    # reservation, by either of them, that opposes it (VCLT art. 20(4)(b)), standing on the
    # date (neither it nor the reservation withdrawn). In the parties' order.
    not_in_force_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class MilestoneRow:
    milestone: str
    title: str
    description: str | None
    due: PartialDate | None
    status: MilestoneStatus
    recorded: PartialDate
    changed: PartialDate  # when it took its current status


@dataclass(frozen=True)
class AmendmentRow:
    amendment: str
    reference: str
    summary: str
    date: PartialDate
    version: int


@dataclass(frozen=True)
class RevisionRow:
    """A revision of the draft text before adoption."""

    summary: str
    date: PartialDate
    version: int


@dataclass(frozen=True)
class DocumentRow:
    sha256: str
    filename: str
    media_type: str
    size: int
    title: str
    language: str | None
    date: PartialDate
    version: int


@dataclass(frozen=True)
class CorrectionRow:
    version: int  # the EventCorrected
    corrects: int
    corrected_type: str | None  # the target's event type, None if there was no such event
    action: CorrectionAction
    new_effective: PartialDate | None
    changes: dict[str, Any]  # JSON-native, as recorded
    reason: str | None
    actor: str
    date: PartialDate


@dataclass(frozen=True)
class AgreementState:
    id: UUID
    reference: str
    titles: dict[str, str]
    kind: AgreementKind
    character: LegalCharacter
    multilateral: bool
    parent: str | None
    summary: str | None
    withdrawal_notice_months: int
    status: AgreementStatus
    drafted: PartialDate
    adopted: PartialDate | None
    provisionally_applied: PartialDate | None  # for all parties
    entered_into_force: PartialDate | None  # for all parties
    suspended: PartialDate | None  # for all parties, since
    terminated: PartialDate | None
    expired: PartialDate | None
    renewed_until: PartialDate | None
    depositary: str | None
    concluded_place: str | None
    concluded_on: PartialDate | None
    authentic_languages: tuple[str, ...]
    registration: RegistrationRow | None
    footnotes: tuple[FootnoteRow, ...]  # general notes first, then by party, in mark order
    parties: tuple[PartyRow, ...]
    milestones: tuple[MilestoneRow, ...]
    amendments: tuple[AmendmentRow, ...]
    revisions: tuple[RevisionRow, ...]
    documents: tuple[DocumentRow, ...]
    corrections: tuple[CorrectionRow, ...]
    versions: tuple[int, ...]  # the events this state was built from
    as_of: date | None  # None: every known act, whatever its date
    known_at: datetime | None  # None: everything recorded
    clauses: dict[str, Any] | None = None  # the final clauses, as drafted (clauses.py)
    term_ends: PartialDate | None = None  # with tacit renewal: the current term's last day

    def party(self, code: str) -> PartyRow | None:
        return next((row for row in self.parties if row.code == code), None)

    def milestone(self, milestone: str) -> MilestoneRow | None:
        return next((row for row in self.milestones if row.milestone == milestone), None)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id)}
        for field in dataclasses.fields(self):
            if field.name not in ("id", "as_of", "known_at"):
                data[field.name] = to_json(getattr(self, field.name))
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        data["known_at"] = format_instant(self.known_at) if self.known_at else None
        return data
