"""The words of the event forms: a title and an explanation per event type and a label and a
hint per field (all declared with the type in the domain's catalogue), choice labels, and
plain-language versions of the schema's messages.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from registry.domain.catalogue import BY_NAME, DECLARATIONS
from registry.domain.declaration import FIELD_TEXT
from registry.web.domain_words import translated

# The title and explanation of each event type's form, and the label and hint of each field,
# are declared with the type (registry.domain.catalogue); these read them.
EVENT_TITLES: dict[str, tuple[str, str]] = {d.name: (d.label, d.help) for d in DECLARATIONS}


PARTY_TYPE_LABELS = {
    "state": "State",
    "international_organisation": "International organisation",
    "agency": "Agency",
    "institute": "Institute",
}

CHOICE_LABELS = {
    "non_binding": "Non-binding",
    "ad_referendum": "Ad referendum",
    "in_progress": "In progress",
    "memorandum_of_understanding": "Memorandum of understanding",
    "exchange_of_notes": "Exchange of notes",
    "joint_declaration": "Joint declaration",
    "action_plan": "Action plan",
    "notification": "Notification of completed internal procedures",
    "formal_confirmation": "Formal confirmation (an international organisation)",
    "extends": "Extends the treaty to the territories",
    "excludes": "Excludes the territories",
    "supersede": "Supersede: new date and/or new values",
    "retract": "Retract: the event did not happen",
    **PARTY_TYPE_LABELS,
}


def field_text(type_name: str, name: str) -> tuple[str, str | None]:
    """A field's label and hint, in the interface's language."""
    declaration = BY_NAME.get(type_name)
    if declaration is not None:
        label, hint = declaration.text_of(name)
    else:
        label, hint = FIELD_TEXT.get(name) or (name.replace("_", " ").capitalize(), None)
    return translated(label), translated(hint) if hint else hint


def choice_label(value: str, *, translate: bool = True) -> str:
    text = CHOICE_LABELS.get(value) or value.replace("_", " ").capitalize()
    return translated(text) if translate else text


def event_title(type_name: str) -> str:
    return translated(EVENT_TITLES.get(type_name, (type_name, ""))[0])


def event_help(type_name: str) -> str:
    return translated(EVENT_TITLES.get(type_name, ("", ""))[1])


def event_label(type_name: str) -> str:
    """What the act is called in a history (declared), else `ConsentExpressed` -> `Consent
    expressed` (a key event)."""
    declaration = BY_NAME.get(type_name)
    if declaration is not None:
        return translated(declaration.called)
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()
    return words[:1].upper() + words[1:]


def N_(text: str) -> str:
    """Marks a message for the catalogue (it is translated when shown, by `plain`)."""
    return text


# marshmallow's messages, and the web schemas' own, in plain words: each pattern's words are
# the catalogue's msgid, its groups the named parameters.
_PLAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), N_("This is required.")),
    (re.compile(r"^Field may not be null\.$"), N_("This is required.")),
    (re.compile(r"^Not a valid integer\.$"), N_("Enter a whole number, like 6.")),
    (re.compile(r"^Must be one of: .*$"), N_("Choose one of the options given.")),
    (
        re.compile(r"^Length must be between 1 and (?P<most>\d+)\.$"),
        N_("Enter between 1 and %(most)s characters."),
    ),
    (
        re.compile(r"^Longer than maximum length (?P<most>\d+)\.$"),
        N_("Enter at most %(most)s characters."),
    ),
    (re.compile(r"^Shorter than minimum length 1\.$"), N_("Add at least one.")),
    (re.compile(r"^Must be greater than or equal to 0.*$"), N_("Enter zero or a positive number.")),
    (
        re.compile(
            r"^Must be greater than or equal to (?P<least>\d+) and less than or equal to "
            r"(?P<most>\d+)\.$"
        ),
        N_("Enter a number from %(least)s to %(most)s."),
    ),
    (re.compile(r"^Not a valid string\.$"), N_("Enter text.")),
    (re.compile(r"^Not a valid boolean\.$"), N_("Tick the box or leave it empty.")),
    (re.compile(r"^Unknown field\.$"), N_("This is not a field of this form.")),
    (
        re.compile(r"^(Not a valid mapping type|Invalid input type|Not a valid list)\.$"),
        N_("This is not in the expected form."),
    ),
    (
        re.compile(r"^Enter a date like 2026, 2026-02 or 2026-02-03\.$"),
        N_("Enter a date like 2026, 2026-02 or 2026-02-03."),
    ),
    (re.compile(r"^Enter a date like 2026-06-01\.$"), N_("Enter a date like 2026-06-01.")),
    (re.compile(r"^Not a valid date\.$"), N_("Enter a date like 2026-06-01.")),
    (
        re.compile(r"^Enter an instant like 2026-03-01T12:00:00Z or a date\.$"),
        N_("Enter an instant like 2026-03-01T12:00:00Z or a date."),
    ),
    (
        re.compile(r"^This form is out of date or incomplete: reload it and try again\.$"),
        N_("This form is out of date or incomplete: reload it and try again."),
    ),
]


def plain(message: str) -> str:
    """A schema's message in plain words, in the interface's language (English, as it came,
    when it is none of the known messages)."""
    for pattern, words in _PLAIN:
        found = pattern.match(message)
        if found:
            return translated(words) % found.groupdict() if found.groupdict() else translated(words)
    return message


def problems_of(messages: object, names: dict[str, str]) -> list[str]:
    """One line per query argument marshmallow refused, in the interface's language: the
    page's name for the field (`names`, English msgids), then what to do."""
    if not isinstance(messages, dict):
        return [plain(str(messages))]
    return [
        f"{translated(names.get(str(name), str(name).replace('_', ' ').capitalize()))}: "
        + " ".join(plain(str(m)) for m in flat(found))
        for name, found in messages.items()
    ]


def flat(messages: object) -> list[object]:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in flat(value)]
    return [messages]


# The query arguments' names as the list and audit pages call them, for their messages.
QUERY_ARGUMENTS = {
    "as_of": N_("As of"),
    "from": N_("From"),
    "from_": N_("From"),
    "to": N_("To"),
    "known_at": N_("Known at"),
    "known_from": N_("Known at (first)"),
    "known_to": N_("Known at (second)"),
    "horizon": N_("Horizon"),
    "q": N_("Search"),
    "party": N_("Party"),
    "kind": N_("Kind"),
    "character": N_("Legal character"),
    "status": N_("Status"),
    "sort": N_("Sort by"),
    "dir": N_("Direction"),
    "page": N_("Page"),
    "limit": N_("Rows"),
}


def load_query(schema: Any, values: dict[str, Any], names: dict[str, str] | None = None) -> Any:
    """`schema.load(values)` and no problems; on errors, the defaults and one message per
    argument in the interface's language (registry.store.reads.filters.parse_filters gives
    them in English, for the CLI)."""
    try:
        return schema.load(values), []
    except ValidationError as error:
        return schema.load({}), problems_of(error.messages, names or QUERY_ARGUMENTS)
