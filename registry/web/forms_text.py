"""The words of the event forms: a title and an explanation per event type and a label and a
hint per field (all declared with the type in the domain's catalogue), choice labels, and
plain-language versions of the schema's messages.
"""

from __future__ import annotations

import re

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


_PLAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), "This is required."),
    (re.compile(r"^Field may not be null\.$"), "This is required."),
    (re.compile(r"^Not a valid integer\.$"), "Enter a whole number, like 6."),
    (re.compile(r"^Must be one of: .*$"), "Choose one of the options given."),
    (re.compile(r"^Length must be between 1 and (\d+)\.$"), r"Enter between 1 and \1 characters."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"Enter at most \1 characters."),
    (re.compile(r"^Shorter than minimum length 1\.$"), "Add at least one."),
    (re.compile(r"^Must be greater than or equal to 0.*$"), "Enter zero or a positive number."),
    (re.compile(r"^Not a valid string\.$"), "Enter text."),
    (re.compile(r"^Not a valid boolean\.$"), "Tick the box or leave it empty."),
    (re.compile(r"^Unknown field\.$"), "This is not a field of this form."),
    (
        re.compile(r"^(Not a valid mapping type|Invalid input type|Not a valid list)\.$"),
        "This is not in the expected form.",
    ),
]


def plain(message: str) -> str:
    for pattern, replacement in _PLAIN:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
