"""marshmallow schemas: the single source of validation for the forms and the JSON API.

The schema of each event type is generated from the type's fields and declaration in the domain
catalogue (registry.domain.catalogue), so a field added to an event appears in its form, its API
body and the OpenAPI document at once. A field the domain gives a default (the event's default,
or one the command computes) is optional, in the API as in fixtures and forms.
Schemas check shape and spelling (required fields, dates, enum values, lengths); the rules of the
treaty law stay in the domain and come back as DomainError.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, Union

from marshmallow import Schema, ValidationError, fields, validate

from registry.domain.catalogue import BY_NAME, DECLARATIONS, declared
from registry.domain.dates import InvalidDate, PartialDate, parse_moment
from registry.domain.events import AgreementEvent
from registry.domain.values import Notification, Party, PartyType
from registry.web.clause_schema import ClausesField

TEXT_MAX = 4000
LINE_MAX = 300


class PartialDateField(fields.Field):
    """`2026`, `2026-02` or `2026-02-03`; serialised the same way."""

    default_error_messages = {"invalid": "Enter a date like 2026, 2026-02 or 2026-02-03."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return str(PartialDate.parse(value))
        except InvalidDate as error:
            raise ValidationError(
                f"{error}. Enter a date like 2026, 2026-02 or 2026-02-03."
            ) from None


class InstantField(fields.Field):
    """An instant in UTC; a bare date means the end of that day."""

    default_error_messages = {"invalid": "Enter an instant like 2026-03-01T12:00:00Z or a date."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        return parse_instant_text(value, self.make_error("invalid"))


def parse_instant_text(value: Any, error: Exception) -> datetime:
    if isinstance(value, str) and value.strip().upper().endswith(" UTC"):
        value = value.strip()[:-4] + "Z"  # an instant as the pages show it
    try:
        return parse_moment(value)
    except InvalidDate:
        raise error from None


class PartySchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$",
            error="Use letters, digits, '.', '_' or '-' (e.g. PAK).",
        ),
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=LINE_MAX))
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in PartyType]))


class NotificationSchema(Schema):
    """A depositary notification: its number and, when known, its date."""

    number = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LINE_MAX),
        metadata={"example": "C.N.464.2017.TREATIES-XXVII.7.d"},
    )
    date = PartialDateField(required=False, allow_none=True)


def _field_for(
    hint: Any, name: str, has_default: bool = False, metadata: dict[str, Any] | None = None
) -> fields.Field:
    optional = False
    if typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(hint):
        optional = True
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    options: dict[str, Any] = (
        {"required": False, "allow_none": True, "load_default": None}
        if optional
        else {"required": not has_default}
    )
    if optional and has_default:
        options.pop("load_default")  # left out, the domain's default applies
    options["metadata"] = metadata or {}
    origin = typing.get_origin(hint)
    if hint is str:
        long_text = name in {"text", "summary", "description"}
        limit = TEXT_MAX if long_text else LINE_MAX
        return fields.String(validate=validate.Length(min=1, max=limit), **options)
    if hint is bool:
        return fields.Boolean(**options)
    if hint is int:
        return fields.Integer(strict=True, validate=validate.Range(min=0, max=2**53 - 1), **options)
    if hint is PartialDate:
        return PartialDateField(**options)
    if hint is datetime:
        return InstantField(**options)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return fields.String(validate=validate.OneOf([m.value for m in hint]), **options)
    if hint is Party:
        return fields.Nested(PartySchema, **options)
    if hint is Notification:
        return fields.Nested(NotificationSchema, **options)
    if origin is tuple and typing.get_args(hint)[0] is str:
        line = fields.String(validate=validate.Length(min=1, max=LINE_MAX))
        return fields.List(line, validate=validate.Length(min=1, max=200), **options)
    if origin is tuple:
        return fields.List(fields.Nested(PartySchema), validate=validate.Length(min=1), **options)
    if origin is dict:
        values = fields.String(validate=validate.Length(min=1, max=LINE_MAX))
        if typing.get_args(hint)[1] is Any:
            values = fields.Raw()
        keys = fields.String(validate=validate.Length(min=1, max=40))
        return fields.Dict(keys=keys, values=values, **options)
    raise TypeError(f"no schema field for {hint!r}")


@cache
def data_schema(event_type: type[AgreementEvent]) -> type[Schema]:
    """The schema of an event type's `data` (its own fields; source and reason are common)."""
    declaration = declared(event_type)
    defaults = declaration.defaults()
    declared_fields = {}
    own = declaration.fields()
    ordered = sorted(own, key=lambda name: name == "notification")  # the common one last
    for name in ordered:
        hint = own[name]
        label, hint_text = declaration.text_of(name)
        description = label + (f". {hint_text}" if hint_text else "")
        if name in declaration.computed:
            description += f" Left out: {declaration.computed[name].description}."
        if name == "clauses":
            declared_fields[name] = ClausesField(
                required=False, metadata={"description": description}
            )
            continue
        declared_fields[name] = _field_for(
            hint, name, name in defaults, {"description": description}
        )
    schema = Schema.from_dict(declared_fields, name=f"{event_type.__name__}Data")
    schema.__doc__ = f"The data of {event_type.__name__}: {declaration.help}"
    return schema


EVENT_TYPE_NAMES = tuple(d.name for d in DECLARATIONS)


class CommonSchema(Schema):
    """What every recorded event carries besides its data."""

    effective = PartialDateField(required=True)
    source = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=LINE_MAX)
    )
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=TEXT_MAX)
    )


class EventRequestSchema(CommonSchema):
    """The body of POST /agreements/{id}/events: a type, the common fields and the data."""

    type = fields.String(required=True, validate=validate.OneOf(EVENT_TYPE_NAMES[1:]))
    data = fields.Dict(required=True)


class DraftRequestSchema(CommonSchema):
    """The body of POST /agreements: the Drafted event's common fields and data."""

    data = fields.Dict(required=True)


def load_event_data(type_name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate `raw` data for the event type; raises ValidationError with field messages."""
    declaration = BY_NAME.get(type_name)
    if declaration is None:
        raise ValidationError({"type": [f"{type_name!r} is not an event type."]})
    return data_schema(declaration.event)().load(raw)
