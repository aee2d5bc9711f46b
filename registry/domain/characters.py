"""Which characters text may hold: one rule, so that every database stores text alike.

PostgreSQL cannot store U+0000 in text, SQLite can; neither can encode a lone surrogate as UTF-8;
other C0 controls print as nothing and hide what a title really says. So text holds no C0
control character (U+0000 to U+001F) and no surrogate (U+D800 to U+DFFF), except that tab,
line feed and carriage return are allowed in the fields that hold several lines (`MULTILINE`).
A reference (an agreement's human name, which also names it in URLs and files) is narrower:
`REFERENCE_RULE`. The web, the API, the import and the domain's commands all read this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from registry.domain.errors import DomainError

# Fields whose text may run over several lines (the forms show them as text areas; `status` is
# the CSV text of a depositary's status table posted to /api/v1/imports/status).
MULTILINE = frozenset({"text", "summary", "description", "reason", "note", "notes", "status"})
# Fields that hold a reference to an agreement.
REFERENCE_FIELDS = frozenset({"reference", "amendment_reference"})

REFERENCE_RULE = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
REFERENCE_HELP = (
    "a reference is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit "
    "(e.g. PK-KZ-2026-001); case does not distinguish references"
)
_REFERENCE = re.compile(rf"^{REFERENCE_RULE}$")
_SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\ud800-\udfff]")
_MULTILINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


class UnsafeText(DomainError):
    """Text holding a character no field may hold (or a reference outside its rule)."""

    code = "unsafe_text"


@dataclass(frozen=True)
class Finding:
    """Where (a dotted path of keys and indexes) and what is wrong with some text."""

    path: str
    message: str


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be stored (naming the first bad character), or None if it may."""
    found = (_MULTILINE_BAD if multiline else _SINGLE_LINE_BAD).search(text)
    if found is None:
        return None
    point = ord(found.group())
    if 0xD800 <= point <= 0xDFFF:
        kind = "a lone surrogate, which is not a character"
    elif found.group() in "\t\n\r":
        kind = "a tab or line break, which this field cannot hold (it is one line)"
    else:
        kind = "a control character"
    return f"contains U+{point:04X} at position {found.start() + 1}, {kind}"


def reference_problem(reference: str) -> str | None:
    bad = unsafe_character(reference)
    if bad is not None:
        return bad
    if reference.strip() and not _REFERENCE.match(reference.strip()):  # blank: "required" says
        return f"{reference[:80]!r} is not a usable reference: {REFERENCE_HELP}"
    return None


def is_multiline(field: str) -> bool:
    return field in MULTILINE


def findings(value: Any, path: str = "", field: str = "") -> Iterator[Finding]:
    """Every bad piece of text in a JSON-like value: strings, and the keys of objects.

    `field` is the name of the nearest enclosing key: it decides whether the text may hold
    several lines, and whether it is a reference.
    """
    if isinstance(value, str):
        message = (
            reference_problem(value)
            if field in REFERENCE_FIELDS
            else unsafe_character(value, multiline=is_multiline(field))
        )
        if message is not None:
            yield Finding(path or field, message)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            where = f"{path}.{name}" if path else name
            bad_key = unsafe_character(name)
            if bad_key is not None:
                yield Finding(where, f"the key {bad_key}")
                continue
            yield from findings(item, where, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from findings(item, f"{path}[{index}]", field)
    elif hasattr(value, "__dataclass_fields__"):  # a value object such as a Party
        for name in value.__dataclass_fields__:
            yield from findings(getattr(value, name), f"{path}.{name}" if path else name, name)


def first_finding(value: Any, path: str = "", field: str = "") -> Finding | None:
    return next(findings(value, path, field), None)


def check_fields(fields: Mapping[str, Any]) -> None:
    """Raises UnsafeText for the first bad text among a command's fields (by field name)."""
    found = first_finding(fields)
    if found is not None:
        top = re.split(r"[.\[]", found.path, maxsplit=1)[0]
        raise UnsafeText(
            "{what}: {message}",
            what=found.path.replace("_", " ").capitalize(),
            message=found.message,
            field=top,
        )
