"""The event catalogue (VCLT articles in brackets). Each class is one kind of signed event.

Every event carries the common fields `effective`, `actor`, `source` and `reason`; the rest are
the type's own data, which is what the signed envelope carries under "data" (see codec.py).
Names are past tense and unique across the whole catalogue: the class name is the wire "type".
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from registry.domain.dates import PartialDate
from registry.domain.values import (
    AgreementKind,
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    MilestoneStatus,
    Party,
    SignatureType,
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

    def apply(self, aggregate: Any) -> None:
        # The aggregate's `apply_event` only changes state, never checks: replaying stored
        # history must never fail. Commands check their rules before triggering events.
        aggregate.apply_event(self)


class AgreementEvent(RegistryEvent):
    pass


class Drafted(Aggregate.Created, AgreementEvent):
    reference: str
    titles: dict[str, str]
    kind: AgreementKind
    character: LegalCharacter
    multilateral: bool
    parties: tuple[Party, ...]
    parent: str | None
    withdrawal_notice_months: int
    summary: str | None
    # Final clauses (clauses.py); absent from the data of agreements drafted without them.
    clauses: dict[str, Any] | None = field(default=None, metadata=ABSENT_WHEN_NONE)


class TextAmended(AgreementEvent):
    summary: str
    titles: dict[str, str] | None
    parties: tuple[Party, ...] | None


class TextAdopted(AgreementEvent):  # art. 9
    place: str | None


class Signed(AgreementEvent):  # art. 12
    party: str
    signatory: str
    capacity: str
    signature_type: SignatureType
    place: str | None


class ConsentExpressed(AgreementEvent):  # arts. 14-16
    party: str
    instrument: ConsentKind
    acceding: Party | None  # a state joining a multilateral treaty it did not negotiate


class ReservationMade(AgreementEvent):  # arts. 19-23
    party: str
    article: str | None
    text: str


class DeclarationMade(AgreementEvent):  # arts. 19-23
    party: str
    article: str | None
    text: str


class ProvisionallyApplied(AgreementEvent):  # art. 25; party None means all
    party: str | None


class EnteredIntoForce(AgreementEvent):  # art. 24; party None means all
    party: str | None


class Amended(AgreementEvent):  # arts. 39-41; the amendment is its own agreement stream
    amendment: str
    amendment_reference: str
    summary: str


class MilestoneRecorded(AgreementEvent):
    milestone: str
    title: str
    due: PartialDate | None
    status: MilestoneStatus
    description: str | None


class MilestoneStatusChanged(AgreementEvent):
    milestone: str
    status: MilestoneStatus


class Suspended(AgreementEvent):  # art. 57; party None means all
    party: str | None


class Resumed(AgreementEvent):  # art. 58
    party: str | None


class WithdrawalNotified(AgreementEvent):  # arts. 54, 56
    party: str
    takes_effect: PartialDate


class Terminated(AgreementEvent):  # art. 54
    pass


class Expired(AgreementEvent):
    pass


class Renewed(AgreementEvent):
    until: PartialDate | None


class DocumentAttached(AgreementEvent):
    sha256: str
    filename: str
    media_type: str
    size: int
    title: str
    language: str | None


class EventCorrected(AgreementEvent):
    """Supersedes (new effective date and/or field values) or retracts an earlier event."""

    corrects: int
    action: CorrectionAction
    new_effective: PartialDate | None
    changes: dict[str, Any]


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
    EventCorrected,
)
KEY_EVENTS: tuple[type[KeyEvent], ...] = (KeyringOpened, KeyRegistered, KeyRotated, KeyRevoked)

EVENT_TYPES: dict[str, type[RegistryEvent]] = {
    cls.__name__: cls for cls in (*AGREEMENT_EVENTS, *KEY_EVENTS)
}
