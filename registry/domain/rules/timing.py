"""When acts may be dated: an act that has happened is not dated after the day it is
recorded, and no date lies outside the registry's horizon.

Decisions: the recorded day is the UTC day of the event's recorded instant. Which acts take
effect on a date by their nature is declared, once, by their types (`Declaration.scheduled`
in declared_acts.py and declared_records.py, which the deadlines read too): an act whose
type schedules its "effective" date (entry into force, provisional application, suspension
and resumption, termination, expiry and renewal: each a standing that starts on a date,
often fixed in advance) may lie in the future; so may the dates other events schedule (a
withdrawal's or a territorial declaration's `takes_effect`, a milestone's `due`, a renewal's
`until`), which are only held to the horizon. Everything else (drafting, adoption,
signature, consent, reservation, declaration, objection, notification, amendment,
milestones, documents, corrections) has happened when it is recorded. The horizon is the
years 1000 to 2200: the oldest treaty still in force dates from 1373, and nothing a registry
records is scheduled two centuries ahead; stored history is never re-checked against it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, event_type
from registry.domain.events import AgreementEvent, EventCorrected

FIRST_YEAR, LAST_YEAR = 1000, 2200


class ActDatedInFuture(DomainError):
    """An act that has happened (a signature, a consent...) dated after the day it is recorded."""

    code = "act_dated_in_future"
    field = "effective"


class DateBeyondHorizon(DomainError):
    """A date outside the years 1000 to 2200."""

    code = "date_beyond_horizon"


def check_timing(fact: AgreementEvent, recorded: date | None = None, *, ahead: bool) -> None:
    """`recorded`: the day the dates are given (default: the fact's own recorded day);
    `ahead`: whether the act may take effect later by its nature (its declaration says)."""
    for name, value in dated_fields(fact):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise DateBeyondHorizon(
                "{value} is outside the dates the registry records (the years {FIRST_YEAR} to "
                "{LAST_YEAR}): check the year",
                value=value,
                FIRST_YEAR=FIRST_YEAR,
                LAST_YEAR=LAST_YEAR,
                field=name,
            )
    if ahead:
        return
    recorded = recorded or fact.timestamp.date()
    if fact.effective.start > recorded:
        what = event_type(fact)
        raise ActDatedInFuture(
            "{what} records an act that has happened: it cannot be dated {effective}, after the "
            "day it is recorded ({recorded})",
            what=what,
            effective=fact.effective,
            recorded=PartialDate.of(recorded),
        )


def check_corrected_timing(
    fact: AgreementEvent, correction: EventCorrected, *, ahead: bool
) -> None:
    """A correction gives its target's dates anew, on the day the correction is recorded."""
    try:
        check_timing(fact, correction.timestamp.date(), ahead=ahead)
    except DomainError as error:
        field = "new_effective" if error.field == "effective" else f"changes.{error.field}"
        raise type(error)(error.message, field=field) from None


def dated_fields(fact: AgreementEvent) -> list[tuple[str, PartialDate]]:
    found = []
    for field in dataclasses.fields(fact):  # type: ignore[arg-type]
        value = getattr(fact, field.name)
        if isinstance(value, PartialDate):
            found.append((field.name, value))
    return found
