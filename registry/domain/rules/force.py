"""Provisional application and entry into force (VCLT arts. 24-25)."""

from __future__ import annotations

from registry.domain.clause_force import computed_entry, general_entry, party_entry
from registry.domain.dates import PartialDate
from registry.domain.errors import (
    AlreadyInForce,
    AlreadyProvisionallyApplied,
    DateOutOfOrder,
    EntryIntoForceWithoutConsent,
    NonBindingTakesNoEntryIntoForce,
    NonBindingTakesNoProvisionalApplication,
    Words,
    spoken,
)
from registry.domain.events import (
    AgreementEvent,
    EnteredIntoForce,
    ProvisionallyApplied,
)
from registry.domain.record import Record
from registry.domain.rules.common import check_after_adoption, check_before, check_listed


def in_force_on(record: Record, party: str | None, on: PartialDate) -> bool:
    """Whether, by `on`, the agreement may be in force (for `party`, or at all if None)."""

    def by(event: AgreementEvent | None) -> bool:
        return event is not None and not event.effective.definitely_after(on)

    if computed_entry(record) is not None:  # the clause gives the dates (clause_force.py)
        codes = [p.code for p in record.parties] if party is None else [party]
        given = [general_entry(record), *(party_entry(record, code) for code in codes)]
        return any(d is not None and not d.definitely_after(on) for d in given)

    if party is None:
        return any(by(event) for event in record.in_force.values())
    if by(record.in_force.get(party)):
        return True
    bound = record.bound_on(party)
    return by(record.in_force.get(None)) and bound is not None and not bound.definitely_after(on)


def in_effect_on(record: Record, on: PartialDate) -> bool:
    """A non-binding instrument takes effect once every party has signed (not ad referendum)."""
    signatures = [record.signature(p.code) for p in record.parties]
    return all(s is not None and not s.effective.definitely_after(on) for s in signatures)


def operative_on(record: Record, party: str | None, on: PartialDate) -> bool:
    if record.binding:
        return in_force_on(record, party, on)
    return in_effect_on(record, on) and (party is None or record.signature(party) is not None)


def check_provisional(record: Record, fact: ProvisionallyApplied) -> None:
    if not record.binding:
        raise NonBindingTakesNoProvisionalApplication(
            "{title} is non-binding: there is nothing to apply provisionally", title=record.title
        )
    check_listed(record, fact.party)
    for scope in {fact.party, None}:
        earlier = record.provisional.get(scope)
        if earlier is not None:
            raise AlreadyProvisionallyApplied(
                "{title} is already applied provisionally by {scope_name} since {earlier}",
                title=record.title,
                scope_name=record.name_of(scope),
                earlier=earlier.effective,
            )
    if in_force_on(record, fact.party, fact.effective):
        raise AlreadyInForce(
            "{title} is already in force for {party_name} by {effective}: provisional application "
            "is pending entry into force",
            title=record.title,
            party_name=record.name_of(fact.party),
            effective=fact.effective,
        )
    check_after_adoption(record, fact.effective, record.name_of(fact.party), Words("applied it"))


def check_entry_into_force(record: Record, fact: EnteredIntoForce) -> None:
    if not record.binding:
        raise NonBindingTakesNoEntryIntoForce(
            "{title} is non-binding: it does not enter into force; it takes effect once every "
            "party has signed",
            title=record.title,
        )
    if fact.party is None:
        check_general_entry_into_force(record, fact)
    else:
        check_party_entry_into_force(record, fact, fact.party)
    for scope in {fact.party, None}:
        applied = record.provisional.get(scope)
        if applied is not None:
            check_before(
                applied.effective,
                fact.effective,
                "Provisional application by {scope_name} from {applied} cannot come after entry "
                "into force on {effective}",
                scope_name=record.name_of(scope),
                applied=applied.effective,
                effective=fact.effective,
            )


def check_general_entry_into_force(record: Record, fact: EnteredIntoForce) -> None:
    general = record.in_force.get(None)
    if general is not None:
        raise AlreadyInForce(
            "{title} already entered into force on {general}",
            title=record.title,
            general=general.effective,
            field="effective",
        )
    bound = {p.code: record.bound_on(p.code) for p in record.parties}
    when = spoken(fact.effective)
    if record.multilateral:
        if not any(bound.values()):
            raise EntryIntoForceWithoutConsent(
                "{title} cannot enter into force: no party has yet consented to be bound",
                title=record.title,
            )
        if all(b is None or b.definitely_after(fact.effective) for b in bound.values()):
            raise DateOutOfOrder(
                "{title} cannot have entered into force on {when}: no party had consented to be "
                "bound by then",
                title=record.title,
                when=when,
            )
        return
    for code, on in bound.items():
        if on is None:
            raise EntryIntoForceWithoutConsent(
                "{title} cannot enter into force before {code_name} has consented to be bound (by "
                "ratification, acceptance, approval, notification or definitive signature)",
                title=record.title,
                code_name=record.name_of(code),
                field="party",
            )
        check_before(
            on,
            fact.effective,
            "{title} cannot have entered into force on {when}: {code_name} only consented on {on}",
            title=record.title,
            when=when,
            code_name=record.name_of(code),
            on=on,
        )


def check_party_entry_into_force(record: Record, fact: EnteredIntoForce, party: str) -> None:
    check_listed(record, party)
    name = record.name_of(party)
    bound = record.bound_on(party)
    own = record.in_force.get(party)
    general = record.in_force.get(None)
    if own is not None or (
        general is not None and bound is not None and not bound.definitely_after(general.effective)
    ):
        since = own.effective if own is not None else general.effective  # type: ignore[union-attr]
        raise AlreadyInForce(
            "{title} is already in force for {name} since {since}",
            title=record.title,
            name=name,
            since=since,
        )
    if bound is None:
        raise EntryIntoForceWithoutConsent(
            "{title} cannot enter into force for {name} before {name} has consented to be bound",
            title=record.title,
            name=name,
        )
    check_before(
        bound,
        fact.effective,
        "{title} cannot have entered into force for {name} on {effective}: {name} only consented "
        "on {bound}",
        title=record.title,
        name=name,
        effective=fact.effective,
        bound=bound,
    )
