"""What declaring an event type means: `Declaration`, and the check that one is complete.

An event type is its class in events.py (fields, types, defaults) plus one `Declaration` in
catalogue.py (the command that raises it, its VCLT article, its rules, its act kind, whether it
changes a standing, how it may be corrected, and the words an officer reads). Every other part
of the registry (codec, commands, forms, API schemas, history, diff, record, intervals, the
page) reads these two instead of keeping a table of its own. `check_complete` refuses a
declaration with a part missing: catalogue.py runs it on every declaration when imported, so
an incomplete type cannot be loaded at all.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from registry.domain.dates import PartialDate
from registry.domain.events import COMMON_FIELDS, AgreementEvent

BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class ActKind(Enum):
    """What a change in a diff (and a deadline) is about; derived kinds come last."""

    DRAFTED = "drafted"
    TEXT_ADOPTED = "text_adopted"
    SIGNED = "signed"
    CONSENT = "consent"
    RESERVATION = "reservation"
    DECLARATION = "declaration"
    OBJECTION = "objection"
    STATEMENT_WITHDRAWN = "statement_withdrawn"
    TERRITORIAL_APPLICATION = "territorial_application"
    PROVISIONALLY_APPLIED = "provisionally_applied"
    ENTERED_INTO_FORCE = "entered_into_force"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    WITHDRAWAL_NOTIFIED = "withdrawal_notified"
    WITHDRAWAL_TOOK_EFFECT = "withdrawal_took_effect"
    TERMINATED = "terminated"
    EXPIRED = "expired"
    RENEWED = "renewed"
    AMENDED = "amended"
    MILESTONE = "milestone"
    DOCUMENT = "document"
    PARTICULARS = "particulars"
    REGISTRATION = "registration"
    FOOTNOTE = "footnote"
    CORRECTED = "corrected"


class DeadlineKind(Enum):
    """What falls due on a date an event fixes ahead (see `Scheduled`), or that the standing
    derives from them (a milestone overdue, a renewed term running out)."""

    ENTRY_INTO_FORCE = "entry_into_force"
    PROVISIONAL_APPLICATION = "provisional_application"
    TERRITORIAL_APPLICATION = "territorial_application"
    SUSPENSION = "suspension"
    RESUMPTION = "resumption"
    WITHDRAWAL_TAKES_EFFECT = "withdrawal_takes_effect"
    TERMINATION = "termination"
    EXPIRY = "expiry"
    RENEWAL = "renewal"
    RENEWAL_ENDS = "renewal_ends"
    MILESTONE_DUE = "milestone_due"
    MILESTONE_OVERDUE = "milestone_overdue"


@dataclass(frozen=True)
class Scheduled:
    """A date that an event of the type may fix ahead of the day it is recorded, by the act's
    nature, and the deadline it falls due as. `field` is "effective" when the act itself takes
    effect on a date fixed in advance (an entry into force, a termination), else the type's
    field that carries the date (a withdrawal's `takes_effect`, a milestone's `due`)."""

    field: str
    deadline: DeadlineKind


class Correctable(Enum):
    """How an event of the type may be corrected (by an EventCorrected naming it)."""

    SUPERSEDE_OR_RETRACT = "supersede_or_retract"
    SUPERSEDE_ONLY = "supersede_only"  # the Drafted event: the agreement cannot un-exist
    NOT_CORRECTABLE = "not_correctable"  # a correction: correct the original again


@dataclass(frozen=True)
class Computed:
    """A field the command fills in when it is left out, from the record and the given fields."""

    description: str  # for people: "the end of the notice period"
    value: Callable[[Any, Mapping[str, Any]], Any]  # (Record, given fields) -> value


@dataclass(frozen=True)
class Declaration:
    event: type[AgreementEvent]
    command: str  # the Agreement method that raises it
    article: str  # its VCLT article, or where else its law comes from
    rules: Callable[[Any, Any], None]  # (Record, candidate event): raises its DomainError
    act: ActKind
    standing: bool  # whether recording it may change a standing (status, names, parties)
    correctable: Correctable
    label: str  # what the officer does: "Record a signature"
    called: str  # what the act is called in a history: "Signature"
    help: str  # one or two sentences for the form and the API docs
    example: Mapping[str, Any]  # JSON-native data of a typical event, for the API docs
    field_text: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)
    computed: Mapping[str, Computed] = field(default_factory=dict)
    normalise: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    server_filled: frozenset[str] = frozenset()  # the form does not ask for these
    recordable: bool = True  # through the generic event form and POST .../events
    scheduled: tuple[Scheduled, ...] = ()  # its dates that lie ahead by nature (deadlines)

    @property
    def name(self) -> str:
        return self.event.__name__

    @property
    def takes_effect_ahead(self) -> bool:
        """Whether the act itself may be dated after the day it is recorded (rules/timing)."""
        return any(s.field == "effective" for s in self.scheduled)

    def fields(self) -> dict[str, Any]:
        """The type's own data fields (not source, reason) with their resolved type hints."""
        hints = typing.get_type_hints(self.event)
        skip = BASE_FIELDS | set(COMMON_FIELDS)
        return {
            f.name: hints[f.name]
            for f in dataclasses.fields(self.event)  # type: ignore[arg-type]
            if f.name not in skip
        }

    def defaults(self) -> dict[str, Any]:
        """The fields that may be left out, with their default (None when computed)."""
        found: dict[str, Any] = {}
        for f in dataclasses.fields(self.event):  # type: ignore[arg-type]
            if f.name in BASE_FIELDS or f.name in COMMON_FIELDS:
                continue
            if f.name in self.computed:
                found[f.name] = None
            elif f.default is not dataclasses.MISSING:
                found[f.name] = f.default
            elif f.name in self.event.ELIDED:
                found[f.name] = None
        return found

    def required(self) -> tuple[str, ...]:
        defaults = self.defaults()
        return tuple(name for name in self.fields() if name not in defaults)

    def text_of(self, name: str) -> tuple[str, str | None]:
        """The label and hint of one of its fields (or of a common field)."""
        return self.field_text.get(name) or FIELD_TEXT.get(name) or (name, None)


class IncompleteDeclaration(TypeError):
    """A declaration with a part missing or inconsistent with its event class."""


def check_complete(declaration: Declaration, has_command: Callable[[str], bool]) -> None:
    """Raise IncompleteDeclaration naming the first missing or inconsistent part."""
    name = declaration.name

    def fail(problem: str) -> None:
        raise IncompleteDeclaration(f"{name}: {problem}")

    for part in ("command", "article", "label", "called", "help"):
        value = getattr(declaration, part)
        if not isinstance(value, str) or not value.strip():
            fail(f"its {part} is missing")
    if not isinstance(declaration.act, ActKind):
        fail("its act kind is missing")
    if not isinstance(declaration.correctable, Correctable):
        fail("how it may be corrected is missing")
    if not isinstance(declaration.standing, bool):
        fail("whether it changes a standing is missing")
    if not callable(declaration.rules):
        fail("its rules are missing")
    if not has_command(declaration.command):
        fail(f"the Agreement has no command {declaration.command!r}")
    fields = declaration.fields()
    for part in ("field_text", "computed", "normalise"):
        stray = set(getattr(declaration, part)) - set(fields) - set(COMMON_FIELDS)
        if stray:
            fail(f"its {part} names {sorted(stray)}, which are not its fields")
    stray = set(declaration.server_filled) - set(fields)
    if stray:
        fail(f"its server_filled names {sorted(stray)}, which are not its fields")
    for scheduled in declaration.scheduled:
        if not isinstance(scheduled, Scheduled) or not isinstance(scheduled.deadline, DeadlineKind):
            fail("its scheduled dates must be Scheduled(field, DeadlineKind)")
        hint = fields.get(scheduled.field)
        if scheduled.field != "effective" and PartialDate not in _types_of(hint):
            fail(f"its scheduled date {scheduled.field!r} is not one of its date fields")
    for field_name in fields:
        if field_name not in declaration.field_text and field_name not in FIELD_TEXT:
            fail(f"its field {field_name!r} has no label")
    missing = set(declaration.required()) - set(declaration.example)
    if missing:
        fail(f"its example leaves out the required {sorted(missing)}")
    unknown = set(declaration.example) - set(fields)
    if unknown:
        fail(f"its example has {sorted(unknown)}, which are not its fields")


def _types_of(hint: Any) -> tuple[Any, ...]:
    return typing.get_args(hint) or (hint,)


DATE_HINT = "A year, a month or a day: 2026, 2026-02 or 2026-02-03."

# Labels and hints of fields shared by several types; a declaration's own field_text overrides.
FIELD_TEXT: dict[str, tuple[str, str | None]] = {
    "effective": ("Effective date", DATE_HINT + " The date the act took effect in the world."),
    "source": (
        "Source",
        "Where this comes from, e.g. a depositary notification or a note verbale number.",
    ),
    "reason": ("Reason or remarks", None),
    "notification": (
        "Depositary notification",
        "Its number, e.g. C.N.464.2017.TREATIES-XXVII.7.d, and the date it bears.",
    ),
    "party": ("Party", None),
    "place": ("Place", "City, e.g. Islamabad."),
    "summary": ("Summary", None),
    "article": ("Article", "e.g. Article 5(2)."),
    "text": ("Text", None),
    "title": ("Title", None),
    "status": ("Status", None),
    "description": ("Description", None),
    "milestone": ("Milestone", None),
    "titles": (
        "Titles",
        "One title per language; English (en) is required. Use language codes like en, ur, kk, ru.",
    ),
    "parties": (
        "Parties",
        "Code (ISO 3166 alpha-3 for states, e.g. PAK), name and type. "
        "A bilateral agreement has exactly two.",
    ),
    "predecessor": (
        "Predecessor state",
        "For a succession: the state the party succeeds, e.g. Czechoslovakia.",
    ),
    "takes_effect": ("Takes effect on", DATE_HINT),
    "language": ("Language of the document", "A language code such as en, ur, kk or ru."),
}

__all__ = [
    "DATE_HINT",
    "FIELD_TEXT",
    "ActKind",
    "Computed",
    "Correctable",
    "DeadlineKind",
    "Declaration",
    "IncompleteDeclaration",
    "Scheduled",
    "check_complete",
]
