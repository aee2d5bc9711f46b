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


class DomainError(Exception):
    code = "domain_error"
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


# -- fields and identity -------------------------------------------------------------------


class RequiredFieldMissing(DomainError):
    code = "required"


class ReasonRequired(RequiredFieldMissing):
    code = "reason_required"
    field = "reason"


class ReferenceRequired(RequiredFieldMissing):
    code = "reference_required"
    field = "reference"


class EnglishTitleRequired(RequiredFieldMissing):
    code = "english_title_required"
    field = "titles"


class InvalidNoticePeriod(DomainError):
    code = "invalid_notice_period"
    field = "withdrawal_notice_months"


class NotYetRecorded(DomainError):
    """A view known at an instant before the agreement was first recorded."""

    code = "not_yet_recorded"
    field = "known_at"


# -- parties -------------------------------------------------------------------------------


class WrongNumberOfParties(DomainError):
    code = "wrong_number_of_parties"
    field = "parties"


class DuplicatePartyCode(DomainError):
    code = "duplicate_party"
    field = "parties"


class PartyTypeCannotBind(DomainError):
    code = "party_type_cannot_bind"
    field = "parties"


class UnknownParty(DomainError):
    code = "unknown_party"
    field = "party"


class PartyAlreadyListed(DomainError):
    code = "party_already_listed"
    field = "acceding"


class AccessionToBilateral(DomainError):
    code = "accession_to_bilateral"
    field = "acceding"


class JoiningNeedsAccession(DomainError):
    code = "joining_needs_accession"
    field = "instrument"


class AccedingPartyMismatch(DomainError):
    code = "acceding_party_mismatch"
    field = "acceding"


class PartyHasActed(DomainError):
    code = "party_has_acted"
    field = "parties"


class PartyWithdrawn(DomainError):
    code = "party_withdrawn"
    field = "effective"


# -- text, signature, consent --------------------------------------------------------------


class TextAlreadyAdopted(DomainError):
    code = "text_already_adopted"


class DuplicateSignature(DomainError):
    code = "duplicate_signature"
    field = "party"


class DuplicateConsent(DomainError):
    code = "duplicate_consent"
    field = "party"


class ConsentWithoutSignature(DomainError):
    code = "consent_without_signature"
    field = "instrument"


class AlreadyBoundBySignature(DomainError):
    code = "already_bound_by_signature"
    field = "instrument"


class ReservationWithoutSignature(DomainError):
    code = "reservation_without_signature"
    field = "party"


class NotForNonBinding(DomainError):
    """Non-binding instruments take effect by signature and create no legal obligations."""

    code = "not_for_non_binding"


class NonBindingTakesNoConsent(NotForNonBinding):
    code = "non_binding_takes_no_consent"


class NonBindingTakesNoEntryIntoForce(NotForNonBinding):
    code = "non_binding_takes_no_entry_into_force"


class NonBindingTakesNoProvisionalApplication(NotForNonBinding):
    code = "non_binding_takes_no_provisional_application"


class NonBindingTakesNoReservations(NotForNonBinding):
    code = "non_binding_takes_no_reservations"


# -- dates ---------------------------------------------------------------------------------


class DateOutOfOrder(DomainError):
    code = "date_out_of_order"
    field = "effective"


class AgreementNotDrafted(DateOutOfOrder):
    """An act dated before the agreement's own Drafted date."""

    code = "agreement_not_drafted"


class AfterTermination(DomainError):
    code = "after_termination"
    field = "effective"


class AfterExpiry(DomainError):
    code = "after_expiry"
    field = "effective"


class LaterActsRecorded(DomainError):
    """An end (termination, expiry, withdrawal) dated before acts already recorded."""

    code = "later_acts_recorded"
    field = "effective"


# -- force, suspension, withdrawal, end ----------------------------------------------------


class EntryIntoForceWithoutConsent(DomainError):
    code = "entry_into_force_without_consent"
    field = "party"


class AlreadyInForce(DomainError):
    code = "already_in_force"
    field = "party"


class AlreadyProvisionallyApplied(DomainError):
    code = "already_provisionally_applied"
    field = "party"


class NotInForce(DomainError):
    code = "not_in_force"
    field = "party"


class AlreadySuspended(DomainError):
    code = "already_suspended"
    field = "party"


class NotSuspended(DomainError):
    code = "not_suspended"
    field = "party"


class WithdrawalNoticeTooShort(DomainError):
    code = "withdrawal_notice_too_short"
    field = "takes_effect"


class WithdrawalAlreadyNotified(DomainError):
    code = "withdrawal_already_notified"
    field = "party"


class AlreadyTerminated(DomainError):
    code = "already_terminated"


class AlreadyExpired(DomainError):
    code = "already_expired"


class ExpiryWithinRenewedTerm(DomainError):
    code = "expiry_within_renewed_term"
    field = "effective"


# -- amendments, documents, milestones -----------------------------------------------------


class AmendmentReferenceMismatch(DomainError):
    code = "amendment_reference_mismatch"
    field = "amendment"


class AmendmentOfItself(DomainError):
    code = "amendment_of_itself"
    field = "amendment_reference"


class DuplicateAmendment(DomainError):
    code = "duplicate_amendment"
    field = "amendment"


class InvalidDigest(DomainError):
    code = "invalid_sha256"
    field = "sha256"


class InvalidDocumentSize(DomainError):
    code = "invalid_document_size"
    field = "size"


class DuplicateDocument(DomainError):
    code = "duplicate_document"
    field = "sha256"


class DuplicateMilestone(DomainError):
    code = "duplicate_milestone"
    field = "milestone"


class MilestoneNotFound(DomainError):
    code = "milestone_not_found"
    field = "milestone"


class MilestoneAlreadyFinal(DomainError):
    code = "milestone_already_final"
    field = "status"


class InvalidMilestoneTransition(DomainError):
    code = "invalid_milestone_transition"
    field = "status"


# -- corrections ---------------------------------------------------------------------------


class CorrectionTargetNotFound(DomainError):
    code = "correction_target_not_found"
    field = "corrects"


class CorrectionOfRetractedEvent(DomainError):
    code = "correction_of_retracted_event"
    field = "corrects"


class CorrectionOfCorrection(DomainError):
    code = "correction_of_correction"
    field = "corrects"


class DraftCannotBeRetracted(DomainError):
    code = "draft_cannot_be_retracted"
    field = "corrects"


class NothingToCorrect(DomainError):
    code = "nothing_to_correct"
    field = "changes"


class RetractionTakesNoChanges(DomainError):
    code = "retraction_takes_no_changes"
    field = "changes"


class NotACorrectableField(DomainError):
    code = "not_a_correctable_field"
    field = "changes"


class InvalidCorrectionValue(DomainError):
    code = "invalid_correction_value"
    field = "changes"


class ReferenceCannotChange(DomainError):
    code = "reference_cannot_change"
    field = "changes.reference"


class CorrectionBreaksHistory(DomainError):
    """The corrected history as a whole would break a rule; `violation` says which."""

    code = "correction_breaks_history"
    field = "corrects"

    def __init__(self, corrects: int, violation: DomainError, blocking: Any = None) -> None:
        if blocking is None:
            message = f"Correcting event {corrects} would make the record inconsistent: {violation}"
        else:
            number = blocking.originator_version
            name = _words(type(blocking).__name__)
            message = (
                f"Correcting event {corrects} would break event {number} ({name}, "
                f"{spoken(blocking.effective)}), which depends on it: {violation}. "
                f"Retract or correct event {number} first, then correct event {corrects}"
            )
        super().__init__(message)
        self.violation = violation
        self.blocking_version: int | None = blocking.originator_version if blocking else None


# -- keyring -------------------------------------------------------------------------------


class InvalidKeyId(DomainError):
    code = "invalid_keyid"
    field = "keyid"


class DuplicateKeyId(DomainError):
    code = "duplicate_keyid"
    field = "keyid"


class KeyNotFound(DomainError):
    code = "key_not_found"
    field = "keyid"


class KeyOfAnotherOfficer(DomainError):
    code = "key_of_another_officer"
    field = "officer"


class KeyAlreadyRevoked(DomainError):
    code = "key_already_revoked"
    field = "keyid"


class KeyAlreadyRotated(DomainError):
    code = "key_already_rotated"
    field = "old_keyid"


class InstantWithoutTimezone(DomainError):
    code = "instant_without_timezone"
    field = "invalid_from"


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
