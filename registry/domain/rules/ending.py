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
    Phrase,
    WithdrawalAlreadyNotified,
    WithdrawalNoticeTooShort,
    Words,
    event_type,
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
            "{title} is already suspended for {name} since {current}",
            title=record.title,
            name=name,
            current=current.effective,
        )
    if not operative_on(record, fact.party, fact.effective):
        state = Words("in force") if record.binding else Words("in effect")
        raise NotInForce(
            "{title} is not {state} for {name} by {effective}: only an agreement {state} can be "
            "suspended",
            title=record.title,
            state=state,
            name=name,
            effective=fact.effective,
        )
    check_in_sequence(
        record.last_suspension.get(fact.party), fact, Words("suspension and resumption")
    )


def check_resumed(record: Record, fact: Resumed) -> None:
    check_listed(record, fact.party)
    current = record.suspended(fact.party)
    if current is None:
        raise NotSuspended(
            "{title} is not suspended for {party_name}: there is nothing to resume",
            title=record.title,
            party_name=record.name_of(fact.party),
        )
    check_in_sequence(current, fact, Words("suspension and resumption"))


def check_in_sequence(last: AgreementEvent | None, fact: AgreementEvent, what: str) -> None:
    """A step of a sequence the views fold in order may not start before the step it follows."""
    if last is not None and fact.effective.start < last.effective.start:
        raise DateOutOfOrder(
            "Steps of {what} are recorded in order: the last one ({event}) is dated {last}, so "
            "this one cannot be dated {effective}",
            what=what,
            event=event_type(last),
            last=last.effective,
            effective=fact.effective,
        )


def check_withdrawal(record: Record, fact: WithdrawalNotified) -> None:
    check_listed(record, fact.party)
    name = record.name_of(fact.party)
    earlier = record.withdrawals.get(fact.party)
    if earlier is not None:
        raise WithdrawalAlreadyNotified(
            "{name} already notified its withdrawal from {title} on {earlier}, with effect from "
            "{earlier_takes_effect}",
            name=name,
            title=record.title,
            earlier=earlier.effective,
            earlier_takes_effect=earlier.takes_effect,
        )
    if not operative_on(record, fact.party, fact.effective):
        state = Words("in force") if record.binding else Words("in effect")
        raise NotInForce(
            "{title} is not {state} for {name} by {effective}: there is nothing to withdraw from",
            title=record.title,
            state=state,
            name=name,
            effective=fact.effective,
        )
    months = notice_months(record)
    earliest = withdrawal_effect(record, fact.effective)
    if fact.takes_effect.definitely_before(earliest):
        raise WithdrawalNoticeTooShort(
            "{title} requires {months} months' notice: {name}'s withdrawal notified on "
            "{effective} takes effect on {earliest} at the earliest, not {takes_effect}",
            title=record.title,
            months=months,
            name=name,
            effective=fact.effective,
            earliest=earliest,
            takes_effect=fact.takes_effect,
        )
    scope = None if not record.multilateral else fact.party
    check_no_later_acts(
        record, fact.takes_effect, Phrase("{name}'s withdrawal would take effect", name=name), scope
    )


def check_terminated(record: Record, fact: Terminated) -> None:
    if record.termination is not None:
        raise AlreadyTerminated(
            "{title} was already terminated on {termination}",
            title=record.title,
            termination=record.termination.effective,
        )
    check_no_later_acts(
        record, fact.effective, Phrase("{title} would end", title=record.title), None
    )


def check_expired(record: Record, fact: Expired) -> None:
    current = record.expiry()
    if current is not None:
        raise AlreadyExpired(
            "{title} already expired on {current}; record a renewal first if it was renewed",
            title=record.title,
            current=current.effective,
        )
    check_in_sequence(record.last_term, fact, Words("expiry and renewal"))
    renewal = record.last_renewal
    until = renewal.until if renewal is not None else None
    if until is not None and until.definitely_after(fact.effective):
        raise ExpiryWithinRenewedTerm(
            "{title} was renewed until {until}: it cannot expire on {effective}",
            title=record.title,
            until=until,
            effective=fact.effective,
        )
    check_no_later_acts(
        record, fact.effective, Phrase("{title} would expire", title=record.title), None
    )


def check_renewed(record: Record, fact: Renewed) -> None:
    if fact.until is not None and fact.until.definitely_before(fact.effective):
        raise DateOutOfOrder(
            "A renewal dated {effective} cannot run until {until}, which is earlier",
            effective=fact.effective,
            until=fact.until,
            field="until",
        )
    check_in_sequence(record.last_term, fact, Words("expiry and renewal"))
