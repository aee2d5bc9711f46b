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
    RequiredFieldMissing,
    UnknownParty,
    spoken,
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
        raise RequiredFieldMissing(f"{what or field.capitalize()} is required", field=field)


def check_before(earlier: PartialDate | None, later: PartialDate, message: str, **kw: Any) -> None:
    """`earlier` must not be definitely after `later`; vague dates never contradict."""
    if earlier is not None and earlier.definitely_after(later):
        raise DateOutOfOrder(message, **kw)


def check_within_life(record: Record, fact: AgreementEvent) -> None:
    """Nothing happens before drafting, after the end, or for a party after it withdrew."""
    when = fact.effective
    drafted = record.drafted
    if when.definitely_before(drafted.effective):
        raise AgreementNotDrafted(
            f"{record.title} was only drafted on {spoken(drafted.effective)}: nothing about it "
            f"can be dated {spoken(when)}"
        )
    if not isinstance(fact, DocumentAttached):
        check_not_ended(record, when, renewing=isinstance(fact, Renewed))
    party = party_of(fact)
    if party is None:
        return
    withdrawal = record.withdrawals.get(party)
    if withdrawal is not None and when.definitely_after(withdrawal.takes_effect):
        raise PartyWithdrawn(
            f"{record.name_of(party)} withdrew from {record.title} with effect from "
            f"{spoken(withdrawal.takes_effect)}: it cannot act on {spoken(when)}"
        )
    joined = record.consents.get(party)
    if joined is not None and joined.acceding is not None and fact is not joined:
        check_before(
            joined.effective,
            when,
            f"{record.name_of(party)} joined {record.title} by accession on "
            f"{spoken(joined.effective)}: it cannot act on {spoken(when)}, before it joined",
        )


def check_not_ended(record: Record, when: PartialDate, *, renewing: bool = False) -> None:
    termination = record.termination
    if termination is not None and when.definitely_after(termination.effective):
        raise AfterTermination(
            f"{record.title} was terminated on {spoken(termination.effective)}: "
            f"nothing can take effect on {spoken(when)}"
        )
    withdrawal = record.first_withdrawal()
    if (
        withdrawal is not None
        and not record.multilateral
        and when.definitely_after(withdrawal.takes_effect)
    ):
        raise AfterTermination(
            f"{record.title} ended on {spoken(withdrawal.takes_effect)}, when "
            f"{record.name_of(withdrawal.party)}'s withdrawal from this bilateral agreement "
            f"took effect: nothing can take effect on {spoken(when)}"
        )
    expiry = record.expiry()
    if expiry is not None and not renewing and when.definitely_after(expiry.effective):
        raise AfterExpiry(
            f"{record.title} expired on {spoken(expiry.effective)}: nothing can take effect on "
            f"{spoken(when)} unless it is renewed first"
        )


def check_listed(record: Record, code: str | None) -> None:
    if code is not None and record.party(code) is None:
        listed = ", ".join(p.name for p in record.parties)
        raise UnknownParty(
            f"{code} is not a party to {record.title} (its parties are {listed}); "
            "a state joins a multilateral agreement by accession"
        )


def check_no_later_acts(record: Record, end: PartialDate, what: str, party: str | None) -> None:
    latest = record.latest_act if party is None else record.latest_party_act.get(party)
    if latest is not None and latest.effective.definitely_after(end):
        raise LaterActsRecorded(
            f"{what} on {spoken(end)}, but {type(latest).__name__} (event "
            f"{latest.originator_version}) is dated {spoken(latest.effective)}: correct or "
            "retract the later event first"
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
            f"The text of {record.title} was last revised on {spoken(last.effective)}: it cannot "
            f"have been {what} on {spoken(when)}",
        )


def check_after_adoption(record: Record, when: PartialDate, who: str, what: str) -> None:
    if record.adoption is not None:
        check_before(
            record.adoption.effective,
            when,
            f"{who} cannot have {what} on {spoken(when)}: the text was only adopted on "
            f"{spoken(record.adoption.effective)}",
        )
    check_after_revisions(record, when, what)
