"""The Agreement aggregate: one stream of signed events per agreement.

Each command runs its rules (rules/, corrections.py) against what is currently known, with
corrections applied, and only then triggers its event. Applying an event only changes state
and never checks, so replaying stored history never fails. The aggregate keeps every event
(`history`) and folds each new fact into its Record incrementally; only a correction makes it
rebuild the Record from the corrected facts.

Commands take keyword arguments named exactly like their event's fields, plus the common
`effective`, `actor`, `source`, `reason` and `notification`. Every command is made from its
type's declaration (catalogue.py): its signature is the event's fields, with the event's
defaults and the declaration's computed fields optional, and its values normalised as the
declaration says. `draft` (from the Drafted declaration) is the class method that creates an
agreement, the only way to create one (calling the class directly is not supported);
`correct` (EventCorrected) is checked against the whole corrected history. Snapshots are
not supported: the state is rebuilt from events.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.catalogue import DECLARATIONS, check_catalogue, check_recording, declared
from registry.domain.characters import check_fields
from registry.domain.corrections import Corrections, check_correction
from registry.domain.declaration import Declaration
from registry.domain.events import AgreementEvent, Drafted, EventCorrected
from registry.domain.history import derive
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules import check_drafting
from registry.domain.state import AgreementState
from registry.domain.values import (
    AgreementStatus,
)


class Agreement(Aggregate):
    @staticmethod
    def create_id(reference: str) -> UUID:
        return agreement_id(reference)

    # -- state -----------------------------------------------------------------------------

    def apply_event(self, event: AgreementEvent) -> None:
        """Called by every event's `apply`: change state, never check."""
        if isinstance(event, Drafted):
            self._history: list[AgreementEvent] = []
            self._corrections = Corrections()
            self._record = Record(event)
        self._history.append(event)
        self._corrections.take(event)
        if isinstance(event, EventCorrected):
            self._record = Record.of(self._corrections.in_order())
        elif not isinstance(event, Drafted):
            self._record.add(event)

    def __deepcopy__(self, memo: dict[int, Any]) -> Agreement:
        """Events are immutable: a copy shares them and copies only the state built from them
        (the repository's cache hands out deep copies, and copying every event is O(history))."""
        for event in self._history:
            memo[id(event)] = event
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()})
        return clone

    @property
    def history(self) -> tuple[AgreementEvent, ...]:
        """Every event, in recorded order, as recorded (corrections are events too)."""
        return tuple(self._history)

    @property
    def reference(self) -> str:
        return self._record.drafted.reference

    @property
    def state(self) -> AgreementState:
        """Current knowledge: every recorded act, corrections applied, whatever its date."""
        return derive(self._record, self._corrections, None, None)

    @property
    def status(self) -> AgreementStatus:
        return self.state.status

    def _record_event(self, event_class: type[AgreementEvent], **fields: Any) -> None:
        check_fields(fields)
        candidate = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=event_class.create_timestamp(),
            **fields,
        )
        if isinstance(candidate, EventCorrected):
            check_correction(self._corrections, candidate)
        else:
            check_recording(self._record, candidate)
        self.trigger_event(event_class, timestamp=candidate.timestamp, **fields)

    def record(self, type_name: str, **fields: Any) -> None:
        """Run the command of the event type named (see catalogue.py) with `fields`."""
        getattr(self, declared(type_name).command)(**fields)


KEYWORD = inspect.Parameter.KEYWORD_ONLY
COMMON_PARAMETERS = (
    inspect.Parameter("effective", KEYWORD, annotation="PartialDate"),
    inspect.Parameter("actor", KEYWORD, annotation="str"),
)
OPTIONAL_COMMON = ("source", "reason", "notification")


def signature_of(declaration: Declaration) -> inspect.Signature:
    """A command's keyword parameters: the event's fields (as with eventsourcing's `@event`
    commands), its defaults and computed fields optional, then the optional common ones."""
    hints = declaration.fields()
    parameters = [*COMMON_PARAMETERS]
    for name in declaration.required():
        parameters.append(inspect.Parameter(name, KEYWORD, annotation=hints[name]))
    for name, default in declaration.defaults().items():
        if name not in OPTIONAL_COMMON:
            parameters.append(
                inspect.Parameter(name, KEYWORD, default=default, annotation=hints[name])
            )
    for name in OPTIONAL_COMMON:
        parameters.append(inspect.Parameter(name, KEYWORD, default=None))
    return inspect.Signature(parameters)


def event_fields(
    declaration: Declaration,
    signature: inspect.Signature,
    record: Record | None,
    given: dict[str, Any],
) -> dict[str, Any]:
    """The event's fields from a command's arguments: defaults applied, computed fields
    filled in (from `record`, None while drafting), lists made tuples, values normalised."""
    try:
        bound = signature.bind(**given)
    except TypeError as error:
        raise TypeError(f"{declaration.command}: {error}") from None
    bound.apply_defaults()
    fields = dict(bound.arguments)
    for name, computed in declaration.computed.items():
        if fields.get(name) is None:
            fields[name] = computed.value(record, fields)
    for name, value in fields.items():
        if isinstance(value, list):
            fields[name] = tuple(value)
        elif isinstance(value, dict):
            fields[name] = dict(value)
        if name in declaration.normalise and fields[name] is not None:
            fields[name] = declaration.normalise[name](fields[name])
    return fields


def described(command: Callable[..., Any], declaration: Declaration, first: str) -> None:
    signature = signature_of(declaration)
    command.__name__ = command.__qualname__ = declaration.command
    command.__doc__ = f"{declaration.label} ({declaration.article}): {declaration.help}"
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(first, inspect.Parameter.POSITIONAL_OR_KEYWORD),
            *signature.parameters.values(),
        ]
    )


def command_for(declaration: Declaration) -> Callable[..., None]:
    """The Agreement's command for a declared type (an EventCorrected is checked against the
    whole corrected history by `_record_event`)."""
    event_class = declaration.event
    signature = signature_of(declaration)

    def command(self: Agreement, **given: Any) -> None:
        fields = event_fields(declaration, signature, self._record, given)
        self._record_event(event_class, **fields)

    described(command, declaration, "self")
    return command


def creation_for(declaration: Declaration) -> classmethod:  # type: ignore[type-arg]
    """`Agreement.draft`, made from the Drafted declaration like the other commands: the
    only way to create an agreement (calling the class directly is not supported)."""
    signature = signature_of(declaration)

    def create(cls: type[Agreement], **given: Any) -> Agreement:
        fields = event_fields(declaration, signature, None, given)
        check_fields(fields)
        check_drafting(
            Drafted(
                originator_id=cls.create_id(fields["reference"]),
                originator_version=cls.INITIAL_VERSION,
                timestamp=Drafted.create_timestamp(),
                originator_topic="",  # a candidate for the rules; `_create` sets the real one
                **fields,
            )
        )
        return cls._create(Drafted, **fields)

    described(create, declaration, "cls")
    return classmethod(create)


for _declaration in DECLARATIONS:
    if _declaration.event is Drafted:
        setattr(Agreement, _declaration.command, creation_for(_declaration))
    else:
        setattr(Agreement, _declaration.command, command_for(_declaration))
check_catalogue()
