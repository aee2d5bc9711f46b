"""Between event fields and the JSON-native `data` of the signed envelope.

The wire form is plain JSON (strings, integers, booleans, lists, objects): enums by value,
partial dates in reduced ISO 8601 (`2026-02`), instants as `2026-03-03T09:00:00.000000Z`,
parties as objects. Decoding is driven by the event classes' type hints, so adding a field to
an event is the only change needed for it to travel. A field in its type's `ELIDED` is left
out of the data when it is None, and read as None when the data leaves it out: stored events
recorded before such a field existed keep their exact signed bytes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, Union

from registry.domain.dates import InvalidDate, PartialDate
from registry.domain.events import COMMON_FIELDS, EVENT_TYPES, RegistryEvent
from registry.domain.values import Notification, Party

BASE_FIELDS = ("originator_id", "originator_version", "timestamp", "originator_topic")
INSTANT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class InvalidEventData(ValueError):
    """Event data that does not fit its type's fields; `field` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return moment.astimezone(UTC).strftime(INSTANT_FORMAT)


def parse_instant(text: str) -> datetime:
    try:
        return datetime.strptime(text, INSTANT_FORMAT).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not an instant like 2026-03-03T09:00:00.000000Z") from None


@cache
def data_fields(event_type: type[RegistryEvent]) -> dict[str, Any]:
    """The type's own fields plus `source` and `reason`, with their resolved type hints."""
    hints = typing.get_type_hints(event_type)
    names = [f.name for f in dataclasses.fields(event_type)]  # type: ignore[arg-type]
    skip = set(BASE_FIELDS) | {"effective", "actor"}
    return {name: hints[name] for name in names if name not in skip}


def event_type_named(name: str) -> type[RegistryEvent]:
    try:
        return EVENT_TYPES[name]
    except KeyError:
        raise InvalidEventData("type", f"{name!r} is not an event type") from None


@cache
def absent_when_none(event_type: type[RegistryEvent]) -> frozenset[str]:
    """Fields left out of the data when None: the type's ELIDED, and fields marked
    events.ABSENT_WHEN_NONE."""
    fields = dataclasses.fields(event_type)  # type: ignore[arg-type]
    marked = {f.name for f in fields if f.metadata.get("absent_when_none")}
    return frozenset(marked | set(event_type.ELIDED))


def event_data(event: RegistryEvent) -> dict[str, Any]:
    """The JSON-native `data` of an event (its own fields, source and reason)."""
    absent = absent_when_none(type(event))
    return {
        name: to_json(getattr(event, name))
        for name in data_fields(type(event))
        if name not in absent or getattr(event, name) is not None
    }


def decode_data(event_type: type[RegistryEvent], data: dict[str, Any]) -> dict[str, Any]:
    """Field values for `event_type` from JSON-native data; every field must be present."""
    if not isinstance(data, dict):
        raise InvalidEventData("data", "must be an object")
    fields = data_fields(event_type)
    unknown = data.keys() - fields.keys()
    if unknown:
        raise InvalidEventData(min(unknown), f"is not a field of {event_type.__name__}")
    values = {}
    for name, decode in _field_decoders(event_type):
        if name not in data:
            if name in absent_when_none(event_type):
                values[name] = None
                continue
            raise InvalidEventData(name, "is missing")
        values[name] = decode(data[name], name)
    return values


@cache
def _field_decoders(event_type: type[RegistryEvent]) -> tuple[tuple[str, Decoder], ...]:
    return tuple((name, _decoder(hint)) for name, hint in data_fields(event_type).items())


def to_json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot put {type(value).__name__} on the wire")


def from_json(hint: Any, value: Any, path: str) -> Any:
    """The field value of type `hint` that `value` (JSON-native) stands for; `path` names
    it in an error."""
    return _decoder(hint)(value, path)


Decoder = Callable[[Any, str], Any]


@cache
def _decoder(hint: Any) -> Decoder:  # one branch per wire type
    """`from_json` for one hint, its branch chosen once: every stored event is decoded through
    these, and typing's introspection is slow."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        decode_inner = _decoder(inner)
        if type(None) not in args:  # pragma: no cover - a union of one type and nothing else
            return decode_inner

        def optional(value: Any, path: str) -> Any:
            return None if value is None else decode_inner(value, path)

        return optional
    decode = _required(hint, origin, args)

    def required(value: Any, path: str) -> Any:
        if value is None:
            raise InvalidEventData(path, "is required")
        return decode(value, path)

    return required


def _required(hint: Any, origin: Any, args: tuple[Any, ...]) -> Decoder:
    if hint is Any:
        return lambda value, path: value
    if hint is bool or hint is str:
        wanted = "true or false" if hint is bool else "text"

        def exact(value: Any, path: str) -> Any:
            if not isinstance(value, hint):
                raise InvalidEventData(path, f"must be {wanted}")
            return value

        return exact
    if hint is int:

        def whole(value: Any, path: str) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidEventData(path, "must be a whole number")
            return value

        return whole
    if hint is PartialDate:

        def partial_date(value: Any, path: str) -> Any:
            try:
                return PartialDate.parse(value)
            except InvalidDate as error:
                raise InvalidEventData(path, str(error)) from None

        return partial_date
    if hint is datetime:

        def instant(value: Any, path: str) -> Any:
            try:
                return parse_instant(value)
            except ValueError as error:
                raise InvalidEventData(path, str(error)) from None

        return instant
    if isinstance(hint, type) and issubclass(hint, Enum):

        def member(value: Any, path: str) -> Any:
            try:
                return hint(value)
            except ValueError:
                choices = ", ".join(str(member.value) for member in hint)
                raise InvalidEventData(path, f"must be one of {choices}") from None

        return member
    if hint is Party:
        return _party
    if hint is Notification:
        return _notification
    if origin is tuple:

        def items(value: Any, path: str) -> Any:
            if not isinstance(value, list):
                raise InvalidEventData(path, "must be a list")
            decode = _decoder(args[0])
            return tuple(decode(item, f"{path}[{i}]") for i, item in enumerate(value))

        return items
    if origin is dict:

        def mapping(value: Any, path: str) -> Any:
            if not isinstance(value, dict):
                raise InvalidEventData(path, "must be an object")
            decode = _decoder(args[1])
            return {key: decode(item, f"{path}.{key}") for key, item in value.items()}

        return mapping

    def unknown(value: Any, path: str) -> Any:
        raise TypeError(f"no wire form for {hint!r}")

    return unknown


@cache
def _party_hints() -> dict[str, Any]:
    return typing.get_type_hints(Party)


def _party(value: Any, path: str) -> Party:
    if not isinstance(value, dict) or set(value) != {"code", "name", "type"}:
        raise InvalidEventData(path, "a party needs exactly code, name and type")
    hints = _party_hints()
    return Party(**{key: from_json(hints[key], value[key], f"{path}.{key}") for key in value})


def _notification(value: Any, path: str) -> Notification:
    if not isinstance(value, dict) or "number" not in value or not set(value) <= {"number", "date"}:
        raise InvalidEventData(path, "a notification has a number and, optionally, a date")
    number = from_json(str, value["number"], f"{path}.number")
    if not number.strip():
        raise InvalidEventData(f"{path}.number", "is required")
    when = from_json(PartialDate | None, value.get("date"), f"{path}.date")
    return Notification(number=number.strip(), date=when)


__all__ = [
    "COMMON_FIELDS",
    "InvalidEventData",
    "data_fields",
    "decode_data",
    "event_data",
    "event_type_named",
    "format_instant",
    "from_json",
    "parse_instant",
    "to_json",
]
