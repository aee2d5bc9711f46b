"""Drafting and the text: identity, titles, the list of parties, revision and adoption."""

from __future__ import annotations

from registry.domain.errors import (
    DateOutOfOrder,
    DuplicatePartyCode,
    EnglishTitleRequired,
    InvalidNoticePeriod,
    PartyHasActed,
    PartyTypeCannotBind,
    ReferenceRequired,
    TextAlreadyAdopted,
    Words,
    WrongNumberOfParties,
    words,
)
from registry.domain.events import (
    Drafted,
    Signed,
    TextAdopted,
    TextAmended,
)
from registry.domain.record import Record
from registry.domain.rules.common import (
    check_after_revisions,
    check_before,
    check_text,
    party_acts,
)
from registry.domain.values import LegalCharacter, Party


def check_drafted(drafted: Drafted) -> None:
    check_text(drafted.actor, "actor")
    if not drafted.reference.strip():
        raise ReferenceRequired("An agreement needs a reference, such as PK-KZ-2026-001")
    check_titles(drafted.titles)
    if drafted.withdrawal_notice_months < 0:
        raise InvalidNoticePeriod("The withdrawal notice period cannot be negative")
    binding = drafted.character is LegalCharacter.BINDING
    check_party_list(drafted.parties, binding=binding, multilateral=drafted.multilateral)


def check_titles(titles: dict[str, str]) -> None:
    if not (titles.get("en") or "").strip():
        raise EnglishTitleRequired('An agreement needs at least an English title ("en")')


def check_party_list(parties: tuple[Party, ...], *, binding: bool, multilateral: bool) -> None:
    codes = [p.code for p in parties]
    for party in parties:
        check_text(party.code, "parties", "A party code")
        check_text(party.name, "parties", "A party name")
        if codes.count(party.code) > 1:
            raise DuplicatePartyCode("{code} is listed twice among the parties", code=party.code)
        if binding and not party.type.may_bind:
            raise PartyTypeCannotBind(
                "{name} is an {type}: only states and international organisations can be parties "
                "to a binding agreement; record the instrument as non-binding",
                name=party.name,
                type=words(party.type.value),
            )
    names = ", ".join(p.name for p in parties) or "none"
    if not multilateral and len(parties) != 2:
        raise WrongNumberOfParties(
            "A bilateral agreement has exactly two parties, not {parties} ({names}); record it as "
            "multilateral if more take part",
            parties=len(parties),
            names=names,
        )
    if multilateral and len(parties) < 2:
        raise WrongNumberOfParties(
            "A multilateral agreement needs at least two parties ({names})", names=names
        )


def check_text_amended(record: Record, fact: TextAmended) -> None:
    check_text_open(record)
    check_text(fact.summary, "summary", "A summary of the revision")
    if fact.titles is not None:
        check_titles(fact.titles)
    if fact.parties is not None:
        check_party_list(fact.parties, binding=record.binding, multilateral=record.multilateral)
        kept = {p.code for p in fact.parties}
        for code in record.latest_party_act:
            if code not in kept:
                raise PartyHasActed(
                    "{code_name} has already acted on {title}: it cannot be dropped from the "
                    "parties",
                    code_name=record.name_of(code),
                    title=record.title,
                )
    last = record.last_revision
    if last is not None and fact.effective.start < last.effective.start:
        raise DateOutOfOrder(
            "Revisions of the text are recorded in order: the last one is dated {last}, so this "
            "one cannot be dated {effective}",
            last=last.effective,
            effective=fact.effective,
        )


def check_text_open(record: Record) -> None:
    if record.adoption is not None:
        raise TextAlreadyAdopted(
            "The text of {title} was adopted on {adoption}: it can no longer be revised; record "
            "an amendment instead",
            title=record.title,
            adoption=record.adoption.effective,
        )
    signed = next((code for code, sigs in record.signatures.items() if sigs), None)
    if signed is not None or record.consents:
        who = record.name_of(signed or next(iter(record.consents)))
        raise TextAlreadyAdopted(
            "{who} has already signed or consented to {title}: the text is settled and can no "
            "longer be revised; record an amendment instead",
            who=who,
            title=record.title,
        )


def check_text_adopted(record: Record, fact: TextAdopted) -> None:
    if record.adoption is not None:
        raise TextAlreadyAdopted(
            "The text of {title} was already adopted on {adoption}",
            title=record.title,
            adoption=record.adoption.effective,
        )
    for code, acts in party_acts(record):
        for act in acts:
            done = Words("signed") if isinstance(act, Signed) else Words("consented")
            check_before(
                fact.effective,
                act.effective,
                "The text of {title} cannot have been adopted on {effective}: {code_name} had "
                "already {done} on {act}",
                title=record.title,
                effective=fact.effective,
                code_name=record.name_of(code),
                done=done,
                act=act.effective,
            )
    check_after_revisions(record, fact.effective, Words("adopted"))
