"""Signature, consent to be bound (VCLT arts. 12-16), reservations and declarations."""

from __future__ import annotations

from registry.domain.errors import (
    AccedingPartyMismatch,
    AccessionToBilateral,
    AlreadyBoundBySignature,
    ConsentWithoutSignature,
    DuplicateConsent,
    DuplicateSignature,
    JoiningNeedsAccession,
    NonBindingTakesNoConsent,
    NonBindingTakesNoReservations,
    PartyAlreadyListed,
    ReservationWithoutSignature,
    spoken,
)
from registry.domain.errors_acts import (
    FormalConfirmationByOrganisationOnly,
    PredecessorIsSuccessor,
    PredecessorWithoutSuccession,
    SuccessionNeedsPredecessor,
    SuccessionToBilateral,
    SuccessorAlreadyListed,
    SuccessorPartyMismatch,
)
from registry.domain.events import (
    ConsentExpressed,
    DeclarationMade,
    ReservationMade,
    Signed,
)
from registry.domain.record import Record
from registry.domain.rules.common import (
    check_after_adoption,
    check_before,
    check_listed,
    check_text,
)
from registry.domain.rules.text import check_party_list
from registry.domain.values import ConsentKind, Party, PartyType, SignatureType

JOINING = (ConsentKind.ACCESSION, ConsentKind.SUCCESSION)
VERB = {
    ConsentKind.RATIFICATION: "ratify",
    ConsentKind.ACCEPTANCE: "accept",
    ConsentKind.APPROVAL: "approve",
    ConsentKind.FORMAL_CONFIRMATION: "confirm it formally",
}


def check_signed(record: Record, fact: Signed) -> None:
    if fact.successor is not None:
        check_successor(record, fact, fact.successor)
    else:
        check_listed(record, fact.party)
    if fact.predecessor is not None:
        successor = fact.successor.name if fact.successor is not None else None
        check_predecessor(record, fact.party, fact.predecessor, successor)
    check_text(fact.signatory, "signatory", "The signatory's name")
    check_text(fact.capacity, "capacity", "The signatory's capacity")
    name = record.name_of(fact.party) if fact.successor is None else fact.successor.name
    for earlier in record.signatures.get(fact.party, ()):
        confirming = (
            earlier.signature_type is SignatureType.AD_REFERENDUM
            and fact.signature_type is not SignatureType.AD_REFERENDUM
        )
        if not confirming:
            raise DuplicateSignature(
                f"{name} already signed {record.title} on {spoken(earlier.effective)} "
                f"({earlier.signature_type.value.replace('_', ' ')})"
            )
        check_before(
            earlier.effective,
            fact.effective,
            f"{name}'s confirming signature cannot come before its signature ad referendum "
            f"of {spoken(earlier.effective)}",
        )
    consent = record.consents.get(fact.party)
    if consent is not None:
        if fact.signature_type is SignatureType.DEFINITIVE:
            raise DuplicateConsent(
                f"{name} is already bound by its {consent.instrument.value} of "
                f"{spoken(consent.effective)}: it cannot also sign definitively"
            )
        check_before(
            fact.effective,
            consent.effective,
            f"{name} cannot sign on {spoken(fact.effective)}, after its "
            f"{consent.instrument.value} of {spoken(consent.effective)}",
        )
    check_after_adoption(record, fact.effective, name, "signed")


def check_consent(record: Record, fact: ConsentExpressed) -> None:
    if not record.binding:
        raise NonBindingTakesNoConsent(
            f"{record.title} is non-binding: parties do not consent to be bound by it; it takes "
            "effect once every party has signed"
        )
    if fact.acceding is not None:
        check_joining(record, fact, fact.acceding)
    else:
        check_listed(record, fact.party)
    name = record.name_of(fact.party) if fact.acceding is None else fact.acceding.name
    check_instrument(record, fact, name)
    consent = record.consents.get(fact.party)
    if consent is not None:
        raise DuplicateConsent(
            f"{name} already expressed its consent to {record.title} by "
            f"{consent.instrument.value} on {spoken(consent.effective)}"
        )
    signatures = record.signatures.get(fact.party, [])
    for signature in signatures:
        if signature.signature_type is SignatureType.DEFINITIVE:
            raise AlreadyBoundBySignature(
                f"{name} signed {record.title} definitively on {spoken(signature.effective)}: "
                "it is already bound and needs no further consent"
            )
        check_before(
            signature.effective,
            fact.effective,
            f"{name}'s {fact.instrument.value} cannot be dated {spoken(fact.effective)}, before "
            f"its signature of {spoken(signature.effective)}",
        )
    if fact.instrument.needs_prior_signature:
        check_signed_before_consent(record, fact, name, signatures)
    check_after_adoption(record, fact.effective, name, "consented")


def check_instrument(record: Record, fact: ConsentExpressed, name: str) -> None:
    """Formal confirmation is an organisation's; only a succession names a predecessor."""
    party = fact.acceding or record.party(fact.party)
    organisation = party is not None and party.type is PartyType.INTERNATIONAL_ORGANISATION
    if fact.instrument is ConsentKind.FORMAL_CONFIRMATION and not organisation:
        raise FormalConfirmationByOrganisationOnly(
            f"{name} is not an international organisation: formal confirmation is an "
            "organisation's consent (1986 Convention art. 2(1)(b bis)); a state ratifies, "
            "accepts or approves"
        )
    if fact.predecessor is not None:
        if fact.instrument is not ConsentKind.SUCCESSION:
            raise PredecessorWithoutSuccession(
                f"A predecessor state is named only for consent by succession, not by "
                f"{fact.instrument.value.replace('_', ' ')}"
            )
        acceding = fact.acceding.name if fact.acceding is not None else None
        check_predecessor(record, fact.party, fact.predecessor, acceding)


def check_predecessor(
    record: Record, party: str, predecessor: str, joining: str | None = None
) -> None:
    check_text(predecessor, "predecessor", "The predecessor state")
    if predecessor.strip() in (party, record.name_of(party), joining):
        raise PredecessorIsSuccessor(
            f"{record.name_of(party)} cannot succeed itself: name the predecessor state"
        )


def check_successor(record: Record, fact: Signed, successor: Party) -> None:
    """Succession to a signature by a state not yet a party (1978 Convention arts. 18-19)."""
    if not record.multilateral:
        raise SuccessionToBilateral(
            f"{record.title} is bilateral: no other state can succeed to a signature of it"
        )
    if successor.code != fact.party:
        raise SuccessorPartyMismatch(
            f"The successor's code {successor.code} differs from the acting party {fact.party}"
        )
    if record.party(successor.code) is not None:
        raise SuccessorAlreadyListed(
            f"{successor.name} is already a party to {record.title}: record its signature "
            "without a successor"
        )
    if fact.predecessor is None:
        raise SuccessionNeedsPredecessor(
            f"{successor.name} succeeds to a signature: name the predecessor state whose "
            "signature it succeeds to"
        )
    check_party_list((*record.parties, successor), binding=record.binding, multilateral=True)


def check_signed_before_consent(
    record: Record, fact: ConsentExpressed, name: str, signatures: list[Signed]
) -> None:
    verb = VERB[fact.instrument]
    simple = [s for s in signatures if s.signature_type is SignatureType.SIMPLE]
    if not simple:
        pending = " (its signature ad referendum is not yet confirmed)" if signatures else ""
        raise ConsentWithoutSignature(
            f"{name} cannot {verb} before it has signed{pending}: record a simple signature "
            "first, or use accession"
        )


def check_joining(record: Record, fact: ConsentExpressed, acceding: Party) -> None:
    if not record.multilateral:
        raise AccessionToBilateral(
            f"{record.title} is bilateral: no other party can join it by accession"
        )
    if fact.instrument not in JOINING:
        raise JoiningNeedsAccession(
            f"{acceding.name} is not a party: it can only join {record.title} by accession or "
            f"succession, not by {fact.instrument.value}"
        )
    if acceding.code != fact.party:
        raise AccedingPartyMismatch(
            f"The acceding party's code {acceding.code} differs from the acting party {fact.party}"
        )
    if record.party(acceding.code) is not None:
        raise PartyAlreadyListed(
            f"{acceding.name} is already a party to {record.title}: record its consent "
            "without an acceding party"
        )
    check_party_list((*record.parties, acceding), binding=True, multilateral=True)


def check_reservation(record: Record, fact: ReservationMade) -> None:
    if not record.binding:
        raise NonBindingTakesNoReservations(
            f"{record.title} is non-binding: it takes no reservations; record a declaration"
        )
    check_statement(record, fact)
    name = record.name_of(fact.party)
    consent = record.consents.get(fact.party)
    acts = [*record.signatures.get(fact.party, ()), *([consent] if consent else [])]
    if not acts:
        raise ReservationWithoutSignature(
            f"{name} has neither signed nor consented to {record.title}: a reservation is made "
            "when signing, ratifying, accepting, approving or acceding"
        )
    first = min(acts, key=lambda act: act.effective.start)
    check_before(
        first.effective,
        fact.effective,
        f"{name} cannot have made a reservation on {spoken(fact.effective)}, before it "
        f"signed or consented ({spoken(first.effective)})",
    )


def check_statement(record: Record, fact: ReservationMade | DeclarationMade) -> None:
    check_listed(record, fact.party)
    check_text(fact.text, "text", "The text of the statement")


def check_declaration(record: Record, fact: DeclarationMade) -> None:
    check_statement(record, fact)
