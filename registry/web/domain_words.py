"""The domain's words in the interface's language. The domain imports no framework, so its
declared texts (each event type's label, name in a history and help; each field's label and
hint; the enums' values) are English there and translated here, with the English as msgid.

`extract` is a Babel extraction method (babel.cfg names it): `make translations` reads the
declarations through it, so a label added in the domain reaches every catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import IO, Any

from flask_babel import gettext


def translated(text: str) -> str:
    """The domain's English `text` in the interface's language (itself when not catalogued)."""
    return gettext(text) if text else text


def enum_words() -> Iterator[str]:
    from registry.domain import clauses, deadlines, declaration, values
    from registry.web.forms_text import choice_label

    for module in (values, clauses, deadlines, declaration):
        for item in vars(module).values():
            if (
                isinstance(item, type)
                and issubclass(item, Enum)
                and item.__module__ == module.__name__
            ):
                for member in item:
                    if isinstance(member.value, str):
                        yield choice_label(member.value, translate=False)


def domain_words() -> Iterator[str]:
    """Every English text the domain declares for people to read."""
    from registry.domain.catalogue import DECLARATIONS
    from registry.domain.declaration import FIELD_TEXT
    from registry.web.forms_text import CHOICE_LABELS

    texts = [FIELD_TEXT.values()]
    for declaration in DECLARATIONS:
        yield from (declaration.label, declaration.called, declaration.help)
        texts.append(declaration.field_text.values())
    for group in texts:
        for label, hint in group:
            yield label
            if hint:
                yield hint
    yield from CHOICE_LABELS.values()
    yield from enum_words()


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: the domain's words, as if each were written `_("…")`."""
    seen: set[str] = set()
    for text in domain_words():
        if text and text not in seen:
            seen.add(text)
            yield 1, "gettext", text, ["declared in registry/domain"]
