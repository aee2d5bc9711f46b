"""Suspension and resumption (VCLT arts. 57-58), withdrawal (54, 56), termination, expiry and
renewal: the acts that stop an agreement operating, for one party or for all."""

from __future__ import annotations

from registry.domain.clause_force import notice_months, withdrawal_effect
from registry.domain.errors import (
    AlreadyExpired,
    AlreadySuspended,
    AlreadyTerminated,
    DateOutOfOrder,
    ExpiryWithinRenewedTerm,
    NotInForce,
    NotSuspended,
    WithdrawalAlreadyNotified,
    WithdrawalNoticeTooShort,
    spoken,
)
from registry.domain.events import (
    AgreementEvent,
    Expired,
    Renewed,
    Resumed,
    Suspended,
    Terminated,
    WithdrawalNotified,
)
from registry.domain.record import Record
from registry.domain.rules.common import check_listed, check_no_later_acts
from registry.domain.rules.force import operative_on


def check_suspended(record: Record, fact: Suspended) -> None:
    check_listed(record, fact.party)
    name = record.name_of(fact.party)
    current = record.suspended(fact.party)
    if current is not None:
        raise AlreadySuspended(
            f"{record.title} is already suspended for {name} since {spoken(current.effective)}"
        )
    if not operative_on(record, fact.party, fact.effective):
        state = "in force" if record.binding else "in effect"
        raise NotInForce(
            f"{record.title} is not {state} for {name} by {spoken(fact.effective)}: only an "
            f"agreement {state} can be suspended"
        )
    check_in_sequence(record.last_suspension.get(fact.party), fact, "suspension and resumption")


def check_resumed(record: Record, fact: Resumed) -> None:
    check_listed(record, fact.party)
    current = record.suspended(fact.party)
    if current is None:
        raise NotSuspended(
            f"{record.title} is not suspended for {record.name_of(fact.party)}: there is "
            "nothing to resume"
        )
    check_in_sequence(current, fact, "suspension and resumption")


def check_in_sequence(last: AgreementEvent | None, fact: AgreementEvent, what: str) -> None:
    """A step of a sequence the views fold in order may not start before the step it follows."""
    if last is not None and fact.effective.start < last.effective.start:
        raise DateOutOfOrder(
            f"Steps of {what} are recorded in order: the last one ({type(last).__name__}) is "
            f"dated {spoken(last.effective)}, so this one cannot be dated {spoken(fact.effective)}"
        )


def check_withdrawal(record: Record, fact: WithdrawalNotified) -> None:
    check_listed(record, fact.party)
    name = record.name_of(fact.party)
    earlier = record.withdrawals.get(fact.party)
    if earlier is not None:
        raise WithdrawalAlreadyNotified(
            f"{name} already notified its withdrawal from {record.title} on "
            f"{spoken(earlier.effective)}, with effect from {spoken(earlier.takes_effect)}"
        )
    if not operative_on(record, fact.party, fact.effective):
        state = "in force" if record.binding else "in effect"
        raise NotInForce(
            f"{record.title} is not {state} for {name} by {spoken(fact.effective)}: there is "
            "nothing to withdraw from"
        )
    months = notice_months(record)
    earliest = withdrawal_effect(record, fact.effective)
    if fact.takes_effect.definitely_before(earliest):
        raise WithdrawalNoticeTooShort(
            f"{record.title} requires {months} months' notice: {name}'s withdrawal notified on "
            f"{spoken(fact.effective)} takes effect on {spoken(earliest)} at the earliest, not "
            f"{spoken(fact.takes_effect)}"
        )
    scope = None if not record.multilateral else fact.party
    check_no_later_acts(record, fact.takes_effect, f"{name}'s withdrawal would take effect", scope)


def check_terminated(record: Record, fact: Terminated) -> None:
    if record.termination is not None:
        raise AlreadyTerminated(
            f"{record.title} was already terminated on {spoken(record.termination.effective)}"
        )
    check_no_later_acts(record, fact.effective, f"{record.title} would end", None)


def check_expired(record: Record, fact: Expired) -> None:
    current = record.expiry()
    if current is not None:
        raise AlreadyExpired(
            f"{record.title} already expired on {spoken(current.effective)}; record a renewal "
            "first if it was renewed"
        )
    check_in_sequence(record.last_term, fact, "expiry and renewal")
    renewal = record.last_renewal
    until = renewal.until if renewal is not None else None
    if until is not None and until.definitely_after(fact.effective):
        raise ExpiryWithinRenewedTerm(
            f"{record.title} was renewed until {spoken(until)}: it cannot expire on "
            f"{spoken(fact.effective)}"
        )
    check_no_later_acts(record, fact.effective, f"{record.title} would expire", None)


def check_renewed(record: Record, fact: Renewed) -> None:
    if fact.until is not None and fact.until.definitely_before(fact.effective):
        raise DateOutOfOrder(
            f"A renewal dated {spoken(fact.effective)} cannot run until {spoken(fact.until)}, "
            "which is earlier",
            field="until",
        )
    check_in_sequence(record.last_term, fact, "expiry and renewal")
