"""What falls due after a date, as known at an instant: the dates that events fix ahead by
their nature, as their types declare them (`Declaration.scheduled`: entries into force,
withdrawals and territorial declarations taking effect, terminations, expiries, renewals
and their ends, milestones due...), what the clauses derive from them, and milestones overdue.

`deadlines_of(events, as_of, until, known_at)` and `upcoming(on_day, known, until, facts)` are
pure. `on_day` is the agreement as of the day D, `known` is every act known at the same
instant whatever its date (`state_as_of(as_of=None)`), `facts` the known events with their
corrections applied, and `until` the last day of the horizon. Decisions:

- A declared deadline kind is read from the standing (`known`, `on_day`) when the standing
  decides whether it still falls due (DERIVED: an entry into force the clause computes, a
  withdrawal, the ends, the latest renewal's end, a milestone's status); every other declared
  kind is read from the facts themselves, so a type that schedules a date is a deadline
  without this module knowing it (a territorial declaration taking effect later, a
  suspension or a resumption fixed ahead).

- Dated acts come from `known`: an act whose date falls in (D, until] is upcoming, however
  early it was recorded (a withdrawal notified after D with its date in the horizon is
  listed; its notification date is in the words).
- A party's entry into force or withdrawal on or after the agreement's termination or expiry
  is not upcoming: the end comes first.
- A renewal's end ("renewed until") is upcoming when the latest known renewal ends in the
  horizon and nothing ends the agreement earlier.
- Milestones come from `on_day`: those not achieved or cancelled on D, due in the horizon,
  or overdue (due before D and still open).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from registry.domain.catalogue import declared
from registry.domain.corrections import Corrections
from registry.domain.dates import PartialDate
from registry.domain.declaration import DeadlineKind
from registry.domain.errors import Phrase, words
from registry.domain.events import AgreementEvent, Drafted
from registry.domain.history import state_as_of
from registry.domain.record import party_of
from registry.domain.state import AgreementState

# Kinds whose falling due the standing decides, read from the states below; the rest of the
# declared kinds are read from the facts.
DERIVED = frozenset(
    {
        DeadlineKind.ENTRY_INTO_FORCE,
        DeadlineKind.WITHDRAWAL_TAKES_EFFECT,
        DeadlineKind.TERMINATION,
        DeadlineKind.EXPIRY,
        DeadlineKind.RENEWAL_ENDS,
        DeadlineKind.MILESTONE_DUE,
        DeadlineKind.MILESTONE_OVERDUE,
    }
)


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: PartialDate
    party: str | None  # None: the agreement as a whole
    phrase: Phrase | None = None  # the details, as data: the interface words them

    @property
    def detail(self) -> str:
        """The details in English (`notified 2026-06-01`)."""
        return str(self.phrase) if self.phrase is not None else ""

    def days_from(self, day: date) -> int:
        """Days from `day` to the first day the deadline can fall on (negative: overdue)."""
        return (self.due.start - day).days


def deadlines_of(
    events: Sequence[AgreementEvent], as_of: date, until: date, known_at: datetime | None = None
) -> list[Deadline]:
    """The deadlines of an agreement's events after `as_of` up to `until`, known at `known_at`."""
    on_day = state_as_of(events, as_of=as_of, known_at=known_at)
    known = state_as_of(events, known_at=known_at)
    return upcoming(on_day, known, until, known_facts(events, known_at))


def known_facts(
    events: Sequence[AgreementEvent], known_at: datetime | None
) -> list[AgreementEvent]:
    corrections = Corrections()
    for event in sorted(events, key=lambda e: e.originator_version):
        if known_at is None or event.timestamp <= known_at:
            corrections.take(event)
    return corrections.in_order()


def upcoming(
    on_day: AgreementState,
    known: AgreementState,
    until: date,
    facts: Sequence[AgreementEvent] = (),
) -> list[Deadline]:
    """The agreement's deadlines after `on_day.as_of` up to `until`, and overdue milestones;
    `facts` (the known events, corrections applied) give the declared kinds not DERIVED."""
    if on_day.as_of is None:
        raise ValueError("deadlines are counted from a date: `on_day` needs an as_of")
    day = on_day.as_of

    def ahead(when: PartialDate | None) -> bool:
        return when is not None and day < when.start <= until

    ends = [d for d in (known.terminated, known.expired) if d is not None]

    def standing(when: PartialDate | None) -> bool:
        """Whether a party's date still matters: nothing ends the agreement by then."""
        return when is not None and not any(end.start <= when.start for end in ends)

    found: list[Deadline] = []
    if ahead(known.entered_into_force) and standing(known.entered_into_force):
        assert known.entered_into_force is not None
        found.append(Deadline(DeadlineKind.ENTRY_INTO_FORCE, known.entered_into_force, None))
    for row in known.parties:
        if (
            ahead(row.in_force)
            and standing(row.in_force)
            and row.in_force != known.entered_into_force
        ):
            assert row.in_force is not None
            found.append(Deadline(DeadlineKind.ENTRY_INTO_FORCE, row.in_force, row.code))
        if ahead(row.withdrawal_takes_effect) and standing(row.withdrawal_takes_effect):
            assert row.withdrawal_takes_effect is not None
            found.append(
                Deadline(
                    DeadlineKind.WITHDRAWAL_TAKES_EFFECT,
                    row.withdrawal_takes_effect,
                    row.code,
                    Phrase("notified {day}", day=str(row.withdrawal_notified)),
                )
            )
    for kind, when in (
        (DeadlineKind.TERMINATION, known.terminated),
        (DeadlineKind.EXPIRY, known.expired),
    ):
        if ahead(when):
            assert when is not None
            found.append(Deadline(kind, when, None))
    renewal = known.renewed_until
    if ahead(renewal) and not any(renewal is not None and e.start < renewal.start for e in ends):
        assert renewal is not None
        found.append(
            Deadline(DeadlineKind.RENEWAL_ENDS, renewal, None, Phrase("unless renewed again"))
        )
    for fact in facts:
        if isinstance(fact, Drafted):
            continue
        for scheduled in declared(type(fact)).scheduled:
            if scheduled.deadline in DERIVED:
                continue
            when = (
                fact.effective if scheduled.field == "effective" else getattr(fact, scheduled.field)
            )
            if ahead(when) and standing(when):
                detail = (
                    None
                    if scheduled.field == "effective"
                    else Phrase("declared {day}", day=str(fact.effective))
                )
                found.append(Deadline(scheduled.deadline, when, party_of(fact), detail))
    for milestone in on_day.milestones:
        if milestone.due is None or milestone.status.is_final:
            continue
        about = Phrase(
            "{title} ({status})", title=milestone.title, status=words(milestone.status.value)
        )
        if milestone.due.end < day:
            found.append(Deadline(DeadlineKind.MILESTONE_OVERDUE, milestone.due, None, about))
        elif milestone.due.start <= until:
            found.append(Deadline(DeadlineKind.MILESTONE_DUE, milestone.due, None, about))
    return sorted(found, key=lambda d: (d.due.start, list(DeadlineKind).index(d.kind)))


__all__ = ["DERIVED", "Deadline", "DeadlineKind", "deadlines_of", "known_facts", "upcoming"]
