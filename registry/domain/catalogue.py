"""The catalogue: one Declaration per agreement event type (see declaration.py), and `check`.

Adding a type: its class in events.py (fields, types, defaults), its rule (rules/), and its
declaration (declared_acts.py or declared_records.py); the Record folds it (record.py) and
the state shows it (history.py). The codec, the commands, the forms, the API's schemas and
documentation, the history, the diff and the intervals read this catalogue. Importing the
Agreement (agreement.py, whose commands are made from these declarations) checks every
declaration (`check_catalogue`).
"""

from __future__ import annotations

from registry.domain.declaration import ActKind, Declaration, check_complete
from registry.domain.declared_acts import ACTS
from registry.domain.declared_records import RECORDS
from registry.domain.errors import RequiredFieldMissing
from registry.domain.events import AGREEMENT_EVENTS, AgreementEvent
from registry.domain.record import Record
from registry.domain.rules.clauses import check_clause_rules
from registry.domain.rules.common import check_text, check_within_life
from registry.domain.rules.timing import check_timing
from registry.domain.values import Notification

DECLARATIONS: tuple[Declaration, ...] = (*ACTS, *RECORDS)

BY_NAME: dict[str, Declaration] = {d.name: d for d in DECLARATIONS}
BY_TYPE: dict[type[AgreementEvent], Declaration] = {d.event: d for d in DECLARATIONS}
RECORDABLE: tuple[str, ...] = tuple(d.name for d in DECLARATIONS if d.recordable)


def declared(event_type: type[AgreementEvent] | str) -> Declaration:
    """The declaration of an agreement event type (by class or by name); KeyError if none."""
    if isinstance(event_type, str):
        return BY_NAME[event_type]
    return BY_TYPE[event_type]


def act_kinds() -> dict[type[AgreementEvent], ActKind]:
    """The act kind of each type that a diff lists as an act (not drafting, not corrections)."""
    special = (ActKind.DRAFTED, ActKind.CORRECTED)
    return {d.event: d.act for d in DECLARATIONS if d.act not in special}


def standing_neutral() -> tuple[type[AgreementEvent], ...]:
    return tuple(d.event for d in DECLARATIONS if not d.standing)


def check(record: Record, fact: AgreementEvent) -> None:
    """Raise the DomainError of the first rule `fact` would break (corrections excepted):
    its declared rule, then the agreement's own clauses (rules/clauses.py)."""
    check_text(fact.actor, "actor", "The acting officer")
    check_notification(fact.notification)
    check_within_life(record, fact)
    BY_TYPE[type(fact)].rules(record, fact)
    check_clause_rules(record, fact)


def check_recording(record: Record, fact: AgreementEvent) -> None:
    """`check`, and the rules of a new event's dates (stored history is not re-checked
    against them: rules/timing.py)."""
    check_timing(fact, ahead=BY_TYPE[type(fact)].takes_effect_ahead)
    check(record, fact)


def check_notification(notification: Notification | None) -> None:
    if notification is not None and not notification.number.strip():
        raise RequiredFieldMissing(
            "A depositary notification needs its number", field="notification"
        )


def check_catalogue(declarations: tuple[Declaration, ...] = DECLARATIONS) -> None:
    """Every agreement event class declared exactly once, and every declaration complete."""
    from registry.domain.agreement import Agreement
    from registry.domain.declaration import IncompleteDeclaration

    names = [d.name for d in declarations]
    missing = {cls.__name__ for cls in AGREEMENT_EVENTS} - set(names)
    if missing:
        raise IncompleteDeclaration(f"event types without a declaration: {sorted(missing)}")
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise IncompleteDeclaration(f"event types declared twice: {sorted(twice)}")
    for declaration in declarations:
        check_complete(declaration, lambda command: callable(getattr(Agreement, command, None)))


__all__ = [
    "BY_NAME",
    "DECLARATIONS",
    "RECORDABLE",
    "act_kinds",
    "check",
    "check_catalogue",
    "check_recording",
    "declared",
    "standing_neutral",
]
