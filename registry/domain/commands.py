"""From JSON-native event data (fixtures, forms, the API) to the Agreement's commands.

`data` follows the wire form of the event type's own fields (codec.py), with one leniency
for people writing it by hand: a field may be left out when its type's declaration gives it a
default (catalogue.py: the event's defaults, and fields the command computes, such as a
withdrawal's `takes_effect` at the end of the notice period or an Amended `amendment` from its
`amendment_reference`). `source` and `reason` are passed separately; if `data` carries them
too (as the signed envelope's data does) they must agree. `notification` is an optional key of
`data`. Bad data raises InvalidEventData naming the field; a refused command raises its
DomainError.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from registry.domain.agreement import Agreement
from registry.domain.catalogue import DECLARATIONS
from registry.domain.codec import InvalidEventData, data_fields, event_type_named, from_json
from registry.domain.dates import PartialDate
from registry.domain.events import AgreementEvent, Drafted, RegistryEvent

COMMANDS: dict[str, str] = {d.name: d.command for d in DECLARATIONS if d.event is not Drafted}
SEPARATE = ("source", "reason")


def record(
    agreement: Agreement,
    type_name: str,
    effective: PartialDate,
    actor: str,
    source: str | None,
    reason: str | None,
    data: dict[str, Any],
) -> None:
    """Decode `data` for the event type named and run its command on `agreement`."""
    event_type = event_type_named(type_name)
    if type_name == "Drafted":
        raise InvalidEventData("type", "Drafted starts an agreement: draft it instead")
    if type_name not in COMMANDS or not issubclass(event_type, AgreementEvent):
        raise InvalidEventData("type", f"{type_name} is not an event of an agreement")
    command = getattr(agreement, COMMANDS[type_name])
    source, reason, values = decode(event_type, command, data, source, reason)
    command(effective=effective, actor=actor, source=source, reason=reason, **values)


def draft_from_data(
    effective: PartialDate,
    actor: str,
    source: str | None,
    reason: str | None,
    data: dict[str, Any],
) -> Agreement:
    """A new agreement from the JSON-native data of its Drafted event."""
    source, reason, values = decode(Drafted, Agreement.draft, data, source, reason)
    return Agreement.draft(effective=effective, actor=actor, source=source, reason=reason, **values)


def decode(
    event_type: type[RegistryEvent],
    command: Callable[..., Any],
    data: dict[str, Any],
    source: str | None,
    reason: str | None,
) -> tuple[str | None, str | None, dict[str, Any]]:
    if not isinstance(data, dict):
        raise InvalidEventData("data", "must be an object")
    fields = data_fields(event_type)
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidEventData(unknown[0], f"is not a field of {event_type.__name__}")
    given = {"source": source, "reason": reason}
    for name in SEPARATE:
        if name in data and data[name] is not None:
            value = from_json(fields[name], data[name], name)
            if given[name] is not None and given[name] != value:
                raise InvalidEventData(name, "is given twice, with different values")
            given[name] = value
    required = _required(command)
    values = {}
    for name, hint in fields.items():
        if name in SEPARATE:
            continue
        if name in data:
            values[name] = from_json(hint, data[name], name)
        elif name in required:
            raise InvalidEventData(name, "is missing")
    return given["source"], given["reason"], values


_REQUIRED: dict[Any, frozenset[str]] = {}


def _required(command: Callable[..., Any]) -> frozenset[str]:
    """The parameters of `command` that have no default, found once per command (a bulk
    load decodes every step; `inspect.signature` was a third of that)."""
    function = getattr(command, "__func__", command)  # the same for every aggregate's method
    found = _REQUIRED.get(function)
    if found is None:
        parameters = inspect.signature(command).parameters.values()
        found = frozenset(p.name for p in parameters if p.default is inspect.Parameter.empty)
        _REQUIRED[function] = found
    return found
