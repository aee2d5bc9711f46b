"""Value types of the agreement domain: kinds, parties, instruments, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from registry.domain.dates import PartialDate


class AgreementKind(Enum):
    TREATY = "treaty"
    CONVENTION = "convention"
    AGREEMENT = "agreement"
    PROTOCOL = "protocol"
    EXCHANGE_OF_NOTES = "exchange_of_notes"
    MEMORANDUM_OF_UNDERSTANDING = "memorandum_of_understanding"
    JOINT_DECLARATION = "joint_declaration"
    ROADMAP = "roadmap"
    ACTION_PLAN = "action_plan"
    FRAMEWORK = "framework"


class LegalCharacter(Enum):
    BINDING = "binding"
    NON_BINDING = "non_binding"


class PartyType(Enum):
    STATE = "state"
    INTERNATIONAL_ORGANISATION = "international_organisation"
    AGENCY = "agency"
    INSTITUTE = "institute"

    @property
    def may_bind(self) -> bool:
        """Only states and international organisations conclude binding instruments."""
        return self in (PartyType.STATE, PartyType.INTERNATIONAL_ORGANISATION)


class SignatureType(Enum):
    SIMPLE = "simple"
    DEFINITIVE = "definitive"
    AD_REFERENDUM = "ad_referendum"


class ConsentKind(Enum):
    """VCLT arts. 14-16, plus notification of completed internal procedures, and formal
    confirmation: an international organisation's act corresponding to ratification (1986
    Convention art. 2(1)(b bis))."""

    RATIFICATION = "ratification"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    ACCESSION = "accession"
    SUCCESSION = "succession"
    NOTIFICATION = "notification"
    FORMAL_CONFIRMATION = "formal_confirmation"

    @property
    def needs_prior_signature(self) -> bool:
        return self in (
            ConsentKind.RATIFICATION,
            ConsentKind.ACCEPTANCE,
            ConsentKind.APPROVAL,
            ConsentKind.FORMAL_CONFIRMATION,
        )

    @property
    def untc_mark(self) -> str:
        """The United Nations Treaty Collection's mark after the date of consent: A
        acceptance, AA approval, a accession, d succession, c formal confirmation; none for
        ratification (or a notification of completed internal procedures)."""
        return _UNTC_MARKS.get(self, "")


_UNTC_MARKS = {
    ConsentKind.ACCEPTANCE: "A",
    ConsentKind.APPROVAL: "AA",
    ConsentKind.ACCESSION: "a",
    ConsentKind.SUCCESSION: "d",
    ConsentKind.FORMAL_CONFIRMATION: "c",
}


class TerritorialScope(Enum):
    """A territorial declaration extends the treaty to territories, or excludes them (VCLT
    art. 29: a treaty binds a party in respect of its entire territory unless otherwise)."""

    EXTENDS = "extends"
    EXCLUDES = "excludes"


class MilestoneStatus(Enum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    MISSED = "missed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (MilestoneStatus.ACHIEVED, MilestoneStatus.CANCELLED)

    def may_become(self, status: MilestoneStatus) -> bool:
        """planned -> in progress -> achieved / missed / cancelled; missed may resume."""
        return status in _MILESTONE_SUCCESSORS[self]


_MILESTONE_SUCCESSORS: dict[MilestoneStatus, frozenset[MilestoneStatus]] = {
    MilestoneStatus.PLANNED: frozenset({MilestoneStatus.IN_PROGRESS, MilestoneStatus.CANCELLED}),
    MilestoneStatus.IN_PROGRESS: frozenset(
        {MilestoneStatus.ACHIEVED, MilestoneStatus.MISSED, MilestoneStatus.CANCELLED}
    ),
    MilestoneStatus.MISSED: frozenset({MilestoneStatus.IN_PROGRESS, MilestoneStatus.CANCELLED}),
    MilestoneStatus.ACHIEVED: frozenset(),
    MilestoneStatus.CANCELLED: frozenset(),
}


class CorrectionAction(Enum):
    SUPERSEDE = "supersede"
    RETRACT = "retract"


class AgreementStatus(Enum):
    """Derived, never typed in (see history.state_as_of)."""

    NOT_YET_DRAFTED = "not_yet_drafted"
    DRAFT = "draft"
    ADOPTED = "adopted"
    SIGNED = "signed"
    PROVISIONALLY_APPLIED = "provisionally_applied"
    IN_FORCE = "in_force"
    IN_EFFECT = "in_effect"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    EXPIRED = "expired"


class PartyStatus(Enum):
    """One party's standing, derived like AgreementStatus."""

    LISTED = "listed"
    SIGNED = "signed"
    BOUND = "bound"  # consent expressed (or signed definitively), not yet in force
    PROVISIONALLY_APPLYING = "provisionally_applying"
    IN_FORCE = "in_force"
    IN_EFFECT = "in_effect"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"  # the agreement was terminated (or, bilateral, the other withdrew)
    EXPIRED = "expired"  # the agreement expired


@dataclass(frozen=True)
class Notification:
    """A depositary notification: its number (e.g. `C.N.464.2017.TREATIES-XXVII.7.d`) and the
    date it bears, when known."""

    number: str
    date: PartialDate | None = None


@dataclass(frozen=True)
class Party:
    """A participant: `code` is its stable identifier (ISO 3166 alpha-3 for states)."""

    code: str
    name: str
    type: PartyType
