"""An agreement's standing on every date at once, as known at an instant: the as-of view in
one pass, for read models that answer "as of D" for a whole registry without replaying it.

`status_timeline(events, known_at)` returns periods: each gives the agreement's standing (its
status, names and parties with their statuses) from its `start` until the day before the next
period's start; the last runs to `date.max`. The first starts on `date.min`, before the
agreement was drafted. On every day D the standing is exactly what `history.state_as_of(events,
D, known_at)` gives, and `as_of=None` (no cut-off) is the last period: every known act has
started by `date.max`, and a withdrawal has taken effect by then.

Why it is exact: `state_as_of(D)` folds the facts whose effective period starts on or before D
(in `sort_key` order) and then compares D only with the first day of a date the facts hold (a
withdrawal's `takes_effect`, the Drafted date): a partial date counts from its start. So the
state can change only on the first day of some date in the facts; between two such days it is
constant. This function folds the facts in the same order and derives the standing on each
of those days with `derive`'s own functions. The unit tests check it against `state_as_of` day
by day.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from registry.domain.clause_force import clauses_of, term_expiry
from registry.domain.corrections import Corrections
from registry.domain.dates import PartialDate
from registry.domain.events import AgreementEvent, Drafted
from registry.domain.history import (
    PartyLine,
    Shared,
    agreement_status,
    entry_of,
    not_yet_recorded,
    party_line,
)
from registry.domain.record import Record, sort_key
from registry.domain.state import AgreementState, PartyRow
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter, PartyStatus

PartyActs = tuple[str | None, ...]  # signed, consent kind, consented, in force, withdrawal


def party_acts(row: PartyRow | PartyLine) -> PartyActs:
    """A party's own dates on one day, as text: what a party's list of agreements shows."""
    return tuple(
        None if value is None else str(getattr(value, "value", value))
        for value in (
            row.signed,
            row.consent,
            row.consented,
            row.in_force,
            row.withdrawal_takes_effect,
        )
    )


@dataclass(frozen=True)
class Standing:
    """What a list shows of an agreement on one day."""

    status: AgreementStatus
    reference: str
    titles: tuple[tuple[str, str], ...]  # (language, title), in the state's order
    kind: AgreementKind
    character: LegalCharacter
    parties: tuple[tuple[str, PartyStatus], ...]  # (code, status), in the state's order
    acts: tuple[PartyActs, ...] = ()  # each party's own dates, in the same order

    @classmethod
    def of(cls, state: AgreementState) -> Standing:
        return cls(
            status=state.status,
            reference=state.reference,
            titles=tuple(state.titles.items()),
            kind=state.kind,
            character=state.character,
            parties=tuple((row.code, row.status) for row in state.parties),
            acts=tuple(party_acts(row) for row in state.parties),
        )


@dataclass(frozen=True)
class Period:
    start: date
    standing: Standing


def status_timeline(
    events: Sequence[AgreementEvent], known_at: datetime | None = None
) -> tuple[Period, ...]:
    """The standing on every date, as known at `known_at` (None: everything recorded)."""
    if known_at is not None and known_at.tzinfo is None:
        raise ValueError("known_at must be timezone-aware")
    known = sorted(
        (e for e in events if known_at is None or e.timestamp <= known_at),
        key=lambda e: e.originator_version,
    )
    if not known or not isinstance(known[0], Drafted):
        raise not_yet_recorded(events, known_at)
    corrections = Corrections()
    for event in known:
        corrections.take(event)
    facts = corrections.in_order()
    record = Record(facts[0])  # type: ignore[arg-type]
    dated = sorted(facts[1:], key=sort_key)
    periods: list[Period] = []
    folded = 0
    days = sorted({*change_days(facts), *clause_change_days(Record.of(facts))})
    for day in days:
        while folded < len(dated) and dated[folded].effective.start <= day:
            record.add(dated[folded])
            folded += 1
        standing = standing_of(record, day)
        if not periods or periods[-1].standing != standing:
            periods.append(Period(day, standing))
    return tuple(periods)


def standing_of(record: Record, day: date) -> Standing:
    """What `history.derive` says of the status, names and parties on `day`, without the rest
    of the state (milestones, documents...), whose rows would make long histories quadratic."""
    shared = Shared.of(record, day)
    lines = lines_of(record, day, shared)
    return standing_from(record, day, lines, tuple(map(party_acts, lines)), shared)


def lines_of(record: Record, day: date, shared: Shared) -> tuple[PartyLine, ...]:
    """Each party's line on `day`, in the parties' order (`shared`: `Shared.of(record, day)`)."""
    return tuple(party_line(record, code, day, shared) for code in record.codes)


def standing_from(
    record: Record,
    day: date,
    lines: Sequence[PartyLine],
    acts: tuple[PartyActs, ...],
    shared: Shared | None = None,
) -> Standing:
    """The standing on `day` of the parties' `lines` on it (`acts`: their `party_acts`)."""
    drafted = record.drafted
    return Standing(
        status=agreement_status(record, lines, day, shared),
        reference=drafted.reference,
        titles=tuple(record.titles.items()),
        kind=drafted.kind,
        character=drafted.character,
        parties=tuple((line.code, line.status) for line in lines),
        acts=acts,
    )


def clause_change_days(record: Record) -> set[date]:
    """`clause_force.clause_days`, with what every party shares asked once, not per party."""
    if clauses_of(record) is None:
        return set()
    shared = Shared.of(record, None)
    found = general_days(record, shared)
    found.update(entry_day(record, code, shared) for code in record.codes)
    found.discard(None)  # type: ignore[arg-type]
    return found


def general_days(record: Record, shared: Shared) -> set[date]:
    """The clause days that are not a party's own: the general entry into force, the end of
    a fixed term (`shared`: `Shared.of(record, None)`)."""
    return {d.start for d in (shared.entry, term_expiry(record)) if d is not None}


def entry_day(record: Record, code: str, shared: Shared) -> date | None:
    """The first day of `history.entry_of` (the party's entry into force by the facts), with
    no PartialDate made for each party: `shared` is `Shared.of(record, None)`."""
    clause, reference, bound = shared.clause, shared.reference, record.bound_on(code)
    if clause is not None and reference is not None and bound is not None and record.binding:
        if bound.start <= reference:
            return reference
        later = clause.later_parties_days_after_deposit
        try:  # clause_force.later_day: none past date.max
            return bound.start if later is None else bound.start + timedelta(days=later)
        except OverflowError:
            return None
    entry = entry_of(record, code, bound, shared)
    return entry.start if entry is not None else None


def change_days(facts: Sequence[AgreementEvent]) -> list[date]:
    """`date.min` and the first day of every date the facts hold: the only days a state
    as of a date can change on."""
    return sorted({date.min, *(d.start for fact in facts for d in partial_dates(fact))})


def partial_dates(fact: AgreementEvent) -> Iterator[PartialDate]:
    for name in _field_names(type(fact)):
        value = getattr(fact, name)
        if isinstance(value, PartialDate):
            yield value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """An event type's fields, asked once per type (dataclasses.fields makes them anew)."""
    return tuple(field.name for field in dataclasses.fields(kind))


def standing_on(periods: Sequence[Period], day: date | None) -> Standing:
    """The standing on `day` (None: no cut-off, the last period)."""
    if day is None:
        return periods[-1].standing
    found = periods[0]
    for period in periods:
        if period.start > day:
            break
        found = period
    return found.standing


def took_effect(state: AgreementState) -> PartialDate | None:
    """The day the agreement began to operate: its entry into force for all, or, for one in
    force or in effect, the earliest day it operated for some party. A non-binding instrument
    takes effect when the last party signs (history.in_effect)."""
    if state.entered_into_force is not None:
        return state.entered_into_force
    if state.character is LegalCharacter.BINDING:
        starts = [row.in_force for row in state.parties if row.in_force is not None]
        return min(starts, key=lambda d: d.start) if starts else None
    operating = {
        AgreementStatus.IN_EFFECT,
        AgreementStatus.SUSPENDED,
        AgreementStatus.TERMINATED,
        AgreementStatus.EXPIRED,
    }
    signed = [row.signed for row in state.parties]
    if state.status not in operating or not signed or any(d is None for d in signed):
        return None
    return max((d for d in signed if d is not None), key=lambda d: d.start)


def signed_on(state: AgreementState) -> PartialDate | None:
    """The day of signature: the last party's, once every party has signed; else the first."""
    signed = [row.signed for row in state.parties if row.signed is not None]
    if not signed:
        return None
    if len(signed) == len(state.parties):
        return max(signed, key=lambda d: d.start)
    return min(signed, key=lambda d: d.start)


__all__ = [
    "Period",
    "Standing",
    "change_days",
    "clause_change_days",
    "entry_day",
    "general_days",
    "lines_of",
    "signed_on",
    "standing_from",
    "standing_of",
    "standing_on",
    "status_timeline",
    "took_effect",
]
