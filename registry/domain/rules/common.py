"""Rules every act obeys: dates within the agreement's life, listed parties, required text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from registry.domain.dates import PartialDate
from registry.domain.errors import (
    AfterExpiry,
    AfterTermination,
    AgreementNotDrafted,
    DateOutOfOrder,
    LaterActsRecorded,
    PartyWithdrawn,
    Phrase,
    RequiredFieldMissing,
    UnknownParty,
    Words,
    event_type,
)
from registry.domain.events import (
    AgreementEvent,
    ConsentExpressed,
    DocumentAttached,
    Renewed,
    Signed,
)
from registry.domain.record import Record, party_of


def check_text(value: str | None, field: str, what: str | None = None) -> None:
    if value is None or not value.strip():
        raise RequiredFieldMissing(
            "{what} is required", what=Words(what or field.capitalize()), field=field
        )


def check_before(
    earlier: PartialDate | None, later: PartialDate, template: str, /, **params: Any
) -> None:
    """`earlier` must not be definitely after `later`; vague dates never contradict. `template`
    and `params` (and `field`) are the refusal's, as DomainError takes them."""
    if earlier is not None and earlier.definitely_after(later):
        raise DateOutOfOrder(template, **params)


def check_within_life(record: Record, fact: AgreementEvent) -> None:
    """Nothing happens before drafting, after the end, or for a party after it withdrew."""
    when = fact.effective
    drafted = record.drafted
    if when.definitely_before(drafted.effective):
        raise AgreementNotDrafted(
            "{title} was only drafted on {drafted}: nothing about it can be dated {when}",
            title=record.title,
            drafted=drafted.effective,
            when=when,
        )
    if not isinstance(fact, DocumentAttached):
        check_not_ended(record, when, renewing=isinstance(fact, Renewed))
    party = party_of(fact)
    if party is None:
        return
    withdrawal = record.withdrawals.get(party)
    if withdrawal is not None and when.definitely_after(withdrawal.takes_effect):
        raise PartyWithdrawn(
            "{party_name} withdrew from {title} with effect from {withdrawal_takes_effect}: it "
            "cannot act on {when}",
            party_name=record.name_of(party),
            title=record.title,
            withdrawal_takes_effect=withdrawal.takes_effect,
            when=when,
        )
    joined = record.consents.get(party)
    if joined is not None and joined.acceding is not None and fact is not joined:
        check_before(
            joined.effective,
            when,
            "{party_name} joined {title} by accession on {joined}: it cannot act on {when}, "
            "before it joined",
            party_name=record.name_of(party),
            title=record.title,
            joined=joined.effective,
            when=when,
        )


def check_not_ended(record: Record, when: PartialDate, *, renewing: bool = False) -> None:
    termination = record.termination
    if termination is not None and when.definitely_after(termination.effective):
        raise AfterTermination(
            "{title} was terminated on {termination}: nothing can take effect on {when}",
            title=record.title,
            termination=termination.effective,
            when=when,
        )
    withdrawal = record.first_withdrawal()
    if (
        withdrawal is not None
        and not record.multilateral
        and when.definitely_after(withdrawal.takes_effect)
    ):
        raise AfterTermination(
            "{title} ended on {withdrawal_takes_effect}, when {party_name}'s withdrawal from this "
            "bilateral agreement took effect: nothing can take effect on {when}",
            title=record.title,
            withdrawal_takes_effect=withdrawal.takes_effect,
            party_name=record.name_of(withdrawal.party),
            when=when,
        )
    expiry = record.expiry()
    if expiry is not None and not renewing and when.definitely_after(expiry.effective):
        raise AfterExpiry(
            "{title} expired on {expiry}: nothing can take effect on {when} unless it is renewed "
            "first",
            title=record.title,
            expiry=expiry.effective,
            when=when,
        )


def check_listed(record: Record, code: str | None) -> None:
    if code is not None and record.party(code) is None:
        listed = ", ".join(p.name for p in record.parties)
        raise UnknownParty(
            "{code} is not a party to {title} (its parties are {listed}); a state joins a "
            "multilateral agreement by accession",
            code=code,
            title=record.title,
            listed=listed,
        )


def check_no_later_acts(record: Record, end: PartialDate, what: Phrase, party: str | None) -> None:
    latest = record.latest_act if party is None else record.latest_party_act.get(party)
    if latest is not None and latest.effective.definitely_after(end):
        raise LaterActsRecorded(
            "{what} on {end}, but {event} (event {latest_version}) is dated {latest}: correct or "
            "retract the later event first",
            what=what,
            end=end,
            event=event_type(latest),
            latest_version=latest.originator_version,
            latest=latest.effective,
        )


def party_acts(record: Record) -> Iterable[tuple[str, list[Signed | ConsentExpressed]]]:
    for code, signatures in record.signatures.items():
        yield code, list(signatures)
    for code, consent in record.consents.items():
        yield code, [consent]


def check_after_revisions(record: Record, when: PartialDate, what: str) -> None:
    last = record.last_revision
    if last is not None:
        check_before(
            last.effective,
            when,
            "The text of {title} was last revised on {last}: it cannot have been {what} on {when}",
            title=record.title,
            last=last.effective,
            what=what,
            when=when,
        )


def check_after_adoption(record: Record, when: PartialDate, who: str, what: str) -> None:
    if record.adoption is not None:
        check_before(
            record.adoption.effective,
            when,
            "{who} cannot have {what} on {when}: the text was only adopted on {adoption}",
            who=who,
            what=what,
            when=when,
            adoption=record.adoption.effective,
        )
    check_after_revisions(record, when, what)
