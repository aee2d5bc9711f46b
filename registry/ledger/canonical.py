"""Canonical JSON: RFC 8785 (JCS) bytes over the I-JSON subset the registry allows.

Signatures and hashes are computed over bytes, so every signed structure must
have exactly one byte form. ``rfc8785`` does the serialising; this module first
refuses anything whose canonical form would be ambiguous or lossy elsewhere:
floats (verifiers in other languages may print them differently, and the
registry has no fractional quantities), integers beyond what an IEEE double
holds exactly, non-string keys, and strings that are not Unicode text.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import NoReturn

import rfc8785

from registry.ledger.errors import CanonicalJSONError

__all__ = [
    "CanonicalJSONError",
    "canonical_json",
    "canonical_json_and_copy",
    "parse_canonical",
    "sha256_hex",
]

# I-JSON (RFC 7493 §2.2): integers must be exactly representable as doubles.
MAX_SAFE_INTEGER = 2**53 - 1

# I-JSON (RFC 7493 §2.1) forbids surrogates (they cannot be encoded as UTF-8 at
# all) and noncharacters (U+FDD0..U+FDEF and the last two code points of every plane).
_NONCHARACTERS = "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_NOT_TEXT = re.compile(f"[\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# A superset of the UTF-8 of every noncharacter, found far faster than _NOT_TEXT in long
# non-ASCII text: U+FDD0..U+FDEF are EF B7 90..AF, and U+FFFE, U+FFFF and their copies in
# every other plane end in BF BE or BF BF. Strictly decoded UTF-8 holds no surrogate, so
# text without a match holds nothing _NOT_TEXT finds; a match (maybe another character)
# only sends the text to the precise check.
_MAYBE_NONCHARACTER = re.compile(b"\xef\xb7[\x90-\xaf]|\xbf[\xbe\xbf]")


def canonical_json(value: object) -> bytes:
    """Return the RFC 8785 bytes of ``value``, refusing anything outside the registry's I-JSON."""
    fast = _plain_bytes(value)
    if fast is not None:
        return fast
    try:
        astral_keys = _check(value)
    except RecursionError:
        raise CanonicalJSONError("value is nested too deeply to canonicalise") from None
    if not astral_keys:
        # Within this I-JSON subset (no floats, no surrogates) the standard library's sorted,
        # compact, non-ASCII-escaping output is byte-for-byte JCS: the same escapes, the same
        # integers, and key order by code point equals JCS's UTF-16 order while no key holds a
        # character beyond U+FFFF. It is several times faster than the pure-Python rfc8785, and
        # a property test pins the two to each other.
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8"
        )
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # checked by _check above
    except rfc8785.CanonicalizationError as error:  # pragma: no cover - _check is stricter
        raise CanonicalJSONError(str(error)) from error


def canonical_json_and_copy(value: object) -> tuple[bytes, object]:
    """``canonical_json(value)`` and a fresh copy of ``value`` as those bytes parse back: what a
    signer keeps so that a caller changing its objects later changes nothing signed."""
    fast = _plain_bytes_and_copy(value)
    if fast is not None:
        return fast
    raw = canonical_json(value)
    return raw, parse_canonical(raw)


def _plain_bytes(value: object) -> bytes | None:
    found = _plain_bytes_and_copy(value)
    return None if found is None else found[0]


def _plain_bytes_and_copy(value: object) -> tuple[bytes, object] | None:
    """The common case in C: the canonical bytes of `value` and their parse, or None for the
    full check (`_check`, with its precise message, and rfc8785 for astral keys).

    The standard library's sorted compact output (the very bytes the full path returns when
    `_check` passes and no key is astral) is parsed back, refusing floats, constants and
    integers beyond ±(2**53-1); when that parse equals `value`, `value` held no float, no
    out-of-range integer, no non-string key (the encoder would have turned it into a string)
    and no tuple, and every string is in the output verbatim, so encoding it strictly as UTF-8
    (no surrogate) and finding no noncharacter and no astral character in it proves the rest.
    """
    try:
        text = _encode(value)
    except (TypeError, ValueError, RecursionError):
        return None
    if text.isascii():
        raw = text.encode("ascii")
    else:
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a surrogate
            return None
        if _MAYBE_NONCHARACTER.search(raw) or _ASTRAL.search(text):
            return None
    try:
        again, _end = _scan(text, 0)  # the whole text: it is one JSON value
    except (StopIteration, ValueError, RecursionError):  # CanonicalJSONError included
        return None
    if again != value:
        return None
    return raw, again


def parse_canonical(data: bytes) -> object:
    """Parse JSON bytes that must already be exactly canonical; return the value.

    Verifiers check the bytes they were given, never a re-serialisation, so any
    input that is valid JSON but not byte-for-byte canonical is refused.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CanonicalJSONError(f"expected bytes, got {type(data).__name__}")
    raw = bytes(data)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CanonicalJSONError(f"not UTF-8: {error}") from None
    value = _parse_plain_canonical(text, raw)
    if value is not _NOT_PLAIN:
        return value
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_without_duplicates,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except CanonicalJSONError:
        raise
    except RecursionError:
        raise CanonicalJSONError("JSON is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, or an integer too long to convert
        raise CanonicalJSONError(f"not valid JSON: {error}") from None
    if canonical_json(value) != raw:
        raise CanonicalJSONError("JSON is valid but not in RFC 8785 canonical form")
    return value


_NOT_PLAIN = object()


def _parse_plain_canonical(text: str, raw: bytes) -> object:
    """The common case in one pass: the value of `raw`, or _NOT_PLAIN for the full check.

    When the text holds no forbidden and no astral character and the standard library's
    canonical output of its value is `raw` itself, every rule of the full path holds: no
    string can hold a forbidden character (canonical escapes produce only control
    characters, quotes and backslashes, and the text has none of the others), no key sorts
    differently under UTF-16 (no astral character), no key is duplicated (the re-encoding
    would be shorter), and integers are checked as they are parsed. Anything else, including
    every input that is refused, takes the full path and its precise message.
    """
    if not text.isascii() and (_MAYBE_NONCHARACTER.search(raw) or _ASTRAL.search(text)):
        return _NOT_PLAIN
    try:
        value, end = _scan(text, 0)
        again = _encode(value) if end == len(text) else None
    except (StopIteration, ValueError, RecursionError):  # CanonicalJSONError included
        return _NOT_PLAIN
    # `text` is `raw` decoded strictly (no surrogate), so equal text is equal bytes.
    if again != text:
        return _NOT_PLAIN
    return value


def _safe_int(literal: str) -> int:
    value = int(literal)
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise CanonicalJSONError(f"integer {literal} is outside ±(2**53-1)")
    return value


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


Path = tuple[str | int, ...]


def _check(value: object, path: Path = ()) -> bool:
    """Refuse what is outside the subset; True if some object key has a non-BMP character.

    The path is kept as segments and spelled out only for an error message.
    """
    # bool before int: bool is an int subclass, and both are allowed.
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalJSONError(f"{_spelled(path)}: integer {value} is outside ±(2**53-1)")
        return False
    if isinstance(value, str):
        _check_text(value, path, "string")
        return False
    if isinstance(value, float):
        raise CanonicalJSONError(
            f"{_spelled(path)}: floats are not allowed ({value!r}); use integers"
        )
    if isinstance(value, list | tuple):
        astral = False
        for index, item in enumerate(value):
            astral = _check(item, (*path, index)) or astral
        return astral
    if isinstance(value, dict):
        astral = False
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalJSONError(f"{_spelled(path)}: object key {key!r} is not a string")
            _check_text(key, path, "object key")
            astral = _check(item, (*path, key)) or astral or bool(_ASTRAL.search(key))
        return astral
    raise CanonicalJSONError(f"{_spelled(path)}: {type(value).__name__} is not a JSON type")


def _spelled(path: Path) -> str:
    text = "$"
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _IDENTIFIER.fullmatch(segment):
            text += f".{segment}"
        else:
            text += f"[{json.dumps(segment)}]"
    return text


def _check_text(text: str, path: Path, what: str) -> None:
    match = _NOT_TEXT.search(text)
    if match:
        code_point = ord(match.group())
        raise CanonicalJSONError(
            f"{_spelled(path)}: {what} contains U+{code_point:04X}, which I-JSON forbids"
        )


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, item in pairs:
        if key in result:
            raise CanonicalJSONError(f"duplicate object key {key!r}")
        result[key] = item
    return result


def _refuse_float(literal: str) -> NoReturn:
    raise CanonicalJSONError(f"number {literal} is not an integer; floats are not allowed")


def _refuse_constant(literal: str) -> NoReturn:
    raise CanonicalJSONError(f"{literal} is not JSON")


_PLAIN_DECODER = json.JSONDecoder(
    parse_float=_refuse_float, parse_constant=_refuse_constant, parse_int=_safe_int
)
_CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

# The standard library's C scanner and C encoder called directly: `decode` and `encode` wrap
# them in Python (whitespace skipping, an encoder built per call) that costs as much again on
# an event's payload. The scanner is the decoder's own (its hooks refuse floats, constants and
# unsafe integers); the encoder is `_CANONICAL_ENCODER`'s, without its circular-reference
# markers: a cycle recurses until RecursionError, which sends the value to the full check.
_scan = _PLAIN_DECODER.scan_once
_C_ENCODE = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False
)


def _encode(value: object) -> str:
    return "".join(_C_ENCODE(value, 0))
