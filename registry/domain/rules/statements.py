"""Objections to reservations (VCLT arts. 20(4)(b), 21(3)), withdrawal of reservations,
declarations and objections (arts. 22, 23(4)), and territorial application (art. 29).

Decisions:

- An objection names the reservation by its event and the reserving party; both must agree.
  The objector is any party but the reserving one (art. 23(1): the contracting states and
  those entitled to become parties), not necessarily one that has consented yet. It may not
  be dated before the reservation, nor name a withdrawn reservation; a party objects to a
  reservation once (unless it withdrew its objection).
- Only the party that made a statement withdraws it, once, not before it was made.
- A territorial declaration names its territories (each once) and takes effect on its own
  date, which may not come before the declaration.
"""

from __future__ import annotations

from registry.domain.errors import Words
from registry.domain.errors_acts import (
    DuplicateObjection,
    NonBindingTakesNoObjections,
    ObjectionToOwnReservation,
    ObjectionToWithdrawnReservation,
    ReservationNotFound,
    ReservationOfAnotherParty,
    StatementAlreadyWithdrawn,
    StatementNotFound,
    StatementOfAnotherParty,
    TakesEffectBeforeDeclaration,
    TerritoriesRequired,
)
from registry.domain.events import (
    ObjectionMade,
    ReservationMade,
    StatementWithdrawn,
    TerritorialApplicationDeclared,
)
from registry.domain.record import Record
from registry.domain.rules.common import check_before, check_listed, check_text

KINDS = {"ReservationMade": Words("reservation"), "DeclarationMade": Words("declaration")}


def check_objection(record: Record, fact: ObjectionMade) -> None:
    if not record.binding:
        raise NonBindingTakesNoObjections(
            "{title} is non-binding: it takes no reservations to object to", title=record.title
        )
    check_listed(record, fact.party)
    check_listed(record, fact.reserving_party)
    if fact.text is not None:
        check_text(fact.text, "text", "The text of the objection")
    reservation = record.statements.get(fact.reservation)
    if not isinstance(reservation, ReservationMade):
        raise ReservationNotFound(
            "Event {reservation} is not a reservation to {title}: name the ReservationMade event "
            "objected to",
            reservation=fact.reservation,
            title=record.title,
        )
    if reservation.party != fact.reserving_party:
        raise ReservationOfAnotherParty(
            "Event {reservation} is a reservation by {party_name}, not by {reserving_party_name}",
            reservation=fact.reservation,
            party_name=record.name_of(reservation.party),
            reserving_party_name=record.name_of(fact.reserving_party),
        )
    objector = record.name_of(fact.party)
    if fact.party == fact.reserving_party:
        raise ObjectionToOwnReservation(
            "{objector} cannot object to its own reservation: it may withdraw it instead",
            objector=objector,
        )
    withdrawn = record.withdrawn(fact.reservation)
    if withdrawn is not None and not withdrawn.effective.definitely_after(fact.effective):
        raise ObjectionToWithdrawnReservation(
            "{party_name} withdrew that reservation on {withdrawn}: there is nothing left to "
            "object to",
            party_name=record.name_of(reservation.party),
            withdrawn=withdrawn.effective,
        )
    for earlier in record.objections.get(fact.party, ()):
        standing = record.withdrawn(earlier.originator_version) is None
        if earlier.reservation == fact.reservation and earlier is not fact and standing:
            raise DuplicateObjection(
                "{objector} already objected to this reservation on {earlier}",
                objector=objector,
                earlier=earlier.effective,
            )
    check_before(
        reservation.effective,
        fact.effective,
        "{objector} cannot have objected on {effective} to a reservation made on {reservation}",
        objector=objector,
        effective=fact.effective,
        reservation=reservation.effective,
    )


def check_statement_withdrawn(record: Record, fact: StatementWithdrawn) -> None:
    check_listed(record, fact.party)
    statement = record.statements.get(fact.statement)
    if statement is None:
        raise StatementNotFound(
            "Event {statement} is not a reservation, declaration or objection to {title}",
            statement=fact.statement,
            title=record.title,
        )
    kind = KINDS.get(type(statement).__name__, Words("objection"))
    if statement.party != fact.party:
        raise StatementOfAnotherParty(
            "Event {statement} is a {kind} by {party_name}: only it can withdraw it, not "
            "{party_name2}",
            statement=fact.statement,
            kind=kind,
            party_name=record.name_of(statement.party),
            party_name2=record.name_of(fact.party),
        )
    earlier = record.withdrawn(fact.statement)
    if earlier is not None and earlier is not fact:
        raise StatementAlreadyWithdrawn(
            "{party_name} already withdrew that {kind} on {earlier}",
            party_name=record.name_of(fact.party),
            kind=kind,
            earlier=earlier.effective,
        )
    check_before(
        statement.effective,
        fact.effective,
        "{party_name} cannot have withdrawn on {effective} a {kind} made on {statement}",
        party_name=record.name_of(fact.party),
        effective=fact.effective,
        kind=kind,
        statement=statement.effective,
    )


def check_territorial(record: Record, fact: TerritorialApplicationDeclared) -> None:
    check_listed(record, fact.party)
    names = [t.strip() for t in fact.territories]
    if not names or any(not n for n in names) or len(set(names)) != len(names):
        raise TerritoriesRequired(
            "Name each territory the declaration extends to or excludes, once"
        )
    if fact.text is not None:
        check_text(fact.text, "text", "The text of the declaration")
    if fact.takes_effect is not None and fact.takes_effect.definitely_before(fact.effective):
        raise TakesEffectBeforeDeclaration(
            "A territorial declaration made on {effective} cannot take effect earlier, on "
            "{takes_effect}",
            effective=fact.effective,
            takes_effect=fact.takes_effect,
        )
