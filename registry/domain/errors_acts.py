"""Refusals of the depositary's further acts: objections, withdrawals of statements,
territorial application, succession, formal confirmation, registration, particulars and
footnotes. Like errors.py: one class per rule, a stable `code`, its description as docstring.
"""

from __future__ import annotations

from registry.domain.errors import DateOutOfOrder, DomainError, NotForNonBinding


class FormalConfirmationByOrganisationOnly(DomainError):
    """Formal confirmation is the consent of an international organisation (1986 Convention
    art. 2(1)(b bis)); a state ratifies, accepts or approves instead."""

    code = "formal_confirmation_by_organisation_only"
    field = "instrument"


class PredecessorWithoutSuccession(DomainError):
    """A predecessor state is named only for a succession."""

    code = "predecessor_without_succession"
    field = "predecessor"


class SuccessionNeedsPredecessor(DomainError):
    """A succession names the predecessor state whose signature or consent passes on."""

    code = "succession_needs_predecessor"
    field = "predecessor"


class PredecessorIsSuccessor(DomainError):
    """A state cannot succeed itself."""

    code = "predecessor_is_successor"
    field = "predecessor"


class SuccessionToBilateral(DomainError):
    """Only a multilateral agreement takes a new party by succession to a signature."""

    code = "succession_to_bilateral"
    field = "successor"


class SuccessorPartyMismatch(DomainError):
    """The successor's code must be the acting party's."""

    code = "successor_party_mismatch"
    field = "successor"


class SuccessorAlreadyListed(DomainError):
    """The successor is already a party: name it as the party, without a successor."""

    code = "successor_already_listed"
    field = "successor"


class NonBindingTakesNoObjections(NotForNonBinding):
    """A non-binding instrument takes no reservations, so nothing to object to."""

    code = "non_binding_takes_no_objections"


class ReservationNotFound(DomainError):
    """The objection names an event that is not a reservation of this agreement."""

    code = "reservation_not_found"
    field = "reservation"


class ReservationOfAnotherParty(DomainError):
    """The reservation named was made by another party than the reserving party given."""

    code = "reservation_of_another_party"
    field = "reserving_party"


class ObjectionToOwnReservation(DomainError):
    """A party does not object to its own reservation: it withdraws it."""

    code = "objection_to_own_reservation"
    field = "reserving_party"


class ObjectionToWithdrawnReservation(DomainError):
    """A reservation withdrawn (VCLT art. 22) can no longer be objected to."""

    code = "objection_to_withdrawn_reservation"
    field = "reservation"


class DuplicateObjection(DomainError):
    """The party has already objected to this reservation (and not withdrawn it)."""

    code = "duplicate_objection"
    field = "reservation"


class StatementNotFound(DomainError):
    """The withdrawal names an event that is not a reservation, declaration or objection."""

    code = "statement_not_found"
    field = "statement"


class StatementOfAnotherParty(DomainError):
    """Only the party that made a reservation, declaration or objection withdraws it."""

    code = "statement_of_another_party"
    field = "statement"


class StatementAlreadyWithdrawn(DomainError):
    """The reservation, declaration or objection was already withdrawn."""

    code = "statement_already_withdrawn"
    field = "statement"


class TerritoriesRequired(DomainError):
    """A territorial declaration names at least one territory, each once."""

    code = "territories_required"
    field = "territories"


class TakesEffectBeforeDeclaration(DateOutOfOrder):
    """A territorial declaration cannot take effect before it is made."""

    code = "takes_effect_before_declaration"
    field = "takes_effect"


class NonBindingCannotBeRegistered(NotForNonBinding):
    """UN Charter art. 102 registers treaties and international agreements, not non-binding
    instruments."""

    code = "non_binding_not_registered"


class RegistrationBeforeEntryIntoForce(DomainError):
    """The UN Secretariat registers an agreement once it has entered into force (for at least
    two parties)."""

    code = "registration_before_entry_into_force"
    field = "effective"


class AlreadyRegistered(DomainError):
    """The agreement already has its UN registration: correct that event instead."""

    code = "already_registered"
    field = "number"


class UntsPageWithoutVolume(DomainError):
    """A UNTS page is cited with its volume."""

    code = "unts_page_without_volume"
    field = "unts_page"


class NoParticulars(DomainError):
    """Particulars recorded must give at least one: depositary, place or date of
    conclusion, authentic languages."""

    code = "no_particulars"


class InvalidLanguageCode(DomainError):
    """Authentic languages are language codes (ISO 639, e.g. en, fr, zh), each once."""

    code = "invalid_language_code"
    field = "authentic_languages"


class DuplicateFootnote(DomainError):
    """This participant (or the general notes) already has a footnote with this mark."""

    code = "duplicate_footnote"
    field = "mark"
