"""The domain's refusals, and the audit diff's details, in the interface's language. A
DomainError (and a Change's `phrase`) carries its English template and named parameters
(registry/domain/errors.py); here the template's translation is filled with the parameters
written for the reader: dates by Babel with their precision, event types by their declared
name, the domain's words translated. The API keeps `error.message` (English), for other
systems; so do the audit report's documents (`Change.detail`)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from registry.domain.catalogue import DECLARATIONS
from registry.domain.dates import PartialDate
from registry.domain.deadlines import Deadline
from registry.domain.diff import Change
from registry.domain.errors import DomainError, EventType, Phrase, Words, _words
from registry.web.domain_words import translated
from registry.web.forms_text import event_label
from registry.web.i18n import language
from registry.web.officer.present import localised

# A day or a month written as ISO inside an English detail (`notified 2026-06-01`).
ISO_DAY = re.compile(r"\d{4}-\d{2}(-\d{2})?")


# An event type's name as a refusal's words give it (`event_words`: "entered into force").
EVENT_WORDS = {_words(d.name): d.name for d in DECLARATIONS}


def refusal_text(error: DomainError) -> str:
    """The refusal's message in the interface's language (English where it is not catalogued);
    in English exactly the domain's message, as the API gives it."""
    if language() == "en":
        return error.message
    return filled(error.template, error.params)


def change_detail(change: Change) -> str:
    """A change's details (audit diff) in the interface's language."""
    if change.phrase is None or language() == "en":
        return change.detail
    return filled(change.phrase.template, change.phrase.params)


def deadline_detail(deadline: Deadline) -> str:
    """A deadline's details (`notified 2026-06-01`, a milestone's title and status) in the
    interface's language."""
    if deadline.phrase is None or language() == "en":
        return deadline.detail
    return filled(deadline.phrase.template, deadline.phrase.params)


def filled(template: str, params: dict[str, Any]) -> str:
    if not params:
        return translated(template)
    values = {name: parameter_text(value) for name, value in params.items()}
    try:
        return translated(template).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation naming a parameter wrongly
        return template.format(**values)


def parameter_text(value: Any) -> str:
    if isinstance(value, PartialDate):
        return localised(value)
    if isinstance(value, DomainError):
        return refusal_text(value)
    if isinstance(value, Phrase):
        return filled(value.template, value.params)
    if isinstance(value, EventType):
        return event_label(value)
    if isinstance(value, Words):
        text = translated(value)
        called = EVENT_WORDS.get(str(value))
        if text == value and called is not None:  # an event's name the catalogue lacks
            label = event_label(called)
            return label[:1].lower() + label[1:]
        return text
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return localised(PartialDate.parse(value))  # a date the English keeps as ISO
    return str(value)


def init_app(app: Flask) -> None:
    app.add_template_filter(change_detail, "change_detail")
    app.add_template_filter(deadline_detail, "deadline_detail")
