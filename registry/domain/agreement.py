"""The Agreement aggregate: one stream of signed events per agreement.

Each command runs its rules (rules/, corrections.py) against what is currently known, with
corrections applied, and only then triggers its event. Applying an event only changes state
and never checks, so replaying stored history never fails. The aggregate keeps every event
(`history`) and folds each new fact into its Record incrementally; only a correction makes it
rebuild the Record from the corrected facts.

Commands take keyword arguments named exactly like their event's fields, plus the common
`effective`, `actor`, `source`, `reason` and `notification`. Each command but `draft` and
`correct` is made from its type's declaration (catalogue.py): its signature is the event's
fields, with the event's defaults. `draft` is the only way to create an agreement
(calling the class directly is not supported). Snapshots are not supported: the state is
rebuilt from events.
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
from registry.domain.clause_force import notice_or_default
from registry.domain.codec import to_json
from registry.domain.corrections import Corrections, check_correction
from registry.domain.dates import PartialDate
from registry.domain.declaration import Declaration
from registry.domain.events import AgreementEvent, Drafted, EventCorrected
from registry.domain.history import derive
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules import check_drafting
from registry.domain.state import AgreementState
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    CorrectionAction,
    LegalCharacter,
    Notification,
    Party,
)


class Agreement(Aggregate):
    @staticmethod
    def create_id(reference: str) -> UUID:
        return agreement_id(reference)

    @classmethod
    def draft(
        cls,
        *,
        effective: PartialDate,
        actor: str,
        reference: str,
        titles: dict[str, str],
        kind: AgreementKind,
        character: LegalCharacter,
        multilateral: bool,
        parties: tuple[Party, ...] | list[Party],
        parent: str | None = None,
        withdrawal_notice_months: int | None = None,
        summary: str | None = None,
        clauses: dict[str, Any] | None = None,
        source: str | None = None,
        reason: str | None = None,
        notification: Notification | None = None,
    ) -> Agreement:
        """`withdrawal_notice_months` defaults to the withdrawal clause's notice, else 12."""
        fields: dict[str, Any] = dict(
            effective=effective,
            actor=actor,
            source=source,
            reason=reason,
            notification=notification,
            reference=reference.strip(),
            titles=dict(titles),
            kind=kind,
            character=character,
            multilateral=multilateral,
            parties=tuple(parties),
            parent=parent,
            withdrawal_notice_months=notice_or_default(withdrawal_notice_months, clauses),
            summary=summary,
            clauses=clauses,
        )
        check_fields(fields)
        check_drafting(
            Drafted(
                originator_id=cls.create_id(reference),
                originator_version=cls.INITIAL_VERSION,
                timestamp=Drafted.create_timestamp(),
                originator_topic="",  # a candidate for the rules; `_create` sets the real one
                **fields,
            )
        )
        return cls._create(Drafted, **fields)

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

    # -- corrections -------------------------------------------------------------------------

    def correct(
        self,
        *,
        effective: PartialDate,
        actor: str,
        corrects: int,
        action: CorrectionAction = CorrectionAction.SUPERSEDE,
        new_effective: PartialDate | None = None,
        changes: dict[str, Any] | None = None,
        source: str | None = None,
        reason: str | None = None,
        notification: Notification | None = None,
    ) -> None:
        """`changes` maps field names of the target to new values (kept JSON-native)."""
        self._record_event(
            EventCorrected,
            **common(effective, actor, source, reason),
            notification=notification,
            corrects=corrects,
            action=action,
            new_effective=new_effective,
            changes=to_json(dict(changes or {})),
        )


def common(
    effective: PartialDate, actor: str, source: str | None, reason: str | None
) -> dict[str, Any]:
    return {"effective": effective, "actor": actor, "source": source, "reason": reason}


KEYWORD = inspect.Parameter.KEYWORD_ONLY
COMMON_PARAMETERS = (
    inspect.Parameter("effective", KEYWORD, annotation="PartialDate"),
    inspect.Parameter("actor", KEYWORD, annotation="str"),
)
OPTIONAL_COMMON = ("source", "reason", "notification")


def command_for(declaration: Declaration) -> Callable[..., None]:
    """The Agreement's command for a declared type: its signature is the event's fields (as
    with eventsourcing's `@event` commands), defaults and computed fields optional."""
    event_class = declaration.event
    hints = declaration.fields()
    defaults = declaration.defaults()
    parameters = [*COMMON_PARAMETERS]
    for name in declaration.required():
        parameters.append(inspect.Parameter(name, KEYWORD, annotation=hints[name]))
    for name, default in defaults.items():
        if name not in OPTIONAL_COMMON:
            parameters.append(
                inspect.Parameter(name, KEYWORD, default=default, annotation=hints[name])
            )
    for name in OPTIONAL_COMMON:
        parameters.append(inspect.Parameter(name, KEYWORD, default=None))
    signature = inspect.Signature(parameters)

    def command(self: Agreement, **given: Any) -> None:
        try:
            bound = signature.bind(**given)
        except TypeError as error:
            raise TypeError(f"{declaration.command}: {error}") from None
        bound.apply_defaults()
        fields = dict(bound.arguments)
        for name, computed in declaration.computed.items():
            if fields.get(name) is None:
                fields[name] = computed.value(self._record, fields)
        for name, value in fields.items():
            if isinstance(value, list):
                fields[name] = tuple(value)
            elif isinstance(value, dict):
                fields[name] = dict(value)
            if name in declaration.normalise and fields[name] is not None:
                fields[name] = declaration.normalise[name](fields[name])
        self._record_event(event_class, **fields)

    command.__name__ = command.__qualname__ = declaration.command
    command.__doc__ = f"{declaration.label} ({declaration.article}): {declaration.help}"
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD), *parameters]
    )
    return command


HANDWRITTEN = ("draft", "correct")  # creation, and corrections checked against all history

for _declaration in DECLARATIONS:
    if _declaration.command not in HANDWRITTEN:
        setattr(Agreement, _declaration.command, command_for(_declaration))
check_catalogue()
