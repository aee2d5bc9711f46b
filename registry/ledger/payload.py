"""The signed event payload (DESIGN.md, "Signed events") and sealing it in an envelope.

A payload is the RFC 8785 canonical JSON of exactly nine members. Reading one
is strict: a payload that parses but has an extra member, a wrong type or a
loosely formatted date is refused, because two spellings of one event would
hash differently and break the chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import cast

from registry.ledger.canonical import (
    MAX_SAFE_INTEGER,
    canonical_json,
    canonical_json_and_copy,
    parse_canonical,
)
from registry.ledger.dsse import Envelope, KeyLookup, sign_envelope, verify_envelope
from registry.ledger.errors import CanonicalJSONError, PayloadError
from registry.ledger.keys import SigningKey

__all__ = [
    "GENESIS_PREV",
    "EventPayload",
    "PayloadError",
    "Precision",
    "format_instant",
    "open_envelope",
    "parse_instant",
    "seal",
]

# The prev of an agreement's first event: no envelope hashes to all zeros.
GENESIS_PREV = "0" * 64

PAYLOAD_FIELDS = (
    "agreement",
    "version",
    "type",
    "effective",
    "precision",
    "recorded",
    "actor",
    "prev",
    "data",
)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class Precision(StrEnum):
    """How much of an effective date the source actually gives."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_PRECISIONS = frozenset(precision.value for precision in Precision)
_FIELD_SET = frozenset(PAYLOAD_FIELDS)

# Printable ASCII but the quote and the backslash: text that RFC 8785 writes as it is.
_VERBATIM = rb"[\x20\x21\x23-\x5b\x5d-\x7e]+"
# A payload in its one canonical form when every member but `data` is verbatim text (or the
# version's digits): the members in RFC 8785 order, no whitespace, each but data already of the
# form its check asks for. Such bytes are canonical exactly when the data between is (canonical
# JSON nests its members' canonical JSON), so only the data is parsed; anything else takes the
# full parse and its precise message. A property test pins the two paths to each other.
_CANONICAL_PAYLOAD = re.compile(
    rb'\{"actor":"(%b)","agreement":"(%b)","data":(\{.*\}),"effective":"(%b)",'
    rb'"precision":"(%b)","prev":"(%b)","recorded":"(%b)",'
    rb'"type":"(%b)","version":([1-9][0-9]{0,15})\}'
    % (
        _VERBATIM,
        *(p.pattern.encode("ascii") for p in (_UUID, _DATE)),
        "|".join(precision.value for precision in Precision).encode("ascii"),
        *(p.pattern.encode("ascii") for p in (_SHA256_HEX, _INSTANT)),
        _VERBATIM,
    )
)


def format_instant(moment: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PayloadError("a recorded instant must be timezone-aware")
    # isoformat zero-pads the year, which strftime("%Y") does not on every platform.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_instant(text: str) -> datetime:
    """Parse exactly ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` into an aware UTC datetime."""
    if not isinstance(text, str) or not _INSTANT.fullmatch(text):
        raise PayloadError(f"{text!r} is not an instant of the form YYYY-MM-DDTHH:MM:SS.ffffffZ")
    return _parse_instant(text)


@lru_cache(maxsize=8192)
def _parse_instant(text: str) -> datetime:
    # Cached: a verifier reads each recorded instant several times (payload, chain, key window),
    # and datetimes are immutable.
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise PayloadError(f"{text!r} is not a real instant") from None


@dataclass(frozen=True)
class EventPayload:
    """What an officer signs for one event of one agreement."""

    agreement: str
    version: int
    type: str
    effective: str
    precision: str
    recorded: str
    actor: str
    prev: str
    data: dict[str, object]

    def __post_init__(self) -> None:
        self._validate()
        # One canonical encoding gives both the bytes to sign (kept: `to_bytes` and `seal`
        # read them) and a private copy of the data, parsed back from them, so a caller
        # mutating its dict later cannot change what this payload signs.
        if not isinstance(self.data, dict):
            raise PayloadError(f"data must be a JSON object, got {type(self.data).__name__}")
        try:
            raw, document = canonical_json_and_copy(self._document())
        except CanonicalJSONError:
            # Name the member at fault: the data with its path, or else (a type or actor that
            # is not I-JSON text) refuse when the bytes are asked for, as the full path does.
            object.__setattr__(self, "data", _canonical_copy_of_data(self.data))
            return
        object.__setattr__(self, "data", cast(dict[str, object], document)["data"])
        object.__setattr__(self, "_bytes", raw)

    def _validate(self) -> None:
        _check_agreement(self.agreement)
        _check_version(self.version)
        _check_non_empty("type", self.type)
        _check_effective(self.effective)
        if not isinstance(self.precision, str) or self.precision not in _PRECISIONS:
            raise PayloadError(f"precision {self.precision!r} is not one of day, month, year")
        if type(self.precision) is not str:
            # A Precision member is a str; store the plain value so equality and repr are simple.
            object.__setattr__(self, "precision", Precision(self.precision).value)
        parse_instant(self.recorded)
        _check_non_empty("actor", self.actor)
        if not isinstance(self.prev, str) or not _SHA256_HEX.fullmatch(self.prev):
            raise PayloadError(f"prev {self.prev!r} is not 64 lowercase hex digits")

    def _document(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in PAYLOAD_FIELDS}

    def to_bytes(self) -> bytes:
        """The canonical bytes: kept from construction or parsing, else encoded now."""
        raw = self.__dict__.get("_bytes")
        if raw is None:
            raw = canonical_json(self._document())
        return cast(bytes, raw)

    def data_bytes(self) -> bytes:
        """The canonical JSON of `data`: kept from parsing the payload, else encoded now."""
        raw = self.__dict__.get("_data_bytes")
        if raw is None:
            raw = canonical_json(self.data)
        return cast(bytes, raw)

    @classmethod
    def from_bytes(cls, data: bytes) -> EventPayload:
        """Parse payload bytes that must be canonical and exactly this shape."""
        found = _CANONICAL_PAYLOAD.fullmatch(data) if type(data) is bytes else None
        if found is not None:
            payload = cls._from_canonical_match(found, data)
            if payload is not None:
                return payload
        return cls._from_document(data)

    @classmethod
    def _from_canonical_match(cls, found: re.Match[bytes], data: bytes) -> EventPayload | None:
        """The payload `_CANONICAL_PAYLOAD` found, with the checks its pattern does not make
        (a real date, a real instant, the version's range, canonical data); None when one
        fails, for the full parse to word it."""
        actor, agreement, body, effective, precision, prev, recorded, kind, version = found.groups()
        number = int(version)
        if number > MAX_SAFE_INTEGER:
            return None
        try:
            document = parse_canonical(body)
        except CanonicalJSONError:
            return None
        start, instant = effective.decode("ascii"), recorded.decode("ascii")
        try:
            _check_real_date(start)
            _parse_instant(instant)
        except PayloadError:
            return None
        payload = object.__new__(cls)
        payload.__dict__.update(
            agreement=agreement.decode("ascii"),
            version=number,
            type=kind.decode("ascii"),
            effective=start,
            precision=precision.decode("ascii"),
            recorded=instant,
            actor=actor.decode("ascii"),
            prev=prev.decode("ascii"),
            data=document,
            _bytes=data,
            _data_bytes=body,
        )
        return payload

    @classmethod
    def _from_document(cls, data: bytes) -> EventPayload:
        """The full parse: any JSON, each rule checked in turn and its breach worded."""
        try:
            document = parse_canonical(data)
        except CanonicalJSONError as error:
            raise PayloadError(f"payload: {error}") from None
        if not isinstance(document, dict):
            raise PayloadError("payload must be a JSON object")
        if document.keys() != _FIELD_SET:
            missing = set(PAYLOAD_FIELDS) - set(document)
            extra = set(document) - set(PAYLOAD_FIELDS)
            raise PayloadError(
                f"payload members are wrong: missing {sorted(missing)}, unexpected {sorted(extra)}"
            )
        # The document was just parsed from canonical bytes and is held by nobody else, so its
        # data needs no defensive canonical copy, and its bytes are the canonical ones; every
        # field is still checked.
        payload = object.__new__(cls)
        payload.__dict__.update(document)
        payload._validate()
        if not isinstance(payload.data, dict):
            raise PayloadError(f"data must be a JSON object, got {type(payload.data).__name__}")
        payload.__dict__["_bytes"] = bytes(data)
        return payload


def seal(payload: EventPayload, key: SigningKey) -> bytes:
    """Sign ``payload`` with ``key``; return the envelope bytes to store."""
    return sign_envelope(payload.to_bytes(), key).to_bytes()


def open_envelope(envelope_bytes: bytes, lookup: KeyLookup) -> tuple[EventPayload, Envelope, str]:
    """Parse, verify and read stored envelope bytes; return (payload, envelope, keyid).

    The signature is checked before the payload is parsed (DSSE's order), so
    unauthenticated bytes are never interpreted.
    """
    envelope = Envelope.from_bytes(envelope_bytes)
    keyid = verify_envelope(envelope, lookup)
    return EventPayload.from_bytes(envelope.payload), envelope, keyid


def _check_agreement(agreement: object) -> None:
    if not isinstance(agreement, str) or not _UUID.fullmatch(agreement):
        raise PayloadError(f"agreement {agreement!r} is not a lowercase UUID")


def _check_version(version: object) -> None:
    if type(version) is not int or not 1 <= version <= MAX_SAFE_INTEGER:
        raise PayloadError(f"version {version!r} is not an integer from 1 to 2**53-1")


def _check_non_empty(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise PayloadError(f"{name} {value!r} is not a non-empty string")


def _check_effective(effective: object) -> None:
    if not isinstance(effective, str) or not _DATE.fullmatch(effective):
        raise PayloadError(f"effective {effective!r} is not a date of the form YYYY-MM-DD")
    _check_real_date(effective)


@lru_cache(maxsize=8192)
def _check_real_date(effective: str) -> None:
    # Cached: an archive names the same dates many times; a refusal raises, so is not cached.
    try:
        date.fromisoformat(effective)
    except ValueError:
        raise PayloadError(f"effective {effective!r} is not a real date") from None


def _canonical_copy_of_data(data: object) -> dict[str, object]:
    if not isinstance(data, dict):
        raise PayloadError(f"data must be a JSON object, got {type(data).__name__}")
    try:
        copy = parse_canonical(canonical_json(data))
    except CanonicalJSONError as error:
        raise PayloadError(f"data: {error}") from None
    return cast(dict[str, object], copy)
