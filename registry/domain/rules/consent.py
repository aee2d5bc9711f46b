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
    Words,
    words,
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
    ConsentKind.RATIFICATION: Words("ratify"),
    ConsentKind.ACCEPTANCE: Words("accept"),
    ConsentKind.APPROVAL: Words("approve"),
    ConsentKind.FORMAL_CONFIRMATION: Words("confirm it formally"),
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
                "{name} already signed {title} on {earlier} ({signature_type})",
                name=name,
                title=record.title,
                earlier=earlier.effective,
                signature_type=words(earlier.signature_type.value),
            )
        check_before(
            earlier.effective,
            fact.effective,
            "{name}'s confirming signature cannot come before its signature ad referendum of "
            "{earlier}",
            name=name,
            earlier=earlier.effective,
        )
    consent = record.consents.get(fact.party)
    if consent is not None:
        if fact.signature_type is SignatureType.DEFINITIVE:
            raise DuplicateConsent(
                "{name} is already bound by its {instrument} of {consent}: it cannot also sign "
                "definitively",
                name=name,
                instrument=words(consent.instrument.value),
                consent=consent.effective,
            )
        check_before(
            fact.effective,
            consent.effective,
            "{name} cannot sign on {effective}, after its {instrument} of {consent}",
            name=name,
            effective=fact.effective,
            instrument=words(consent.instrument.value),
            consent=consent.effective,
        )
    check_after_adoption(record, fact.effective, name, Words("signed"))


def check_consent(record: Record, fact: ConsentExpressed) -> None:
    if not record.binding:
        raise NonBindingTakesNoConsent(
            "{title} is non-binding: parties do not consent to be bound by it; it takes effect "
            "once every party has signed",
            title=record.title,
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
            "{name} already expressed its consent to {title} by {instrument} on {consent}",
            name=name,
            title=record.title,
            instrument=words(consent.instrument.value),
            consent=consent.effective,
        )
    signatures = record.signatures.get(fact.party, [])
    for signature in signatures:
        if signature.signature_type is SignatureType.DEFINITIVE:
            raise AlreadyBoundBySignature(
                "{name} signed {title} definitively on {signature}: it is already bound and needs "
                "no further consent",
                name=name,
                title=record.title,
                signature=signature.effective,
            )
        check_before(
            signature.effective,
            fact.effective,
            "{name}'s {instrument} cannot be dated {effective}, before its signature of "
            "{signature}",
            name=name,
            instrument=words(fact.instrument.value),
            effective=fact.effective,
            signature=signature.effective,
        )
    if fact.instrument.needs_prior_signature:
        check_signed_before_consent(record, fact, name, signatures)
    check_after_adoption(record, fact.effective, name, Words("consented"))


def check_instrument(record: Record, fact: ConsentExpressed, name: str) -> None:
    """Formal confirmation is an organisation's; only a succession names a predecessor."""
    party = fact.acceding or record.party(fact.party)
    organisation = party is not None and party.type is PartyType.INTERNATIONAL_ORGANISATION
    if fact.instrument is ConsentKind.FORMAL_CONFIRMATION and not organisation:
        raise FormalConfirmationByOrganisationOnly(
            "{name} is not an international organisation: formal confirmation is an "
            "organisation's consent (1986 Convention art. 2(1)(b bis)); a state ratifies, accepts "
            "or approves",
            name=name,
        )
    if fact.predecessor is not None:
        if fact.instrument is not ConsentKind.SUCCESSION:
            raise PredecessorWithoutSuccession(
                "A predecessor state is named only for consent by succession, not by {instrument}",
                instrument=words(fact.instrument.value),
            )
        acceding = fact.acceding.name if fact.acceding is not None else None
        check_predecessor(record, fact.party, fact.predecessor, acceding)


def check_predecessor(
    record: Record, party: str, predecessor: str, joining: str | None = None
) -> None:
    check_text(predecessor, "predecessor", "The predecessor state")
    if predecessor.strip() in (party, record.name_of(party), joining):
        raise PredecessorIsSuccessor(
            "{party_name} cannot succeed itself: name the predecessor state",
            party_name=record.name_of(party),
        )


def check_successor(record: Record, fact: Signed, successor: Party) -> None:
    """Succession to a signature by a state not yet a party (1978 Convention arts. 18-19)."""
    if not record.multilateral:
        raise SuccessionToBilateral(
            "{title} is bilateral: no other state can succeed to a signature of it",
            title=record.title,
        )
    if successor.code != fact.party:
        raise SuccessorPartyMismatch(
            "The successor's code {code} differs from the acting party {party}",
            code=successor.code,
            party=fact.party,
        )
    if record.party(successor.code) is not None:
        raise SuccessorAlreadyListed(
            "{name} is already a party to {title}: record its signature without a successor",
            name=successor.name,
            title=record.title,
        )
    if fact.predecessor is None:
        raise SuccessionNeedsPredecessor(
            "{name} succeeds to a signature: name the predecessor state whose signature it "
            "succeeds to",
            name=successor.name,
        )
    check_party_list((*record.parties, successor), binding=record.binding, multilateral=True)


def check_signed_before_consent(
    record: Record, fact: ConsentExpressed, name: str, signatures: list[Signed]
) -> None:
    verb = VERB[fact.instrument]
    simple = [s for s in signatures if s.signature_type is SignatureType.SIMPLE]
    if not simple:
        pending = Words(" (its signature ad referendum is not yet confirmed)") if signatures else ""
        raise ConsentWithoutSignature(
            "{name} cannot {verb} before it has signed{pending}: record a simple signature first, "
            "or use accession",
            name=name,
            verb=verb,
            pending=pending,
        )


def check_joining(record: Record, fact: ConsentExpressed, acceding: Party) -> None:
    if not record.multilateral:
        raise AccessionToBilateral(
            "{title} is bilateral: no other party can join it by accession", title=record.title
        )
    if fact.instrument not in JOINING:
        raise JoiningNeedsAccession(
            "{name} is not a party: it can only join {title} by accession or succession, not by "
            "{instrument}",
            name=acceding.name,
            title=record.title,
            instrument=words(fact.instrument.value),
        )
    if acceding.code != fact.party:
        raise AccedingPartyMismatch(
            "The acceding party's code {code} differs from the acting party {party}",
            code=acceding.code,
            party=fact.party,
        )
    if record.party(acceding.code) is not None:
        raise PartyAlreadyListed(
            "{name} is already a party to {title}: record its consent without an acceding party",
            name=acceding.name,
            title=record.title,
        )
    check_party_list((*record.parties, acceding), binding=True, multilateral=True)


def check_reservation(record: Record, fact: ReservationMade) -> None:
    if not record.binding:
        raise NonBindingTakesNoReservations(
            "{title} is non-binding: it takes no reservations; record a declaration",
            title=record.title,
        )
    check_statement(record, fact)
    name = record.name_of(fact.party)
    consent = record.consents.get(fact.party)
    acts = [*record.signatures.get(fact.party, ()), *([consent] if consent else [])]
    if not acts:
        raise ReservationWithoutSignature(
            "{name} has neither signed nor consented to {title}: a reservation is made when "
            "signing, ratifying, accepting, approving or acceding",
            name=name,
            title=record.title,
        )
    first = min(acts, key=lambda act: act.effective.start)
    check_before(
        first.effective,
        fact.effective,
        "{name} cannot have made a reservation on {effective}, before it signed or consented "
        "({first})",
        name=name,
        effective=fact.effective,
        first=first.effective,
    )


def check_statement(record: Record, fact: ReservationMade | DeclarationMade) -> None:
    check_listed(record, fact.party)
    check_text(fact.text, "text", "The text of the statement")


def check_declaration(record: Record, fact: DeclarationMade) -> None:
    check_statement(record, fact)
