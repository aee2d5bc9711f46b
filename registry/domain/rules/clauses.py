"""Rules the clauses add: a recorded entry into force must be the one the clause gives, a
recorded expiry the one the duration clause gives, a withdrawal may not take effect before
the clause's earliest date, and a drafted agreement's clauses must have their documented
shape and agree with its notice period.

Decisions on expiry: with a fixed term (no tacit renewal) and no renewal recorded, an Expired
must fall on the day the term ends (its general entry into force + the years); with tacit
renewal, on the end of a term (the agreement then ends at the end of the term running, e.g.
after a notice not to renew). A recorded renewal hands the end back to the officers (any
date the other rules allow), as does an agreement whose entry into force the clause cannot
yet give. A vague date is accepted when the clause's day falls inside it."""

from __future__ import annotations

from datetime import date

from registry.domain.clause_force import (
    add_years,
    clauses_of,
    computed_entry,
    earliest_withdrawal,
    general_entry,
    party_entry,
)
from registry.domain.clauses import EntryIntoForceRule, parse_clauses
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, NonBindingTakesNoEntryIntoForce, Phrase
from registry.domain.events import (
    AgreementEvent,
    Drafted,
    EnteredIntoForce,
    Expired,
    WithdrawalNotified,
)
from registry.domain.record import Record
from registry.domain.values import LegalCharacter


class EntryIntoForceContradictsClause(DomainError):
    """A recorded entry into force is not on the day the clause gives (the message says which)."""

    code = "entry_into_force_contradicts_clause"
    field = "effective"


class EntryIntoForceNotDueUnderClause(DomainError):
    """An entry into force recorded before the clause gives a date (too few instruments)."""

    code = "entry_into_force_not_due_under_clause"
    field = "effective"


class ExpiryContradictsClause(DomainError):
    """A recorded expiry is not on the day the duration clause gives (the message says which)."""

    code = "expiry_contradicts_clause"
    field = "effective"


class WithdrawalBeforeEarliestDate(DomainError):
    """A withdrawal would take effect before the earliest date of the withdrawal clause."""

    code = "withdrawal_before_earliest_date"
    field = "takes_effect"


class NoticePeriodContradictsClause(DomainError):
    """The withdrawal notice period differs from the withdrawal clause's notice."""

    code = "notice_period_contradicts_clause"
    field = "withdrawal_notice_months"


def check_drafted_clauses(drafted: Drafted) -> None:
    clauses = parse_clauses(getattr(drafted, "clauses", None))
    if clauses is None:
        return
    entry = clauses.entry_into_force
    if drafted.character is not LegalCharacter.BINDING and entry is not None and entry.computed:
        raise NonBindingTakesNoEntryIntoForce(
            "A non-binding instrument does not enter into force: it takes no entry-into-force "
            "clause",
            field="clauses",
        )
    withdrawal = clauses.withdrawal
    months = withdrawal.notice_months if withdrawal is not None else None
    if months is not None and months != drafted.withdrawal_notice_months:
        raise NoticePeriodContradictsClause(
            "The withdrawal clause gives {months} months' notice but the notice period is "
            "{withdrawal_notice_months} months: leave the notice period out (the clause gives it) "
            "or make them agree",
            months=months,
            withdrawal_notice_months=drafted.withdrawal_notice_months,
        )


def check_clause_rules(record: Record, fact: AgreementEvent) -> None:
    if isinstance(fact, EnteredIntoForce):
        check_entry_by_clause(record, fact)
    elif isinstance(fact, WithdrawalNotified):
        check_earliest_withdrawal(record, fact)
    elif isinstance(fact, Expired):
        check_expiry_by_clause(record, fact)


def clause_expiry(record: Record, on_or_after: date) -> tuple[date, Phrase] | None:
    """The day the duration clause ends the agreement, the first on or after `on_or_after`
    with tacit renewal, and how the clause puts it; None when it gives none."""
    clauses = clauses_of(record)
    duration = clauses.duration if clauses is not None else None
    general = general_entry(record)
    if duration is None or general is None or record.last_renewal is not None:
        return None
    end = add_years(general.start, duration.years)
    if duration.renewal_years is None:
        why = Phrase("{years} years after its entry into force", years=duration.years)
        return (end, why) if end else None
    while end is not None and end < on_or_after:
        end = add_years(end, duration.renewal_years)
    why = Phrase(
        "at the end of a term ({years} years, renewed for {renewal})",
        years=duration.years,
        renewal=duration.renewal_years,
    )
    return (end, why) if end is not None else None


def check_expiry_by_clause(record: Record, fact: Expired) -> None:
    given = clause_expiry(record, fact.effective.start)
    if given is None:
        return
    day, why = given
    if not (fact.effective.start <= day <= fact.effective.end):
        raise ExpiryContradictsClause(
            "By its duration clause {title} expires on {day} ({why}), not {effective}: record it "
            "on {iso_day} (or leave it to the clause)",
            title=record.title,
            day=PartialDate.of(day),
            why=why,
            effective=fact.effective,
            iso_day=day.isoformat(),
        )


def check_entry_by_clause(record: Record, fact: EnteredIntoForce) -> None:
    clause = computed_entry(record)
    if clause is None:
        return
    whom = "" if fact.party is None else Phrase(" for {name}", name=record.name_of(fact.party))
    given = general_entry(record) if fact.party is None else party_entry(record, fact.party)
    if given is None:
        if clause.rule is EntryIntoForceRule.INSTRUMENTS:
            rule = Phrase(
                "{days} days after the deposit of instrument {number}",
                days=clause.days_after,
                number=clause.instruments,
            )
        else:
            rule = Phrase("on {day} for the parties bound by then", day=clause.date)
        raise EntryIntoForceNotDueUnderClause(
            "{title} enters into force{whom} by its clause ({rule}): the instruments recorded do "
            "not yet give a date",
            title=record.title,
            whom=whom,
            rule=rule,
        )
    if not (fact.effective.start <= given.start <= fact.effective.end):
        raise EntryIntoForceContradictsClause(
            "By its clause {title} enters into force{whom} on {given}, not {effective}: record it "
            "on {given} (or leave it to the clause)",
            title=record.title,
            whom=whom,
            given=given,
            effective=fact.effective,
        )


def check_earliest_withdrawal(record: Record, fact: WithdrawalNotified) -> None:
    earliest = earliest_withdrawal(record, fact.party)
    if earliest is None:
        return
    day, why = earliest
    if fact.takes_effect.definitely_before(day):
        raise WithdrawalBeforeEarliestDate(
            "By its withdrawal clause a withdrawal from {title} takes effect no earlier than "
            "{day} ({why}): {party_name}'s would take effect on {takes_effect}",
            title=record.title,
            day=day,
            why=why,
            party_name=record.name_of(fact.party),
            takes_effect=fact.takes_effect,
        )
