"""The agreement's particulars (depositary, conclusion, authentic languages), its UN
registration (Charter art. 102) and the notes of its status table.

Decisions: registration needs the agreement in force (for all, or for some party) by the
registration date, once; a UNTS page is cited with its volume. Footnote marks are unique per
participant (a mark may recur on several participants, as UNTC's status tables do).
"""

from __future__ import annotations

import re

from registry.domain.errors import Words
from registry.domain.errors_acts import (
    AlreadyRegistered,
    DuplicateFootnote,
    InvalidLanguageCode,
    NonBindingCannotBeRegistered,
    NoParticulars,
    RegistrationBeforeEntryIntoForce,
    UntsPageWithoutVolume,
)
from registry.domain.events import FootnoteRecorded, ParticularsRecorded, RegisteredWithUN
from registry.domain.record import PARTICULARS, Record
from registry.domain.rules.common import check_listed, check_text
from registry.domain.rules.force import in_force_on

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def check_particulars(record: Record, fact: ParticularsRecorded) -> None:
    if all(getattr(fact, name) is None for name in PARTICULARS):
        raise NoParticulars(
            "Give at least one particular: the depositary, the place or date of conclusion, "
            "or the authentic languages"
        )
    named = (("depositary", Words("The depositary")), ("concluded_place", Words("The place")))
    for name, what in named:
        if getattr(fact, name) is not None:
            check_text(getattr(fact, name), name, what)
    languages = fact.authentic_languages
    if languages is not None:
        bad = [code for code in languages if not LANGUAGE.match(code)]
        if not languages or bad or len(set(languages)) != len(languages):
            if bad:
                raise InvalidLanguageCode(
                    "List each authentic language once, by its code (e.g. ar, zh, en, fr, ru, "
                    "es): {code!r} is not a language code",
                    code=bad[0],
                )
            raise InvalidLanguageCode(
                "List each authentic language once, by its code (e.g. ar, zh, en, fr, ru, es)"
            )


def check_registration(record: Record, fact: RegisteredWithUN) -> None:
    if not record.binding:
        raise NonBindingCannotBeRegistered(
            "{title} is non-binding: UN Charter art. 102 registers treaties and international "
            "agreements",
            title=record.title,
        )
    check_text(fact.number, "number", "The registration number")
    if record.registration is not None:
        raise AlreadyRegistered(
            "{title} was registered on {registration} under number {number}: correct that event "
            "instead",
            title=record.title,
            registration=record.registration.effective,
            number=record.registration.number,
        )
    if fact.unts_page is not None and fact.unts_volume is None:
        raise UntsPageWithoutVolume("Give the UNTS volume with its page")
    if not in_force_on(record, None, fact.effective):
        raise RegistrationBeforeEntryIntoForce(
            "{title} is not in force by {effective}: the Secretariat registers an agreement after "
            "its entry into force",
            title=record.title,
            effective=fact.effective,
        )


def check_footnote(record: Record, fact: FootnoteRecorded) -> None:
    check_listed(record, fact.party)
    check_text(fact.mark, "mark", "The footnote's mark")
    check_text(fact.text, "text", "The footnote's text")
    for earlier in record.footnotes:
        if earlier.party == fact.party and earlier.mark.strip() == fact.mark.strip():
            where = record.name_of(fact.party) if fact.party else Words("the general notes")
            raise DuplicateFootnote(
                "{where} already has footnote {mark} (event {earlier_version}): correct it instead",
                where=where,
                mark=fact.mark.strip(),
                earlier_version=earlier.originator_version,
            )
