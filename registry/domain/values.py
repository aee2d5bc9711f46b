"""Value types of the agreement domain: kinds, parties, instruments, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
    """VCLT arts. 14-16, plus notification of completed internal procedures."""

    RATIFICATION = "ratification"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    ACCESSION = "accession"
    SUCCESSION = "succession"
    NOTIFICATION = "notification"
    FORMAL_CONFIRMATION = "formal_confirmation"  # an international organisation's (1986, art. 2)

    @property
    def needs_prior_signature(self) -> bool:
        return self in (
            ConsentKind.RATIFICATION,
            ConsentKind.ACCEPTANCE,
            ConsentKind.APPROVAL,
            ConsentKind.FORMAL_CONFIRMATION,
        )


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
class Party:
    """A participant: `code` is its stable identifier (ISO 3166 alpha-3 for states)."""

    code: str
    name: str
    type: PartyType
