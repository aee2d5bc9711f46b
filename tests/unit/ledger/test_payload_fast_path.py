"""The payload pattern (`_CANONICAL_PAYLOAD`, which parses only the data) accepts and refuses
exactly what the full parse does, with the same payload or the same message, on generated
payloads, canonical or near misses, valid or with any member out of its form."""

from __future__ import annotations

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.ledger.canonical import MAX_SAFE_INTEGER, canonical_json
from registry.ledger.errors import PayloadError
from registry.ledger.payload import _CANONICAL_PAYLOAD, EventPayload

from .builders import payload_fields
from .test_canonical_fast_path import text, values
from .test_fast_paths import outcome, spellings

full_parse = outcome(EventPayload._from_document, PayloadError)
fast_parse = outcome(EventPayload.from_bytes, PayloadError)


def same_outcome(data: bytes) -> None:
    fast, full = fast_parse(data), full_parse(data)
    assert fast == full
    if isinstance(full, EventPayload):
        assert isinstance(fast, EventPayload)
        assert fast.to_bytes() == full.to_bytes() == data
        assert fast.data_bytes() == full.data_bytes() == canonical_json(full.data)
        assert {n: type(getattr(fast, n)) for n in fast.__dataclass_fields__} == {
            n: type(getattr(full, n)) for n in full.__dataclass_fields__
        }


# Each member: its valid forms and its near misses (the pattern's edges: quotes, backslashes,
# non-ASCII, leading zeros, the integer limits, dates and instants of the right shape that are
# not real, another type altogether).
members = {
    "agreement": st.sampled_from(
        ["1f3c5e7a-9b2d-4c6e-8f10-2a4b6c8d0e1f", "1F3C5E7A-9B2D-4C6E-8F10-2A4B6C8D0E1F", "", 7]
    ),
    "version": st.sampled_from([1, 2, 10, MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, 0, -1, True])
    | st.integers(1, 10**17)
    | st.just("1"),
    "type": st.sampled_from(["Drafted", "", 'Dra"fted', "Dra\\fted", "Ratifié", None]) | text,
    "effective": st.sampled_from(
        ["2026-02-04", "2024-02-29", "2026-02-29", "2026-13-01", "0000-01-01", "2026-2-4", 20260204]
    ),
    "precision": st.sampled_from(["day", "month", "year", "Day", "week", ""]),
    "recorded": st.sampled_from(
        [
            "2026-02-05T09:30:00.123456Z",
            "2026-02-05T24:00:00.000000Z",
            "2026-02-30T09:30:00.123456Z",
            "2026-02-05T09:30:60.000000Z",
            "2026-02-05T09:30:00Z",
            "2026-02-05 09:30:00.123456Z",
        ]
    ),
    "actor": st.sampled_from(["treaty.officer", "registry", "", 'a"b', "a\\b", "ofícer", " "])
    | text,
    "prev": st.sampled_from(["0" * 64, "ab" * 32, "AB" * 32, "0" * 63, "0" * 65]),
    "data": st.dictionaries(text, values, max_size=4)
    | st.sampled_from([{}, {"a": 1.5}, [], "data", None]),
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, object]:
    document = payload_fields()
    for name in draw(st.sets(st.sampled_from(sorted(members)), max_size=3)):
        document[name] = draw(members[name])
    change = draw(st.integers(0, 9))
    if change == 0:
        document.pop(draw(st.sampled_from(sorted(document))))
    elif change == 1:
        document["extra"] = 1
    return document


def encoded(document: dict[str, object]) -> bytes:
    try:
        return rfc8785.dumps(document)
    except rfc8785.CanonicalizationError:
        return canonical_json({"data": {}, **{k: str(v) for k, v in document.items()}})


@settings(max_examples=1500)
@given(documents())
def test_the_payload_pattern_accepts_and_refuses_what_the_full_parse_does(
    document: dict[str, object],
) -> None:
    same_outcome(encoded(document))


@settings(max_examples=600)
@given(st.dictionaries(text, values, max_size=4).flatmap(
    lambda data: spellings(EventPayload(**payload_fields(data=data)).to_bytes())
))  # fmt: skip
def test_near_misses_of_a_canonical_payload_get_the_full_parse_s_outcome(data: bytes) -> None:
    same_outcome(data)


def test_the_pattern_is_the_path_an_ordinary_payload_takes() -> None:
    raw = EventPayload(**payload_fields(data={"note": "é", "n": [1, {"b": None}]})).to_bytes()
    found = _CANONICAL_PAYLOAD.fullmatch(raw)
    assert found is not None
    assert found.group(3) == canonical_json({"note": "é", "n": [1, {"b": None}]})
    parsed = EventPayload.from_bytes(raw)
    assert parsed.__dict__["_data_bytes"] == found.group(3)  # kept from the pattern's match
    assert parsed == EventPayload._from_document(raw)


def test_data_that_mimics_the_members_after_it_stays_data() -> None:
    tail = ',"effective":"2026-02-04","precision":"day","prev":"' + "0" * 64 + '"'
    data = {"x": "}" + tail, "y": {"z": tail}}
    payload = EventPayload(**payload_fields(data=data))
    parsed = EventPayload.from_bytes(payload.to_bytes())
    assert parsed == payload
    assert parsed.data == data
    assert parsed.data_bytes() == canonical_json(data)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b'"version":1}', b'"version":9007199254740992}', "integer 9007199254740992 is outside"),
        (b'"2026-02-04"', b'"2026-02-30"', "effective '2026-02-30' is not a real date"),
        (b"T09:30:00.", b"T24:30:00.", "is not a real instant"),
        (b'"data":{', b'"data":{"a":1.5,', "floats are not allowed"),
        (b'"data":{', b'"data":{"z":1,', "not in RFC 8785 canonical form"),
        (b'"data":{', b'"data":{"a": 1,', "not in RFC 8785 canonical form"),
    ],
    ids=["version", "date", "instant", "float", "order", "space"],
)
def test_bytes_of_the_pattern_s_shape_that_break_a_rule_get_the_full_message(
    old: bytes, new: bytes, message: str
) -> None:
    raw = EventPayload(**payload_fields()).to_bytes()
    assert raw.count(old) == 1
    tampered = raw.replace(old, new)
    assert _CANONICAL_PAYLOAD.fullmatch(tampered) is not None
    refused = fast_parse(tampered)
    assert isinstance(refused, str) and message in refused
    assert refused == full_parse(tampered)
