"""Canonical JSON, pinned to RFC 8785 and cyberphone/json-canonicalization test data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import rfc8785

from registry.ledger.canonical import (
    CanonicalJSONError,
    canonical_json,
    parse_canonical,
    sha256_hex,
)

from .vectors import ids, load_vectors

VECTORS = load_vectors("rfc8785_jcs")
INTEGER_VECTORS = [vector for vector in VECTORS if not vector["floats"]]
FLOAT_VECTORS = [vector for vector in VECTORS if vector["floats"]]
NON_CANONICAL_INPUTS = [
    vector for vector in INTEGER_VECTORS if vector["input"] != vector["expected"]
]


def expected_bytes(vector: dict[str, Any]) -> bytes:
    return vector["expected"].encode("utf-8")


def test_the_vector_file_holds_integer_and_float_cases() -> None:
    assert len(INTEGER_VECTORS) >= 5
    assert len(FLOAT_VECTORS) >= 1


@pytest.mark.parametrize("vector", INTEGER_VECTORS, ids=ids(INTEGER_VECTORS))
def test_canonical_json_produces_the_published_bytes(vector: dict[str, Any]) -> None:
    value = json.loads(vector["input"])
    assert canonical_json(value) == expected_bytes(vector)
    if "expected_hex" in vector:
        assert canonical_json(value).hex() == vector["expected_hex"]


@pytest.mark.parametrize("vector", INTEGER_VECTORS, ids=ids(INTEGER_VECTORS))
def test_parse_canonical_accepts_the_published_output(vector: dict[str, Any]) -> None:
    assert parse_canonical(expected_bytes(vector)) == json.loads(vector["input"])


@pytest.mark.parametrize("vector", NON_CANONICAL_INPUTS, ids=ids(NON_CANONICAL_INPUTS))
def test_parse_canonical_refuses_the_published_input_because_it_is_not_canonical(
    vector: dict[str, Any],
) -> None:
    with pytest.raises(CanonicalJSONError):
        parse_canonical(vector["input"].encode("utf-8"))


@pytest.mark.parametrize("vector", FLOAT_VECTORS, ids=ids(FLOAT_VECTORS))
def test_float_vectors_are_refused_here_but_pin_the_rfc8785_serialiser(
    vector: dict[str, Any],
) -> None:
    value = json.loads(vector["input"])
    with pytest.raises(CanonicalJSONError, match="float"):
        canonical_json(value)
    assert rfc8785.dumps(value) == expected_bytes(vector)
    if "expected_hex" in vector:
        assert rfc8785.dumps(value).hex() == vector["expected_hex"]


def test_properties_are_sorted_in_the_utf16_order_rfc_8785_states() -> None:
    (vector,) = [vector for vector in VECTORS if "expected_order" in vector]
    parsed = parse_canonical(canonical_json(json.loads(vector["input"])))
    assert isinstance(parsed, dict)
    assert list(parsed.values()) == vector["expected_order"]


def test_sha256_hex_matches_the_fips_180_example_for_abc() -> None:
    assert sha256_hex(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_integers_at_the_safe_limits_are_accepted() -> None:
    assert canonical_json([2**53 - 1, -(2**53 - 1)]) == b"[9007199254740991,-9007199254740991]"


@pytest.mark.parametrize("number", [2**53, -(2**53), 10**30])
def test_integers_beyond_the_safe_limits_are_refused(number: int) -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\.amount.*outside"):
        canonical_json({"amount": number})


@pytest.mark.parametrize("number", [1.0, 0.5, float("nan"), float("inf")])
def test_a_float_is_refused_naming_its_path(number: float) -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\.data\.items\[1\]: floats are not allowed"):
        canonical_json({"data": {"items": [1, number]}})


def test_a_non_string_key_is_refused_naming_its_path() -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\.parties: object key 1 is not a string"):
        canonical_json({"parties": {1: "Pakistan"}})


def test_an_odd_key_is_quoted_in_the_path() -> None:
    with pytest.raises(CanonicalJSONError, match=r'\$\["two words"\]'):
        canonical_json({"two words": 0.5})


@pytest.mark.parametrize(
    "value",
    [b"bytes", {1, 2}, date(2026, 2, 4), Decimal("1"), object()],
    ids=["bytes", "set", "date", "decimal", "object"],
)
def test_non_json_types_are_refused(value: object) -> None:
    with pytest.raises(CanonicalJSONError, match=r"\$\[0\]: .* is not a JSON type"):
        canonical_json([value])


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\ufdd0", "\uffff", "\U0010fffe"], ids=repr)
def test_strings_with_surrogates_or_noncharacters_are_refused(text: str) -> None:
    with pytest.raises(CanonicalJSONError, match="I-JSON forbids"):
        canonical_json({"title": text})
    with pytest.raises(CanonicalJSONError, match="object key"):
        canonical_json({text: "title"})


def test_tuples_serialise_as_arrays() -> None:
    assert canonical_json({"b": (1, 2), "a": []}) == b'{"a":[],"b":[1,2]}'


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'{"a": 1}', id="whitespace"),
        pytest.param(b'{"b":1,"a":2}', id="reordered-keys"),
        pytest.param(b'{"a":1}\n', id="trailing-newline"),
        pytest.param(b'"\\u0041"', id="needless-unicode-escape"),
        pytest.param(b'"\\u000F"', id="uppercase-hex-escape"),
        pytest.param(b'"\\/"', id="escaped-solidus"),
        pytest.param(b"-0", id="negative-zero"),
        pytest.param(b"01", id="leading-zero"),
        pytest.param(b"\xef\xbb\xbf{}", id="byte-order-mark"),
    ],
)
def test_parse_canonical_refuses_valid_json_that_is_not_canonical(data: bytes) -> None:
    with pytest.raises(CanonicalJSONError):
        parse_canonical(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b'{"a":1,"a":1}', "duplicate object key 'a'", id="duplicate-key"),
        pytest.param(b'{"a":1.0}', "floats are not allowed", id="float"),
        pytest.param(b'{"a":1e2}', "floats are not allowed", id="exponent"),
        pytest.param(b'{"a":NaN}', "NaN is not JSON", id="nan"),
        pytest.param(b'{"a":Infinity}', "Infinity is not JSON", id="infinity"),
        pytest.param(b'{"a":9007199254740992}', "outside", id="unsafe-integer"),
        pytest.param(b'"\\ud800"', "I-JSON forbids", id="lone-surrogate-escape"),
        pytest.param(b'"\xff"', "not UTF-8", id="invalid-utf8"),
        pytest.param(b'{"a":', "not valid JSON", id="truncated"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="deeply-nested"),
    ],
)
def test_parse_canonical_refuses_what_is_not_registry_json(data: bytes, reason: str) -> None:
    with pytest.raises(CanonicalJSONError, match=reason):
        parse_canonical(data)


def test_parse_canonical_refuses_text_instead_of_bytes() -> None:
    with pytest.raises(CanonicalJSONError, match="expected bytes"):
        parse_canonical('{"a":1}')  # type: ignore[arg-type]
