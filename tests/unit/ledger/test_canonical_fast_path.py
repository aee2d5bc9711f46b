"""The fast serialiser must give exactly the bytes of the reference RFC 8785 implementation."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.ledger.canonical import MAX_SAFE_INTEGER, canonical_json

# Text as I-JSON allows it: no surrogates, no noncharacters; include control characters,
# quotes, backslashes, U+2028, astral characters and the BMP's private-use top.
text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(c) for c in range(0xFDD0, 0xFDF0)]
        + [chr(p * 0x10000 + e) for p in range(17) for e in (0xFFFE, 0xFFFF)],
    ),
    max_size=12,
)
scalars = st.none() | st.booleans() | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) | text
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=600)
@given(values)
def test_canonical_json_equals_the_reference_implementation(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_keys_ordered_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 (surrogates D83D DE00) sorts before U+FB33 in UTF-16 but after it by code point.
    value = {"\ufb33": 1, "\U0001f600": 2, "\u20ac": 3}
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value).index("\U0001f600".encode()) < canonical_json(value).index(
        "\ufb33".encode()
    )
