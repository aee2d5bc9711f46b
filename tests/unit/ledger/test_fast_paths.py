"""The fast paths of the strict codecs give exactly what their full paths give.

Envelope bytes are written directly and recognised by one pattern, payload bytes are kept from
the one encoding that also copies the data, and canonical JSON is parsed and checked by the C
scanner and encoder; each is pinned here to the full path (rfc8785, the strict parse) on
generated inputs, accepted and refused alike.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TypeVar

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.ledger import canonical
from registry.ledger.canonical import (
    CanonicalJSONError,
    canonical_json,
    canonical_json_and_copy,
    parse_canonical,
)
from registry.ledger.dsse import PAYLOAD_TYPE, Envelope, EnvelopeFormatError, Signature
from registry.ledger.keys import SigningKey
from registry.ledger.payload import EventPayload, seal

from .builders import payload_fields
from .test_canonical_fast_path import text, values

payload_types = st.sampled_from([PAYLOAD_TYPE, "application/json", ""]) | st.text(max_size=12)
keyids = st.sampled_from(["0123456789abcdef", "fedcba9876543210"]) | st.text(max_size=17)

T = TypeVar("T")


@settings(max_examples=300)
@given(st.binary(max_size=64), payload_types, keyids, st.binary(max_size=70))
def test_envelope_bytes_written_directly_are_its_canonical_json(
    payload: bytes, payload_type: str, keyid: str, sig: bytes
) -> None:
    envelope = Envelope(payload, payload_type, (Signature(keyid, sig),))
    try:
        expected = canonical_json(envelope._document())
    except CanonicalJSONError:
        with pytest.raises(CanonicalJSONError):
            envelope.to_bytes()
        return
    assert envelope.to_bytes() == expected


def outcome(parse: Callable[[bytes], T], refusal: type[Exception]) -> Callable[[bytes], T | str]:
    """`parse` as a function that returns what it gives, or the message it refuses with."""

    def parsed(data: bytes) -> T | str:
        try:
            return parse(data)
        except refusal as error:
            return f"refused: {error}"

    return parsed


full_parse = outcome(Envelope._from_document, EnvelopeFormatError)
fast_parse = outcome(Envelope.from_bytes, EnvelopeFormatError)


def spellings(envelope: bytes) -> st.SearchStrategy[bytes]:
    """The canonical bytes and near misses: one byte changed, dropped or added anywhere."""
    position = st.integers(0, len(envelope) - 1)
    changed = st.tuples(position, st.integers(0, 255)).map(
        lambda p: envelope[: p[0]] + bytes([p[1]]) + envelope[p[0] + 1 :]
    )
    dropped = position.map(lambda p: envelope[:p] + envelope[p + 1 :])
    added = st.tuples(position, st.integers(0, 255)).map(
        lambda p: envelope[: p[0]] + bytes([p[1]]) + envelope[p[0] :]
    )
    return st.just(envelope) | changed | dropped | added


@st.composite
def envelope_spellings(draw: st.DrawFn) -> bytes:
    payload = draw(st.binary(max_size=40))
    sig = draw(st.binary(min_size=1, max_size=66))
    keyid = draw(st.sampled_from(["0123456789abcdef", "00000000000000ff"]))
    payload_type = draw(st.sampled_from([PAYLOAD_TYPE, 'a"b', "a\\b", "é", "a/b;c=1"]))
    envelope = Envelope(payload, payload_type, (Signature(keyid, sig),)).to_bytes()
    return draw(spellings(envelope))


@settings(max_examples=600)
@given(envelope_spellings())
def test_the_envelope_pattern_accepts_and_refuses_what_the_full_parse_does(data: bytes) -> None:
    fast, full = fast_parse(data), full_parse(data)
    if isinstance(full, str):
        assert isinstance(fast, str)  # refused by both (the full path's message)
        assert fast == full
    else:
        assert fast == full
        assert fast.to_bytes() == data


def test_stray_base64_bits_in_a_pattern_shaped_envelope_are_refused() -> None:
    envelope = Envelope(b"ab", PAYLOAD_TYPE, (Signature("0123456789abcdef", b"s"),)).to_bytes()
    stray = envelope.replace(b'"YWI="', b'"YWJ="')  # "ab" with a stray bit in its last digit
    assert base64.b64decode(b"YWJ=") == b"ab"
    with pytest.raises(EnvelopeFormatError, match="not canonical standard base64"):
        Envelope.from_bytes(stray)


@settings(max_examples=400)
@given(values)
def test_canonical_json_and_copy_gives_the_reference_bytes_and_an_equal_fresh_copy(
    value: object,
) -> None:
    raw, copy = canonical_json_and_copy(value)
    assert raw == rfc8785.dumps(value)
    assert copy == value
    if isinstance(value, dict | list) and value:
        assert copy is not value


@settings(max_examples=400)
@given(values)
def test_parse_canonical_accepts_exactly_the_reference_bytes(value: object) -> None:
    reference = rfc8785.dumps(value)
    assert parse_canonical(reference) == value
    loose = json.dumps(value, ensure_ascii=True).encode()  # spaces, escapes, key order
    if loose != reference:
        with pytest.raises(CanonicalJSONError):
            parse_canonical(loose)


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1.0},
        {"a": [2**53]},
        {1: "one"},
        {True: "yes"},
        {"a": "\ud800"},
        {"a": "\ufdd0"},
        {"\U0010ffff": 1},
        {"a": float("nan")},
    ],
    ids=["float", "big", "int-key", "bool-key", "surrogate", "nonchar", "astral-nonchar", "nan"],
)
def test_what_the_full_check_refuses_the_fast_path_refuses_too(value: object) -> None:
    assert canonical._plain_bytes(value) is None
    with pytest.raises(CanonicalJSONError):
        canonical_json(value)


@settings(max_examples=200)
@given(st.dictionaries(text, text, max_size=3))
def test_a_payload_keeps_the_canonical_bytes_of_its_members(data: dict[str, str]) -> None:
    payload = EventPayload(**payload_fields(data=data))
    fields = {name: getattr(payload, name) for name in payload.__dataclass_fields__}
    assert payload.to_bytes() == rfc8785.dumps(fields)
    assert EventPayload.from_bytes(payload.to_bytes()).to_bytes() == payload.to_bytes()


def test_sealing_an_event_encodes_canonical_json_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    encode = canonical._encode

    def counted(value: object) -> str:
        calls.append(value)
        return encode(value)

    monkeypatch.setattr(canonical, "_encode", counted)
    key = SigningKey.generate()
    envelope = seal(EventPayload(**payload_fields(data={"note": "é", "n": 3})), key)
    assert len(calls) == 1
    opened = Envelope.from_bytes(envelope)
    assert envelope == canonical_json(opened._document())
    assert EventPayload.from_bytes(opened.payload).data == {"note": "é", "n": 3}
