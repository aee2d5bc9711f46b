"""Refusals of the domain: one class per rule, each with a stable `code` the API returns.

The message is written for the treaty officer who caused it: it names the party and the dates
involved and, where there is one, says what to do instead. `field` names the event field at
fault (the form field to highlight), or None when the refusal concerns the record as a whole.
"""

from __future__ import annotations

import re
from typing import Any

from registry.domain.dates import PartialDate, Precision

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def spoken(when: PartialDate) -> str:
    """`3 February 2026`, `February 2026` or `2026`: the precision shows in the words."""
    if when.precision is Precision.YEAR:
        return f"{when.year}"
    month = _MONTHS[(when.month or 1) - 1]
    if when.precision is Precision.MONTH:
        return f"{month} {when.year}"
    return f"{when.day} {month} {when.year}"


def refusal(template: str) -> str:
    """Marks a template that a refusal's own __init__ hands on to DomainError's (the catalogues'
    extractor, registry/web/domain_words.py, finds it as it finds the templates a raise gives)."""
    return template


def english(value: Any) -> str:
    """A refusal's parameter as the English message shows it (a date spoken)."""
    if isinstance(value, PartialDate):
        return spoken(value)
    if isinstance(value, DomainError):
        return value.message
    return str(value)  # a Phrase fills itself in English


class DomainError(Exception):
    """Refused by the treaty rules.

    `template` is the English message with `{name}` for each parameter (a party's name, a
    PartialDate, an event's number); `message` is it filled in English. The web layer fills the
    template's translation with the parameters in the reader's language instead."""

    code = "domain_error"
    field: str | None = None

    def __init__(self, template: str, /, *, field: str | None = None, **params: Any) -> None:
        message = (
            template.format(**{k: english(v) for k, v in params.items()}) if params else template
        )
        super().__init__(message)
        self.message = message
        self.template = template
        self.params: dict[str, Any] = params
        if field is not None:
            self.field = field


# -- fields and identity -------------------------------------------------------------------


class RequiredFieldMissing(DomainError):
    """A required field is missing or blank."""

    code = "required"


class ReasonRequired(RequiredFieldMissing):
    """This act needs a reason (a correction says what was wrong)."""

    code = "reason_required"
    field = "reason"


class ReferenceRequired(RequiredFieldMissing):
    """An agreement needs its reference."""

    code = "reference_required"
    field = "reference"


class EnglishTitleRequired(RequiredFieldMissing):
    """An agreement needs an English title (language en)."""

    code = "english_title_required"
    field = "titles"


class InvalidNoticePeriod(DomainError):
    """The withdrawal notice period is a whole number of months, 0 or more."""

    code = "invalid_notice_period"
    field = "withdrawal_notice_months"


class NotYetRecorded(DomainError):
    """A view known at an instant before the agreement was first recorded."""

    code = "not_yet_recorded"
    field = "known_at"


# -- parties -------------------------------------------------------------------------------


class WrongNumberOfParties(DomainError):
    """A bilateral agreement has exactly two parties; a multilateral one at least two."""

    code = "wrong_number_of_parties"
    field = "parties"


class DuplicatePartyCode(DomainError):
    """Two parties share one code."""

    code = "duplicate_party"
    field = "parties"


class PartyTypeCannotBind(DomainError):
    """Only states and international organisations are parties to a binding instrument."""

    code = "party_type_cannot_bind"
    field = "parties"


class UnknownParty(DomainError):
    """The party named is not a party to the agreement."""

    code = "unknown_party"
    field = "party"


class PartyAlreadyListed(DomainError):
    """The acceding state is already a party: record its consent without an acceding party."""

    code = "party_already_listed"
    field = "acceding"


class AccessionToBilateral(DomainError):
    """No state joins a bilateral agreement by accession."""

    code = "accession_to_bilateral"
    field = "acceding"


class JoiningNeedsAccession(DomainError):
    """A state that did not negotiate a multilateral treaty joins it by accession or succession."""

    code = "joining_needs_accession"
    field = "instrument"


class AccedingPartyMismatch(DomainError):
    """The acceding party's code differs from the acting party."""

    code = "acceding_party_mismatch"
    field = "acceding"


class PartyHasActed(DomainError):
    """A revision of the text may not drop a party that has signed or consented."""

    code = "party_has_acted"
    field = "parties"


class PartyWithdrawn(DomainError):
    """The party withdrew: it cannot act after its withdrawal took effect."""

    code = "party_withdrawn"
    field = "effective"


# -- text, signature, consent --------------------------------------------------------------


class TextAlreadyAdopted(DomainError):
    """The text was already adopted, or someone has signed: it can no longer be revised."""

    code = "text_already_adopted"


class DuplicateSignature(DomainError):
    """The party has already signed (only a signature ad referendum is confirmed by a second)."""

    code = "duplicate_signature"
    field = "party"


class DuplicateConsent(DomainError):
    """The party has already expressed its consent to be bound."""

    code = "duplicate_consent"
    field = "party"


class ConsentWithoutSignature(DomainError):
    """Ratification, acceptance, approval and formal confirmation need the party's earlier
    signature."""

    code = "consent_without_signature"
    field = "instrument"


class AlreadyBoundBySignature(DomainError):
    """The party signed definitively: it is bound already."""

    code = "already_bound_by_signature"
    field = "instrument"


class ReservationWithoutSignature(DomainError):
    """A reservation is made on signing or consenting: the party has done neither."""

    code = "reservation_without_signature"
    field = "party"


class NotForNonBinding(DomainError):
    """Non-binding instruments take effect by signature and create no legal obligations."""

    code = "not_for_non_binding"


class NonBindingTakesNoConsent(NotForNonBinding):
    """A non-binding instrument takes no consent to be bound."""

    code = "non_binding_takes_no_consent"


class NonBindingTakesNoEntryIntoForce(NotForNonBinding):
    """A non-binding instrument takes effect on signature; it does not enter into force."""

    code = "non_binding_takes_no_entry_into_force"


class NonBindingTakesNoProvisionalApplication(NotForNonBinding):
    """A non-binding instrument is not applied provisionally."""

    code = "non_binding_takes_no_provisional_application"


class NonBindingTakesNoReservations(NotForNonBinding):
    """A non-binding instrument takes no reservations; record a declaration."""

    code = "non_binding_takes_no_reservations"


# -- dates ---------------------------------------------------------------------------------


class DateOutOfOrder(DomainError):
    """The date contradicts the order of acts (e.g. a consent before its signature)."""

    code = "date_out_of_order"
    field = "effective"


class AgreementNotDrafted(DateOutOfOrder):
    """An act dated before the agreement's own Drafted date."""

    code = "agreement_not_drafted"


class AfterTermination(DomainError):
    """The agreement had ended (terminated, or a bilateral party withdrew) by that date."""

    code = "after_termination"
    field = "effective"


class AfterExpiry(DomainError):
    """The agreement had expired by that date; renew it first."""

    code = "after_expiry"
    field = "effective"


class LaterActsRecorded(DomainError):
    """An end (termination, expiry, withdrawal) dated before acts already recorded."""

    code = "later_acts_recorded"
    field = "effective"


# -- force, suspension, withdrawal, end ----------------------------------------------------


class EntryIntoForceWithoutConsent(DomainError):
    """Entry into force needs the parties' consent to be bound first."""

    code = "entry_into_force_without_consent"
    field = "party"


class AlreadyInForce(DomainError):
    """The agreement is already in force for that party (or for all)."""

    code = "already_in_force"
    field = "party"


class AlreadyProvisionallyApplied(DomainError):
    """The agreement is already applied provisionally for that scope."""

    code = "already_provisionally_applied"
    field = "party"


class NotInForce(DomainError):
    """Only an agreement in force (or in effect) can be suspended or withdrawn from."""

    code = "not_in_force"
    field = "party"


class AlreadySuspended(DomainError):
    """The agreement is already suspended for that scope."""

    code = "already_suspended"
    field = "party"


class NotSuspended(DomainError):
    """Only a suspension is resumed: nothing is suspended for that scope."""

    code = "not_suspended"
    field = "party"


class WithdrawalNoticeTooShort(DomainError):
    """The withdrawal takes effect before the notice period ends."""

    code = "withdrawal_notice_too_short"
    field = "takes_effect"


class WithdrawalAlreadyNotified(DomainError):
    """The party has already notified its withdrawal."""

    code = "withdrawal_already_notified"
    field = "party"


class AlreadyTerminated(DomainError):
    """The agreement is already terminated."""

    code = "already_terminated"


class AlreadyExpired(DomainError):
    """The agreement has already expired."""

    code = "already_expired"


class ExpiryWithinRenewedTerm(DomainError):
    """An expiry cannot fall inside a renewed term."""

    code = "expiry_within_renewed_term"
    field = "effective"


# -- amendments, documents, milestones -----------------------------------------------------


class AmendmentReferenceMismatch(DomainError):
    """The amendment's stream id is not the id of its reference."""

    code = "amendment_reference_mismatch"
    field = "amendment"


class AmendmentOfItself(DomainError):
    """An agreement does not amend itself."""

    code = "amendment_of_itself"
    field = "amendment_reference"


class DuplicateAmendment(DomainError):
    """This amendment is already recorded."""

    code = "duplicate_amendment"
    field = "amendment"


class InvalidDigest(DomainError):
    """A document's SHA-256 is 64 hexadecimal digits."""

    code = "invalid_sha256"
    field = "sha256"


class InvalidDocumentSize(DomainError):
    """A document's size is a whole number of bytes."""

    code = "invalid_document_size"
    field = "size"


class DuplicateDocument(DomainError):
    """This document (same SHA-256) is already attached."""

    code = "duplicate_document"
    field = "sha256"


class DuplicateMilestone(DomainError):
    """A milestone with this identifier already exists."""

    code = "duplicate_milestone"
    field = "milestone"


class MilestoneNotFound(DomainError):
    """There is no milestone with this identifier."""

    code = "milestone_not_found"
    field = "milestone"


class MilestoneAlreadyFinal(DomainError):
    """The milestone was achieved or cancelled: its status is final."""

    code = "milestone_already_final"
    field = "status"


class InvalidMilestoneTransition(DomainError):
    """A milestone cannot move to that status from its current one."""

    code = "invalid_milestone_transition"
    field = "status"


# -- corrections ---------------------------------------------------------------------------


class CorrectionTargetNotFound(DomainError):
    """There is no earlier event with that number."""

    code = "correction_target_not_found"
    field = "corrects"


class CorrectionOfRetractedEvent(DomainError):
    """A retracted event is not corrected: record the act anew."""

    code = "correction_of_retracted_event"
    field = "corrects"


class CorrectionOfCorrection(DomainError):
    """A correction is not corrected: correct the original event again."""

    code = "correction_of_correction"
    field = "corrects"


class DraftCannotBeRetracted(DomainError):
    """The Drafted event can be corrected, never retracted."""

    code = "draft_cannot_be_retracted"
    field = "corrects"


class NothingToCorrect(DomainError):
    """A correction gives a new effective date or new field values."""

    code = "nothing_to_correct"
    field = "changes"


class RetractionTakesNoChanges(DomainError):
    """A retraction removes the event: it takes no new date or values."""

    code = "retraction_takes_no_changes"
    field = "changes"


class NotACorrectableField(DomainError):
    """The change names a field the corrected event does not have."""

    code = "not_a_correctable_field"
    field = "changes"


class InvalidCorrectionValue(DomainError):
    """A new value does not fit its field."""

    code = "invalid_correction_value"
    field = "changes"


class ReferenceCannotChange(DomainError):
    """An agreement's reference is its identity and never changes."""

    code = "reference_cannot_change"
    field = "changes.reference"


class CorrectionBreaksHistory(DomainError):
    """The corrected history as a whole would break a rule; `violation` says which."""

    code = "correction_breaks_history"
    field = "corrects"

    def __init__(self, corrects: int, violation: DomainError, blocking: Any = None) -> None:
        if blocking is None:
            super().__init__(
                refusal(
                    "Correcting event {corrects} would make the record inconsistent: {violation}"
                ),
                corrects=corrects,
                violation=violation,
            )
        else:
            super().__init__(
                refusal(
                    "Correcting event {corrects} would break event {number} ({event}, "
                    "{effective}), which depends on it: {violation}. "
                    "Retract or correct event {number} first, then correct event {corrects}"
                ),
                corrects=corrects,
                number=blocking.originator_version,
                event=event_words(blocking),
                effective=blocking.effective,
                violation=violation,
            )
        self.violation = violation
        self.blocking_version: int | None = blocking.originator_version if blocking else None


# -- keyring -------------------------------------------------------------------------------


class InvalidKeyId(DomainError):
    """A key id is the key's fingerprint as the registry forms it."""

    code = "invalid_keyid"
    field = "keyid"


class DuplicateKeyId(DomainError):
    """This key is already registered."""

    code = "duplicate_keyid"
    field = "keyid"


class KeyNotFound(DomainError):
    """There is no such key."""

    code = "key_not_found"
    field = "keyid"


class KeyOfAnotherOfficer(DomainError):
    """The key belongs to another officer."""

    code = "key_of_another_officer"
    field = "officer"


class KeyAlreadyRevoked(DomainError):
    """The key is already revoked."""

    code = "key_already_revoked"
    field = "keyid"


class KeyAlreadyRotated(DomainError):
    """The key was already rotated to a new one."""

    code = "key_already_rotated"
    field = "old_keyid"


class InstantWithoutTimezone(DomainError):
    """An instant needs its time zone."""

    code = "instant_without_timezone"
    field = "invalid_from"


class Words(str):
    """English words inside a refusal (an event's name, a status) that the interface translates."""


class EventType(str):
    """An event type's name (`EnteredIntoForce`) inside a refusal; the interface shows its label."""


def event_type(event: object) -> EventType:
    return EventType(type(event).__name__)


class Phrase:
    """A part of a refusal with parameters of its own (`{name}'s withdrawal would take effect`),
    given to the refusal as one parameter."""

    def __init__(self, template: str, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.template
        return self.template.format(**{name: english(v) for name, v in self.params.items()})


def words(code: str) -> Words:
    """A value's code in words: `ad_referendum` is `ad referendum`."""
    return Words(code.replace("_", " "))


def event_words(event: object) -> Words:
    """An event's type in words: a `Signed` event is `signed`."""
    return Words(_words(type(event).__name__))


def all_error_classes() -> list[type[DomainError]]:
    """Every refusal, for the API's documentation of codes."""
    found: list[type[DomainError]] = []
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop(0)
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _words(type_name: str) -> str:
    """`EnteredIntoForce` -> `entered into force`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()
