"""HTML forms for the event catalogue, driven by the marshmallow schemas shared with the API.

`event_form` describes the inputs of one event type (derived from its schema, so a field added
to an event appears in its form); `read_event` turns the posted inputs into the JSON-native
data the schemas load, blank optional inputs becoming None; `validate` loads them with the
shared schemas and reports every problem by input name, in plain language. Whether the act is
allowed is not decided here: the domain says so when the registry records it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from registry.domain.catalogue import BY_NAME, DECLARATIONS
from registry.domain.catalogue import RECORDABLE as RECORDABLE
from registry.domain.events import AgreementEvent
from registry.web.clause_schema import ClausesField
from registry.web.domain_words import translated
from registry.web.forms_text import (
    choice_label,
    event_title,
    field_text,
    plain,
)
from registry.web.input_rules import posted_text_problems
from registry.web.schemas import CommonSchema, NotificationSchema, PartialDateField, data_schema

PARTY_ROWS = 4
TITLE_ROWS = 3
MAX_ROWS = 60
PARTY_PARTS = ("code", "name", "type")
NOTIFICATION_PARTS = ("number", "date")

EVENT_CLASSES: dict[str, type[AgreementEvent]] = {d.name: d.event for d in DECLARATIONS}
# Data the server fills in (declared per type: the amendment's stream id, a document's digest,
# name, type and size from the upload). RECORDABLE: the types of the generic form (Drafted and
# corrections have their own).
SERVER_FILLED = {d.name: d.server_filled for d in DECLARATIONS if d.server_filled}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One input (or group of inputs) of a form.

    kind: text, textarea, date, number, checkbox, select, party (a group of code, name and
    type), parties (rows of parties), titles (rows of language and title), lines (a textarea,
    one item per line), notification (a group of number and date) or file.
    """

    name: str
    label: str
    kind: str
    required: bool
    hint: str | None = None
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class EventForm:
    type_name: str
    title: str
    explanation: str
    fields: tuple[FormField, ...]
    common: tuple[FormField, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)

    @property
    def all_fields(self) -> tuple[FormField, ...]:
        return self.fields + self.common

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.all_fields if f.name == name), None)


class FormErrors(Exception):
    """Problems with what was typed, by input name (`parties-0-code`) or field name."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Context:
    """What the form needs to know about the agreement: its parties and milestones."""

    parties: tuple[Choice, ...] = ()
    milestones: tuple[Choice, ...] = ()
    next_milestone: str = "M1"


# -- describing a form ---------------------------------------------------------------------------


def command_defaults(type_name: str) -> dict[str, Any]:
    """Fields the domain gives a default (declared): the form may leave them blank."""
    return {"source": None, "reason": None, **BY_NAME[type_name].defaults()}


def event_form(type_name: str, context: Context = Context()) -> EventForm:
    if type_name not in EVENT_CLASSES:
        raise KeyError(type_name)
    schema = data_schema(EVENT_CLASSES[type_name])()
    defaults = command_defaults(type_name)
    hidden = SERVER_FILLED.get(type_name, frozenset())
    described = []
    initial: dict[str, str] = {}
    for name, schema_field in schema.fields.items():
        if name in hidden:
            continue
        described.append(describe(type_name, name, schema_field, name in defaults, context))
        default = defaults.get(name)
        if isinstance(default, int | str) and not isinstance(default, bool):
            initial[name] = str(default)
        elif default is not None and hasattr(default, "value"):
            initial[name] = str(default.value)
    if type_name == "DocumentAttached":
        described.insert(0, FormField("file", _("Document file"), "file", True, upload_hint()))
    if type_name == "MilestoneRecorded":
        initial["milestone"] = context.next_milestone
    if type_name == "Drafted":
        initial["titles-0-lang"] = "en"
    title, explanation = event_title(type_name), _explanation(type_name)
    return EventForm(
        type_name, title, explanation, tuple(described), common_fields(type_name), initial
    )


def _explanation(type_name: str) -> str:
    return translated(BY_NAME[type_name].help)


def upload_hint() -> str:
    from registry.web.forms_uploads import ACCEPTED_DESCRIPTION, human_size, max_document_bytes

    return _(
        "%(accepted)s, at most %(size)s.",
        accepted=_(ACCEPTED_DESCRIPTION),
        size=human_size(max_document_bytes()),
    )


def common_fields(type_name: str) -> tuple[FormField, ...]:
    def text(name: str) -> tuple[str, str | None]:
        return field_text(type_name, name)

    reason_required = type_name == "EventCorrected"
    return (
        FormField("effective", *text("effective")[:1], "date", True, text("effective")[1]),
        FormField("source", text("source")[0], "text", False, text("source")[1]),
        FormField("reason", text("reason")[0], "textarea", reason_required, text("reason")[1]),
    )


def describe(
    type_name: str, name: str, schema_field: fields.Field, has_default: bool, context: Context
) -> FormField:
    label, hint = field_text(type_name, name)
    required = bool(schema_field.required) and not has_default
    choices = _one_of(schema_field)
    if name == "party" and isinstance(schema_field, fields.String):
        options = context.parties if required else (Choice("", _("All parties")), *context.parties)
        return FormField(name, label, "select", required, hint, tuple(options))
    if name == "milestone" and type_name == "MilestoneStatusChanged":
        return FormField(name, label, "select", required, hint, context.milestones)
    if choices:
        options = tuple(Choice(c, choice_label(c)) for c in choices)
        if not required and not has_default:
            options = (Choice("", _("(none)")), *options)
        return FormField(name, label, "select", required, hint, options)
    if isinstance(schema_field, PartialDateField):
        return FormField(name, label, "date", required, hint)
    if isinstance(schema_field, fields.Boolean):
        return FormField(name, label, "checkbox", False, hint)
    if isinstance(schema_field, fields.Integer):
        return FormField(name, label, "number", required, hint)
    if isinstance(schema_field, ClausesField):
        return FormField(name, label, "textarea", required, hint)  # JSON text
    if isinstance(schema_field, fields.Nested) and schema_field.nested is NotificationSchema:
        return FormField(name, label, "notification", required, hint)
    if isinstance(schema_field, fields.Nested):
        return FormField(name, label, "party", required, hint, party_type_choices())
    if isinstance(schema_field, fields.List) and isinstance(schema_field.inner, fields.String):
        return FormField(name, label, "lines", required, hint)
    if isinstance(schema_field, fields.List):
        return FormField(name, label, "parties", required, hint, party_type_choices())
    if isinstance(schema_field, fields.Dict):
        return FormField(name, label, "titles", required, hint)
    long_text = _max_length(schema_field) > 300
    return FormField(name, label, "textarea" if long_text else "text", required, hint)


def party_type_choices() -> tuple[Choice, ...]:
    from registry.domain.values import PartyType

    return tuple(Choice(t.value, choice_label(t.value)) for t in PartyType)


def _one_of(schema_field: fields.Field) -> list[str]:
    for validator in schema_field.validators:
        if isinstance(validator, validate.OneOf):
            return [str(c) for c in validator.choices]
    return []


def _max_length(schema_field: fields.Field) -> int:
    for validator in schema_field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return int(validator.max)
    return 0


# -- reading what was posted ------------------------------------------------------------------


def text_value(raw: str | None) -> str | None:
    """Blank is None; line ends are \\n, whatever the browser sent."""
    if raw is None:
        return None
    value = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


def read_field(form_field: FormField, values: MultiDict[str, str], prefix: str = "") -> Any:
    """The JSON-native value of one field, as the schema expects it (None when left blank)."""
    name = prefix + form_field.name
    if form_field.kind == "checkbox":
        return name in values
    if form_field.kind == "number":
        value = text_value(values.get(name))
        if value is not None and re.fullmatch(r"-?\d{1,16}", value):
            return int(value)
        return value
    if form_field.kind == "party":
        party = {part: text_value(values.get(f"{name}-{part}")) for part in PARTY_PARTS}
        return party if any(party.values()) else None
    if form_field.kind == "notification":
        parts = {part: text_value(values.get(f"{name}-{part}")) for part in NOTIFICATION_PARTS}
        return {k: v for k, v in parts.items() if v is not None} or None
    if form_field.kind == "lines":
        text = text_value(values.get(name))
        lines = [line.strip() for line in (text or "").split("\n")]
        return [line for line in lines if line] or None
    if form_field.kind == "parties":
        rows = [
            {part: text_value(values.get(f"{name}-{i}-{part}")) for part in PARTY_PARTS}
            for i in row_indexes(values, name)
        ]
        return [row for row in rows if any(row.values())] or None
    if form_field.kind == "titles":
        return read_titles(values, name)
    return text_value(values.get(name))


def read_titles(values: MultiDict[str, str], name: str) -> dict[str, str] | None:
    titles: dict[str, str] = {}
    problems = []
    for number, i in enumerate(row_indexes(values, name), start=1):
        language = text_value(values.get(f"{name}-{i}-lang"))
        title = text_value(values.get(f"{name}-{i}-text"))
        if language is None and title is None:
            continue
        if language is None or title is None:
            problems.append(f"Title {number}: give both a language code and a title.")
        elif language in titles:
            problems.append(f"Title {number}: the language {language!r} is given twice.")
        else:
            titles[language] = title
    if problems:
        raise FormErrors({name: problems})
    return titles or None


def row_indexes(values: Iterable[str], name: str) -> list[int]:
    pattern = re.compile(rf"^{re.escape(name)}-(\d{{1,3}})-[a-z]+$")
    found = {int(m.group(1)) for key in values if (m := pattern.match(key))}
    return sorted(i for i in found if i < MAX_ROWS)


@dataclass(frozen=True)
class Posted:
    """An event as typed, loaded by the shared schemas: ready for `Registry.record`."""

    effective: str
    source: str | None
    reason: str | None
    data: dict[str, Any]


def read_event(
    form: EventForm, values: MultiDict[str, str], *, extra: Mapping[str, Any] | None = None
) -> Posted:
    """Read and validate a posted event form; raises FormErrors naming each bad input."""
    refuse_unsafe_text()
    errors: dict[str, list[str]] = {}
    raw: dict[str, Any] = {}
    for form_field in form.fields:
        if form_field.kind == "file":
            continue
        try:
            raw[form_field.name] = read_field(form_field, values)
        except FormErrors as problem:
            errors.update(problem.errors)
    raw.update(extra or {})
    common = {f.name: read_field(f, values) for f in form.common}
    loaded_common = collect(errors, lambda: CommonSchema().load(common))
    data = validate_data(form.type_name, raw, errors)
    if errors:
        raise FormErrors(errors)
    assert loaded_common is not None and data is not None
    return Posted(
        loaded_common["effective"], loaded_common["source"], loaded_common["reason"], data
    )


def refuse_unsafe_text() -> None:
    """FormErrors for the inputs holding a character no field may hold (registry.domain.
    characters), before anything else is read from them."""
    problems = posted_text_problems()
    if problems:
        raise FormErrors(problems)


def validate_data(
    type_name: str, raw: dict[str, Any], errors: dict[str, list[str]], prefix: str = ""
) -> dict[str, Any] | None:
    """Load `raw` with the type's schema; blank fields the command defaults are left out."""
    defaults = command_defaults(type_name) if type_name in EVENT_CLASSES else {}
    present = {k: v for k, v in raw.items() if not (v is None and k in defaults)}
    schema = data_schema(EVENT_CLASSES[type_name])()
    return collect(errors, lambda: schema.load(present, partial=tuple(defaults)), prefix)


def collect(errors: dict[str, list[str]], load: Any, prefix: str = "") -> Any:
    try:
        return load()
    except ValidationError as error:
        for key, messages in flatten(error.messages).items():
            errors.setdefault(prefix + key, []).extend(plain(m) for m in messages)
        return None


def flatten(messages: Any, path: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages by input name: {"parties": {0: {"code": [...]}}} gives
    {"parties-0-code": [...]}."""
    if isinstance(messages, list):
        texts = [m for m in messages if isinstance(m, str)]
        nested = [m for m in messages if not isinstance(m, str)]
        found = {path or "_form": texts} if texts else {}
        for item in nested:
            found.update(flatten(item, path))
        return found
    if isinstance(messages, dict):
        found: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{path}-{key}" if path else str(key)
            if key in ("key", "value") and path:
                name = path
            for inner, texts in flatten(value, name).items():
                found.setdefault(inner, []).extend(texts)
        return found
    return {path or "_form": [str(messages)]}


# -- values to show ------------------------------------------------------------------------------


def form_values(
    form_fields: Iterable[FormField], data: Mapping[str, Any], prefix: str = ""
) -> dict[str, str]:
    """Input values showing JSON-native `data` (an event's current fields) in a form."""
    values: dict[str, str] = {}
    for form_field in form_fields:
        value = data.get(form_field.name)
        name = prefix + form_field.name
        if value is None:
            continue
        if form_field.kind == "checkbox":
            if value:
                values[name] = "y"
        elif form_field.kind == "party" and isinstance(value, dict):
            for part in PARTY_PARTS:
                values[f"{name}-{part}"] = str(value.get(part) or "")
        elif form_field.kind == "notification" and isinstance(value, dict):
            for part in NOTIFICATION_PARTS:
                values[f"{name}-{part}"] = str(value.get(part) or "")
        elif form_field.kind == "lines" and isinstance(value, list):
            values[name] = "\n".join(str(item) for item in value)
        elif form_field.kind == "parties" and isinstance(value, list):
            for i, party in enumerate(value):
                for part in PARTY_PARTS:
                    values[f"{name}-{i}-{part}"] = str(party.get(part) or "")
        elif form_field.kind == "titles" and isinstance(value, dict):
            for i, (language, title) in enumerate(value.items()):
                values[f"{name}-{i}-lang"] = str(language)
                values[f"{name}-{i}-text"] = str(title)
        else:
            values[name] = (
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
            )
    return values


class FormState:
    """What a template needs to render a form: values kept and errors by input name."""

    def __init__(
        self,
        values: Mapping[str, str] | MultiDict[str, str],
        errors: Mapping[str, list[str]] | None = None,
        *,
        extra_rows: int = 0,
    ) -> None:
        self.values = values
        self.errors = dict(errors or {})
        self.extra_rows = extra_rows

    def value(self, name: str) -> str:
        found = self.values.get(name)
        return "" if found is None else str(found)

    def checked(self, name: str) -> bool:
        return bool(self.values.get(name))

    def errors_for(self, name: str) -> list[str]:
        """Messages for a field, including those of its inner inputs."""
        found = list(self.errors.get(name, []))
        for key, messages in self.errors.items():
            if key.startswith(name + "-"):
                where = describe_input(key[len(name) + 1 :])
                found.extend(f"{where}: {m}" for m in messages)
        return found

    def invalid(self, name: str) -> bool:
        return name in self.errors

    def rows(self, name: str, minimum: int) -> list[int]:
        posted = row_indexes(self.values, name)
        count = max(minimum, (posted[-1] + 1) if posted else 0) + self.extra_rows
        return list(range(min(count, MAX_ROWS)))

    def summary(self, order: Iterable[str] = ()) -> list[tuple[str, str, str]]:
        """(input name, link target, message) for the error summary, in the fields' order."""
        rank = {name: i for i, name in enumerate(order)}

        def position(name: str) -> int:
            field_name = next((n for n in rank if name == n or name.startswith(n + "-")), None)
            return rank[field_name] if field_name is not None else len(rank)

        def anchor(name: str) -> str:
            # A field's own block is `f-<name>`; an input inside a group has its name as id.
            return f"f-{name}" if name in rank or name not in self.values else name

        ordered = sorted(self.errors.items(), key=lambda item: position(item[0]))
        return [(name, anchor(name), m) for name, messages in ordered for m in messages]


def describe_input(rest: str) -> str:
    """`0-code` -> `Row 1, code`; `code` -> `Code`."""
    parts = rest.split("-")
    if parts[0].isdigit():
        tail = " ".join(parts[1:]).replace("_", " ")
        return _("Row %(number)s", number=int(parts[0]) + 1) + (f", {tail}" if tail else "")
    return rest.replace("_", " ").replace("-", " ").capitalize()
