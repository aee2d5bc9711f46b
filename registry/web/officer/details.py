"""An event's data as its history shows it, in the interface's language: each value read by
its field's declared schema, so an enum is its label, a date is written by Babel, a language
code is the language's name, a depositary notification is its number and date, and a
correction's changes are named by the corrected event's own fields."""

from __future__ import annotations

import re
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import fields

from registry.domain.dates import InvalidDate, PartialDate
from registry.web.forms import EVENT_CLASSES, _one_of
from registry.web.forms_text import choice_label, field_text
from registry.web.i18n import separator
from registry.web.officer.present import localised
from registry.web.schemas import PartialDateField, data_schema

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
PARTY = {"code", "name", "type"}


def event_details(
    type_name: str, data: dict[str, Any], target: str | None
) -> list[tuple[str, str]]:
    """(label, value) per field shown in a history row; `target` is the type of the event a
    correction corrects (its changes are that type's fields)."""
    return [
        (field_text(type_name, name)[0], value_text(type_name, name, value, target))
        for name, value in data.items()
        if name not in ("source", "reason") and value not in (None, {}, [])
    ]


def schema_field(type_name: str | None, name: str) -> fields.Field | None:
    event = EVENT_CLASSES.get(type_name or "")
    return data_schema(event)().fields.get(name) if event is not None else None


def value_text(type_name: str | None, name: str, value: Any, target: str | None = None) -> str:
    declared = schema_field(type_name, name)
    if name == "changes" and isinstance(value, dict):
        return separator(";").join(
            f"{field_text(target or '', key)[0]}: {value_text(target, key, item)}"
            for key, item in value.items()
        )
    if isinstance(declared, fields.List) and isinstance(value, list):
        inner = declared.inner
        return separator(";").join(item_text(inner, name, item) for item in value)
    return item_text(declared, name, value)


def item_text(declared: fields.Field | None, name: str, value: Any) -> str:
    if isinstance(value, dict) and set(value) == PARTY:
        kind = choice_label(str(value["type"])).lower()
        return f"{value['name']} ({value['code']}{separator()}{kind})"
    if isinstance(value, dict) and name == "titles":
        return separator(";").join(
            f"{language_name(code)}: {title}" for code, title in value.items()
        )
    if isinstance(value, dict) and "number" in value:  # a depositary notification
        day = date_text(value.get("date"))
        return f"{value['number']} ({day})" if day else str(value["number"])
    if isinstance(value, dict):
        return separator(";").join(
            f"{field_text('', k)[0]}: {item_text(None, k, v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return separator(";").join(item_text(None, name, v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        if isinstance(declared, PartialDateField) or name in ("new_effective", "due", "until"):
            return date_text(value) or value
        if declared is not None and _one_of(declared):
            return choice_label(value).lower()
        if name in ("language", "authentic_languages") and LANGUAGE_CODE.fullmatch(value):
            return language_name(value)
        if re.fullmatch(r"[a-z]+(_[a-z]+)+", value):
            return choice_label(value).lower()  # an enum value such as ad_referendum
    return str(value)


def date_text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        return localised(PartialDate.parse(value))
    except (InvalidDate, ValueError):
        return value


def language_name(code: str) -> str:
    """`ru` in the interface's language (`русский`, `Russian`), the code itself if unknown."""
    try:
        return Locale.parse(code).get_display_name(str(get_locale() or "en")) or code
    except (UnknownLocaleError, ValueError):
        return code
