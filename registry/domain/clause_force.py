"""What the clauses (clauses.py) make of a Record: entry into force for all and for each party,
the end of a fixed term, and when a withdrawal may take effect. Pure functions of the facts.

Decisions:

- Without a computed entry-into-force clause (none, or `as_recorded`) entry into force is as
  recorded: a party's own EnteredIntoForce, else the general one once it is bound, or its
  consent if that came later (VCLT art. 24(3)).
- `instruments`: the instruments counted are the parties' consents to be bound (consent, or
  a definitive signature), in the order of their dates; the general entry into force is
  `days_after` days after the N-th. A vague date counts from its first day.
- A withdrawal does not reduce the count. Entry into force counts instruments deposited,
  and VCLT art. 55 keeps a treaty in force when its parties fall below the number needed;
  a withdrawal needs the party in force (rules/ending.py), so it takes effect after the
  count was reached, and a party consenting after it enters into force on its consent +
  `later_parties_days_after_deposit` days as any later party.
- `date`: the general entry into force is that day, once a party is bound by then.
- A party bound on or before the general entry into force enters into force with it; one bound
  later on its consent + `later_parties_days_after_deposit` days (without that key: on its
  consent). With a computed clause, recorded EnteredIntoForce events are confirmations only:
  one that contradicts the clause is refused (clause_rules.py).
- Duration: the agreement expires `years` after its general entry into force (the day it is
  no longer in force), unless a renewal is recorded (officers then record the end as
  Expired); with tacit renewal it never expires by itself and `term_ends` gives the end of the
  current term.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from functools import lru_cache

from registry.domain.clauses import (
    Clauses,
    EntryIntoForceClause,
    EntryIntoForceRule,
    InvalidClause,
    Reckoning,
    clauses_or_none,
    parse_clauses,
)
from registry.domain.dates import PartialDate
from registry.domain.events import EnteredIntoForce
from registry.domain.record import Record


def clauses_of(record: Record) -> Clauses | None:
    data = getattr(record.drafted, "clauses", None)
    try:
        return None if data is None else _parsed(json.dumps(data, sort_keys=True))
    except TypeError:  # not JSON data: parsed as it is
        return clauses_or_none(data)


@lru_cache(maxsize=256)
def _parsed(text: str) -> Clauses | None:
    """Parsed once per wording: the timeline asks for the clauses per party and per day."""
    return clauses_or_none(json.loads(text))


def computed_entry(record: Record) -> EntryIntoForceClause | None:
    clauses = clauses_of(record)
    clause = clauses.entry_into_force if clauses is not None else None
    return clause if clause is not None and clause.computed else None


def add_years(day: date, years: int) -> date | None:
    """The same day `years` later (29 February becomes 28 February); None past year 9999."""
    year = day.year + years
    if year > 9999:
        return None
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def later_day(day: date, days: int) -> PartialDate | None:
    try:
        return PartialDate.of(day + timedelta(days=days))
    except OverflowError:
        return None


def bound_dates(record: Record) -> list[PartialDate]:
    found = (record.bound_on(party.code) for party in record.parties)
    return sorted((d for d in found if d is not None), key=lambda d: d.start)


def reference_day(record: Record, clause: EntryIntoForceClause) -> date | None:
    """The clause's general day: the fixed date, or N-th instrument + D days."""
    if clause.rule is EntryIntoForceRule.DATE:
        return clause.date
    bound = bound_dates(record)
    needed = clause.instruments or 0
    if len(bound) < needed:
        return None
    given = later_day(bound[needed - 1].start, clause.days_after)
    return given.start if given is not None else None


def general_entry(record: Record) -> PartialDate | None:
    """The general entry into force the facts give, whatever the as-of date."""
    clause = computed_entry(record)
    if clause is None:
        general = record.in_force.get(None)
        return general.effective if general is not None else None
    if not record.binding:
        return None
    day = reference_day(record, clause)
    if day is None or not any(b.start <= day for b in bound_dates(record)):
        return None
    return PartialDate.of(day)


def party_entry(record: Record, code: str) -> PartialDate | None:
    """The party's entry into force the facts give, whatever the as-of date."""
    if not record.binding:
        return None
    clause = computed_entry(record)
    reference = None if clause is None else reference_day(record, clause)
    return entry_given(
        record, code, record.bound_on(code), clause, record.in_force.get(None), reference
    )


def entry_given(
    record: Record,
    code: str,
    bound: PartialDate | None,
    clause: EntryIntoForceClause | None,
    general: EnteredIntoForce | None,
    reference: date | None,
) -> PartialDate | None:
    """`party_entry` of a binding record, given what every party shares: the computed clause,
    the general entry into force recorded and the clause's reference day
    (history.Shared holds them once per day, so a party's row need not ask again)."""
    if clause is None:
        own = record.in_force.get(code)
        if own is not None:
            return own.effective
        if general is None or bound is None:
            return None
        return max(general.effective, bound, key=lambda d: (d.start, d.end))
    if reference is None or bound is None:
        return None
    if bound.start <= reference:
        return PartialDate.of(reference)
    later = clause.later_parties_days_after_deposit
    return bound if later is None else later_day(bound.start, later)


def by(when: PartialDate | None, as_of: date | None) -> PartialDate | None:
    """`when`, if it has started by `as_of` (None: no cut-off)."""
    return when if when is not None and (as_of is None or when.start <= as_of) else None


def term_expiry(record: Record) -> PartialDate | None:
    """The day a fixed term without tacit renewal ends, renewals aside."""
    clauses = clauses_of(record)
    duration = clauses.duration if clauses is not None else None
    if duration is None or duration.renewal_years is not None:
        return None
    general = general_entry(record)
    if general is None:
        return None
    end = add_years(general.start, duration.years)
    return PartialDate.of(end) if end is not None else None


def derived_expiry(record: Record) -> PartialDate | None:
    """The expiry by the duration clause, unless a renewal was recorded."""
    return term_expiry(record) if record.last_renewal is None else None


def term_ends(record: Record, as_of: date | None) -> PartialDate | None:
    """With tacit renewal: the last day of the term running on `as_of` (its first if None)."""
    clauses = clauses_of(record)
    duration = clauses.duration if clauses is not None else None
    general = by(general_entry(record), as_of)
    if duration is None or duration.renewal_years is None or general is None:
        return None
    end = add_years(general.start, duration.years)
    while end is not None and as_of is not None and end <= as_of:
        end = add_years(end, duration.renewal_years)
    return PartialDate.of(end - timedelta(days=1)) if end is not None else None


def notice_months(record: Record) -> int:
    clauses = clauses_of(record)
    withdrawal = clauses.withdrawal if clauses is not None else None
    if withdrawal is not None and withdrawal.notice_months is not None:
        return withdrawal.notice_months
    return record.drafted.withdrawal_notice_months


def withdrawal_effect(record: Record, notified: PartialDate) -> PartialDate:
    """When a withdrawal notified on `notified` takes effect: after the notice period."""
    return notified.add_months(notice_months(record))


def earliest_withdrawal(record: Record, party: str) -> tuple[PartialDate, str] | None:
    """The earliest day the clause lets `party`'s withdrawal take effect, and why."""
    clauses = clauses_of(record)
    clause = clauses.withdrawal if clauses is not None else None
    if clause is None or clause.earliest_years is None:
        return None
    if clause.earliest_from is Reckoning.AGREEMENT:
        base, what = general_entry(record), "its entry into force"
    else:
        base, what = party_entry(record, party), f"its entry into force for {party}"
    end = add_years(base.start, clause.earliest_years) if base is not None else None
    if end is None:
        return None
    return PartialDate.of(end), f"{clause.earliest_years} years after {what}"


def clause_days(record: Record) -> set[date]:
    """Every day on which a clause makes the standing change: the as-of timeline's extra
    change days (the facts' own dates are the others)."""
    if clauses_of(record) is None:
        return set()
    found = [general_entry(record), term_expiry(record)]
    found += [party_entry(record, party.code) for party in record.parties]
    return {d.start for d in found if d is not None}


__all__ = [
    "add_years",
    "by",
    "clause_days",
    "clauses_of",
    "computed_entry",
    "derived_expiry",
    "earliest_withdrawal",
    "general_entry",
    "notice_months",
    "party_entry",
    "term_ends",
    "term_expiry",
    "withdrawal_effect",
]


def notice_or_default(months: int | None, clauses: object) -> int:
    """The notice period a draft records: as given, else the withdrawal clause's, else 12."""
    if months is not None:
        return months
    try:
        parsed = parse_clauses(clauses)
    except InvalidClause:
        parsed = None  # check_drafted refuses it with the path at fault
    withdrawal = parsed.withdrawal if parsed is not None else None
    if withdrawal is not None and withdrawal.notice_months is not None:
        return withdrawal.notice_months
    return 12
