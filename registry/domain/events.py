"""The fields of each kind of signed event, with their types and defaults (VCLT articles in
brackets). Everything else about a type (its command, article, rules, act kind, label...) is
declared beside it in catalogue.py, which checks that every class here is declared there.

Every event carries the common fields `effective`, `actor`, `source` and `reason`; an
agreement's event also carries an optional depositary `notification`. The rest are the type's
own data, which is what the signed envelope carries under "data" (see codec.py). A field
listed in the class's `ELIDED` is left out of the data when it is None (so events recorded
before the field existed keep their exact signed form). Names are past tense and unique
across the whole catalogue: the class name is the wire "type". A default here is the command's
default: the field may be left out of fixtures, forms and API bodies.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from registry.domain.dates import PartialDate
from registry.domain.values import (
    AgreementKind,
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    MilestoneStatus,
    Notification,
    Party,
    SignatureType,
    TerritorialScope,
)

COMMON_FIELDS = ("effective", "actor", "source", "reason")
# A field added later: left out of the signed data when None, so that events without it keep
# their bytes, and read as None when absent.
ABSENT_WHEN_NONE = {"absent_when_none": True}


class RegistryEvent(Aggregate.Event):
    """Common fields of every registry event; `recorded` is the stored `timestamp`."""

    effective: PartialDate
    actor: str
    source: str | None
    reason: str | None

    ELIDED: ClassVar[frozenset[str]] = frozenset()

    def apply(self, aggregate: Any) -> None:
        # The aggregate's `apply_event` only changes state, never checks: replaying stored
        # history must never fail. Commands check their rules before triggering events.
        aggregate.apply_event(self)


class AgreementEvent(RegistryEvent):
    notification: Notification | None  # the depositary notification that reported the act

    ELIDED: ClassVar[frozenset[str]] = frozenset({"notification"})


class Drafted(Aggregate.Created, AgreementEvent):
    reference: str
    titles: dict[str, str]
    kind: AgreementKind
    character: LegalCharacter
    multilateral: bool
    parties: tuple[Party, ...]
    parent: str | None = None
    withdrawal_notice_months: int = 12
    summary: str | None = None
    # Final clauses (clauses.py); absent from the data of agreements drafted without them.
    clauses: dict[str, Any] | None = field(default=None, metadata=ABSENT_WHEN_NONE)


class TextAmended(AgreementEvent):
    summary: str
    titles: dict[str, str] | None = None
    parties: tuple[Party, ...] | None = None


class TextAdopted(AgreementEvent):  # art. 9
    place: str | None = None


class Signed(AgreementEvent):  # art. 12; with a predecessor, succession to its signature
    party: str
    signatory: str
    capacity: str
    signature_type: SignatureType = SignatureType.SIMPLE
    place: str | None = None
    predecessor: str | None = None  # the state whose signature the party succeeds to
    successor: Party | None = None  # the successor state, when it is not yet a party

    ELIDED: ClassVar[frozenset[str]] = frozenset({"notification", "predecessor", "successor"})


class ConsentExpressed(AgreementEvent):  # arts. 14-16
    party: str
    instrument: ConsentKind
    acceding: Party | None = None  # a state joining a multilateral treaty it did not negotiate
    predecessor: str | None = None  # consent by succession: the predecessor state

    ELIDED: ClassVar[frozenset[str]] = frozenset({"notification", "predecessor"})


class ReservationMade(AgreementEvent):  # arts. 19-23
    party: str
    text: str
    article: str | None = None


class DeclarationMade(AgreementEvent):  # arts. 19-23
    party: str
    text: str
    article: str | None = None


class ObjectionMade(AgreementEvent):  # arts. 20(4)(b), 21(3)
    party: str  # the objecting party
    reserving_party: str
    reservation: int  # the ReservationMade event objected to
    opposes_entry_into_force: bool = False  # precludes entry into force between the two
    text: str | None = None


class StatementWithdrawn(AgreementEvent):  # arts. 22, 23(4)
    party: str
    statement: int  # the ReservationMade, DeclarationMade or ObjectionMade event withdrawn
    text: str | None = None


class TerritorialApplicationDeclared(AgreementEvent):  # art. 29
    party: str
    scope: TerritorialScope
    territories: tuple[str, ...]
    takes_effect: PartialDate | None = None  # None: on the date of the declaration
    text: str | None = None


class ProvisionallyApplied(AgreementEvent):  # art. 25; party None means all
    party: str | None = None


class EnteredIntoForce(AgreementEvent):  # art. 24; party None means all
    party: str | None = None


class Amended(AgreementEvent):  # arts. 39-41; the amendment is its own agreement stream
    amendment_reference: str
    summary: str
    amendment: str  # its stream id; the command computes it from the reference


class MilestoneRecorded(AgreementEvent):
    milestone: str
    title: str
    due: PartialDate | None = None
    status: MilestoneStatus = MilestoneStatus.PLANNED
    description: str | None = None


class MilestoneStatusChanged(AgreementEvent):
    milestone: str
    status: MilestoneStatus


class Suspended(AgreementEvent):  # art. 57; party None means all
    party: str | None = None


class Resumed(AgreementEvent):  # art. 58
    party: str | None = None


class WithdrawalNotified(AgreementEvent):  # arts. 54, 56
    party: str
    takes_effect: PartialDate  # the command computes it from the notice period when left out


class Terminated(AgreementEvent):  # art. 54
    pass


class Expired(AgreementEvent):
    pass


class Renewed(AgreementEvent):
    until: PartialDate | None = None


class DocumentAttached(AgreementEvent):
    sha256: str
    filename: str
    media_type: str
    size: int
    title: str
    language: str | None = None


class ParticularsRecorded(AgreementEvent):
    """The agreement's particulars, as its final clauses and the depositary give them; a field
    left out (None) keeps what earlier records said."""

    depositary: str | None = None
    concluded_place: str | None = None
    concluded_on: PartialDate | None = None
    authentic_languages: tuple[str, ...] | None = None


class RegisteredWithUN(AgreementEvent):  # UN Charter art. 102; effective: registration date
    number: str
    unts_volume: int | None = None
    unts_page: int | None = None


class FootnoteRecorded(AgreementEvent):
    """A note of the status table: on one participant (`party`) or general (None)."""

    mark: str
    text: str
    party: str | None = None


class EventCorrected(AgreementEvent):
    """Supersedes (new effective date and/or field values) or retracts an earlier event."""

    corrects: int
    changes: dict[str, Any]  # field names of the target to new values, kept JSON-native
    action: CorrectionAction = CorrectionAction.SUPERSEDE
    new_effective: PartialDate | None = None


class KeyEvent(RegistryEvent):
    """Officer signing-key lifecycle, in the keyring stream, signed by the registry authority."""


class KeyringOpened(Aggregate.Created, KeyEvent):
    pass


class KeyRegistered(KeyEvent):
    officer: str
    keyid: str
    public_key: str
    role: str


class KeyRotated(KeyEvent):
    officer: str
    old_keyid: str
    new_keyid: str
    public_key: str


class KeyRevoked(KeyEvent):
    """From `invalid_from` (default: when recorded) nothing signed by the key is valid."""

    officer: str
    keyid: str
    invalid_from: datetime | None


AGREEMENT_EVENTS: tuple[type[AgreementEvent], ...] = (
    Drafted,
    TextAmended,
    TextAdopted,
    Signed,
    ConsentExpressed,
    ReservationMade,
    DeclarationMade,
    ObjectionMade,
    StatementWithdrawn,
    TerritorialApplicationDeclared,
    ProvisionallyApplied,
    EnteredIntoForce,
    Amended,
    MilestoneRecorded,
    MilestoneStatusChanged,
    Suspended,
    Resumed,
    WithdrawalNotified,
    Terminated,
    Expired,
    Renewed,
    DocumentAttached,
    ParticularsRecorded,
    RegisteredWithUN,
    FootnoteRecorded,
    EventCorrected,
)
KEY_EVENTS: tuple[type[KeyEvent], ...] = (KeyringOpened, KeyRegistered, KeyRotated, KeyRevoked)

EVENT_TYPES: dict[str, type[RegistryEvent]] = {
    cls.__name__: cls for cls in (*AGREEMENT_EVENTS, *KEY_EVENTS)
}
