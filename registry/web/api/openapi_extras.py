"""What the OpenAPI document says beyond the schemas: the date formats, the character rule of
text fields (as patterns), and the answers the
HTTP server gives before the application sees a request (414: the request line is too long,
431: the headers are too large; gunicorn's limits, documented for every operation)."""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from flask_smorest import Api
from marshmallow import fields, validate

from registry.domain.characters import REFERENCE_FIELDS, REFERENCE_RULE, is_multiline
from registry.web.schemas import InstantField, PartialDateField

SINGLE_LINE_PATTERN = "^[^\u0000-\u001f]*$"
MULTILINE_PATTERN = "^[^\u0000-\u0008\u000b\u000c\u000e-\u001f]*$"
# A year, a month or a day that the calendar has: no year 0000, no 30 February, 29 February
# only in leap years (the Gregorian rule).
_YEAR = r"(?!0000)\d{4}"
_LEAP_YEAR = r"(\d\d(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
_LONG_DAYS = rf"{_YEAR}-(0[13-9]|1[0-2])-(29|30)|{_YEAR}-(0[13578]|1[02])-31|{_LEAP_YEAR}-02-29"
PARTIAL_DATE_PATTERN = rf"^({_YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|1\d|2[0-8]))?)?|{_LONG_DAYS})$"
DAY_PATTERN = rf"^({_YEAR}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])|{_LONG_DAYS})$"
REQUEST_SCHEMA_SUFFIXES = (
    "RequestSchema",
    "QuerySchema",
    "Data",
    "DataSchema",
    "PartySchema",
    "NotificationSchema",
    "StatusImportSchema",
)


# Rules a marshmallow schema checks in code (`validates_schema`), stated for the document.
def _any_of(*names: str) -> dict[str, Any]:
    return {"anyOf": [{"required": [name]} for name in names]}


def _exactly_one(*names: str) -> dict[str, Any]:
    return {"oneOf": [{"required": [name]} for name in names]}


SCHEMA_RULES: dict[str, dict[str, Any]] = {
    "StatusImport": _exactly_one("status", "status_base64"),
    "Notice": _exactly_one("months", "years"),
    # On a date, after N instruments (+ days), or as recorded ({"as_recorded": true} alone).
    "EntryIntoForce": {
        "oneOf": [
            {"required": ["date"], "not": _any_of("instruments", "as_recorded", "days_after")},
            {"required": ["instruments"], "not": _any_of("date", "as_recorded")},
            {"required": ["as_recorded"], "maxProperties": 1},
        ]
    },
}
PROPERTY_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("StatusImport", "status_base64"): {
        "pattern": r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
    },
    ("EntryIntoForce", "as_recorded"): {"enum": [True]},  # present only when true
    ("EntryIntoForce", "date"): {"pattern": DAY_PATTERN},
}
# The path parameters that name a party hold one line of text, like any other text.
TEXT_PATH_PARAMETERS = frozenset({"code"})
SERVER_LIMITS = {
    "414": "The request line (method, path and query) is longer than the server accepts "
    "(4094 bytes): shorten the query.",
    "431": "The request headers are larger than the server accepts (100 headers, 8190 bytes "
    "each): send fewer or smaller headers.",
}


def text_properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """The character rule (registry.domain.characters) as a pattern on every text field."""
    if not isinstance(field, fields.String) or any(
        isinstance(v, validate.Regexp) for v in field.validators
    ):
        return {}
    if not _is_request_field(field):
        return {}  # answers are what the registry wrote (a checkpoint has several lines)
    name = field.name or ""
    if name in REFERENCE_FIELDS:
        return {"pattern": f"^{REFERENCE_RULE}$"}
    return {"pattern": MULTILINE_PATTERN if is_multiline(name) else SINGLE_LINE_PATTERN}


def _is_request_field(field: fields.Field) -> bool:
    """A field of what clients send: bodies, their data, and query strings."""
    try:
        root = type(field.root).__name__
    except AttributeError:
        return False
    return root.endswith(REQUEST_SCHEMA_SUFFIXES)


def date_properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    if isinstance(field, PartialDateField):
        return {
            "pattern": PARTIAL_DATE_PATTERN,
            "example": "2026-02-03",
            "description": (
                field.metadata.get("description", "")
                + " A date with its precision: a year (2026), a month (2026-02) or a day "
                "(2026-02-03), ISO 8601."
            ).strip(),
        }
    if isinstance(field, InstantField):
        return {"example": "2026-03-01T12:00:00Z"}
    return {}


class ServerLimitsPlugin(BasePlugin):
    def path_helper(
        self,
        path: str | None = None,
        operations: dict[str, Any] | None = None,
        parameters: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        """An agreement in a path is named by its reference or its id: both follow the rule."""
        for parameter in parameters or []:
            if parameter.get("in") != "path":
                continue
            if parameter.get("name") == "ref":
                parameter.setdefault("schema", {"type": "string"})["pattern"] = (
                    f"^{REFERENCE_RULE}$"
                )
            elif parameter.get("name") in TEXT_PATH_PARAMETERS:
                parameter.setdefault("schema", {"type": "string"})["pattern"] = SINGLE_LINE_PATTERN
        return None

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            for status, text in SERVER_LIMITS.items():
                responses.setdefault(status, {"description": text})


def only_null_beside_nested(schema: Any) -> None:
    """apispec documents a nested schema that may be null as `anyOf: [<schema>, {type: object,
    nullable: true}]`, whose second branch admits any object at all; make it admit null only."""
    if isinstance(schema, dict):
        for branch in schema.get("anyOf", ()):
            if branch == {"type": "object", "nullable": True}:
                branch["enum"] = [None]
        for value in schema.values():
            only_null_beside_nested(value)
    elif isinstance(schema, list):
        for value in schema:
            only_null_beside_nested(value)


def add_schema_rules(schemas: dict[str, Any]) -> None:
    for name, rules in SCHEMA_RULES.items():
        if name in schemas:
            schemas[name].update(rules)
    for (name, field), rules in PROPERTY_RULES.items():
        if name in schemas:
            schemas[name]["properties"][field].update(rules)


def extend(api: Api) -> None:
    """Call after `api.init_app` and before the blueprints are registered."""
    api.ma_plugin.converter.add_attribute_function(date_properties)  # type: ignore[union-attr]
    api.ma_plugin.converter.add_attribute_function(text_properties)  # type: ignore[union-attr]
    plugin = ServerLimitsPlugin()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
