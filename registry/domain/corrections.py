"""Corrections: an EventCorrected supersedes (re-dates and/or changes fields of) or retracts a
named earlier event. Stored events are never edited; a fact is the event as corrected.

`Corrections.take` is shared by the aggregate and by `history.state_as_of`, so both see the
same facts. It never fails: a correction that could not be applied to stored history (a
target that does not exist or is retracted, a change that does not decode) changes nothing,
though the rules below keep the aggregate from ever recording one.

Decisions: a correction itself cannot be corrected or retracted (correct the original event
again: the later correction wins field by field); a retracted event cannot be corrected (it
is recorded anew instead); the Drafted event can be superseded but not retracted, and its
`reference` (the stream's identity) cannot change. A correction is accepted only if every
rule still holds when the whole corrected history is replayed in recorded order; if not,
CorrectionBreaksHistory carries the rule that would break as `violation`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from registry.domain.catalogue import check, declared
from registry.domain.codec import InvalidEventData, data_fields, from_json
from registry.domain.declaration import Correctable
from registry.domain.errors import (
    CorrectionBreaksHistory,
    CorrectionOfCorrection,
    CorrectionOfRetractedEvent,
    CorrectionTargetNotFound,
    DomainError,
    DraftCannotBeRetracted,
    InvalidCorrectionValue,
    NotACorrectableField,
    NothingToCorrect,
    ReasonRequired,
    ReferenceCannotChange,
    RetractionTakesNoChanges,
    event_type,
)
from registry.domain.events import AgreementEvent, Drafted, EventCorrected
from registry.domain.record import Record
from registry.domain.rules import check_drafted
from registry.domain.rules.timing import check_corrected_timing
from registry.domain.values import CorrectionAction


class Corrections:
    """The facts of a history: every event but the corrections, as corrected so far."""

    def __init__(self) -> None:
        self.events: dict[int, AgreementEvent] = {}  # every event as recorded, by version
        self.facts: dict[int, AgreementEvent] = {}  # by version, in recorded order
        self.retracted: set[int] = set()
        self.corrections: list[EventCorrected] = []

    def take(self, event: AgreementEvent) -> None:
        self.events[event.originator_version] = event
        if not isinstance(event, EventCorrected):
            self.facts[event.originator_version] = event
            return
        self.corrections.append(event)
        target = self.facts.get(event.corrects)
        if target is None or event.corrects >= event.originator_version:
            return
        if event.action is CorrectionAction.RETRACT:
            if not isinstance(target, Drafted):
                del self.facts[event.corrects]
                self.retracted.add(event.corrects)
            return
        self.facts[event.corrects] = superseded(target, event, strict=False)

    def in_order(self) -> list[AgreementEvent]:
        return list(self.facts.values())


def superseded(target: AgreementEvent, correction: EventCorrected, *, strict: bool) -> Any:
    """The target as the correction has it; `strict` raises on a change that does not fit."""
    fields = data_fields(type(target))
    values: dict[str, Any] = {}
    for name, value in correction.changes.items():
        if name not in fields or (isinstance(target, Drafted) and name == "reference"):
            if strict:
                raise_not_correctable(target, name)
            continue
        try:
            values[name] = from_json(fields[name], value, f"changes.{name}")
        except InvalidEventData as error:
            if strict:
                raise InvalidCorrectionValue(
                    "The new {name} of {event} (event {target_version}) is not valid: {message}",
                    name=name,
                    event=event_type(target),
                    target_version=target.originator_version,
                    message=error.message,
                    field=error.field,
                ) from None
    if correction.new_effective is not None:
        values["effective"] = correction.new_effective
    return dataclasses.replace(target, **values)


def raise_not_correctable(target: AgreementEvent, name: str) -> None:
    if isinstance(target, Drafted) and name == "reference":
        raise ReferenceCannotChange(
            "An agreement's reference is its identity and cannot be corrected: draft a new "
            "agreement and retract the events of this one instead"
        )
    fields = ", ".join(sorted(data_fields(type(target))))
    raise NotACorrectableField(
        "{name} is not a field of {event} (its fields are {fields})",
        name=name,
        event=event_type(target),
        fields=fields,
        field=f"changes.{name}",
    )


def check_correction(corrections: Corrections, correction: EventCorrected) -> Record:
    """Raise if the correction may not be recorded; else the record of the corrected history."""
    if not (correction.reason or "").strip():
        raise ReasonRequired("A correction must give its reason")
    target = check_target(corrections, correction)
    if correction.action is CorrectionAction.RETRACT:
        if declared(type(target)).correctable is not Correctable.SUPERSEDE_OR_RETRACT:
            raise DraftCannotBeRetracted(
                "The Drafted event cannot be retracted: retract the other events, or correct it"
            )
        if correction.changes or correction.new_effective is not None:
            raise RetractionTakesNoChanges(
                "A retraction removes the event: it takes no new date or field values"
            )
    elif not correction.changes and correction.new_effective is None:
        raise NothingToCorrect("A correction must give a new effective date or new field values")
    else:
        check_corrected_timing(
            superseded(target, correction, strict=True),
            correction,
            ahead=declared(type(target)).takes_effect_ahead,
        )
    corrected = Corrections()
    for event in corrections.events.values():
        corrected.take(event)
    corrected.take(correction)
    facts = corrected.in_order()
    try:
        return checked_record(facts)
    except DomainError as violation:
        blocking = getattr(violation, "__blocking__", None)
        if blocking is not None and blocking.originator_version == correction.corrects:
            blocking = None  # the corrected event itself breaks the rule
        raise CorrectionBreaksHistory(correction.corrects, violation, blocking) from violation


def check_target(corrections: Corrections, correction: EventCorrected) -> AgreementEvent:
    version = correction.corrects
    target = corrections.events.get(version)
    if target is None or version >= correction.originator_version:
        raise CorrectionTargetNotFound(
            "There is no earlier event {version} to correct", version=version
        )
    if declared(type(target)).correctable is Correctable.NOT_CORRECTABLE:
        assert isinstance(target, EventCorrected)
        raise CorrectionOfCorrection(
            "Event {version} is itself a correction: correct event {corrects} instead",
            version=version,
            corrects=target.corrects,
        )
    if version in corrections.retracted:
        raise CorrectionOfRetractedEvent(
            "Event {version} ({event}) was retracted: record the act anew instead of correcting it",
            version=version,
            event=event_type(target),
        )
    return corrections.facts[version]


def checked_record(facts: list[AgreementEvent]) -> Record:
    """Every rule, replayed over facts in recorded order; the record, if they all hold."""
    drafted = facts[0]
    assert isinstance(drafted, Drafted)
    check_drafted(drafted)
    record = Record(drafted)
    for fact in facts[1:]:
        try:
            check(record, fact)
        except DomainError as violation:
            violation.__blocking__ = fact  # type: ignore[attr-defined]  # the event refused
            raise
        record.add(fact)
    return record
