"""The domain's words in the interface's language. The domain imports no framework, so its
declared texts (each event type's label, name in a history and help; each field's label and
hint; the enums' values) are English there and translated here, with the English as msgid.

`extract` is a Babel extraction method (babel.cfg names it): `make translations` reads the
declarations through it, so a label added in the domain reaches every catalogue."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
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


DOMAIN = Path(__file__).resolve().parent.parent / "domain"
# Where a refusal's template stands among a call's arguments when it is not the first.
TEMPLATE_ARGUMENT = {"InvalidClause": 1, "check_before": 2, "check_text": 2}
# Calls whose first argument is a refusal's template or words inside one.
MARKERS = frozenset({"refusal", "Phrase", "Words", "words"})


def refusal_classes() -> frozenset[str]:
    """The names of every DomainError subclass, the domain's modules all imported."""
    import registry.domain.catalogue
    import registry.domain.keyring  # noqa: F401
    from registry.domain.errors import all_error_classes

    return frozenset(cls.__name__ for cls in all_error_classes())


def template_calls() -> Iterator[tuple[Path, ast.Call, ast.expr | None]]:
    """Every call in the domain that raises a refusal or marks its words, with the argument
    that holds the template (None when the call gives none)."""
    names = refusal_classes() | MARKERS | set(TEMPLATE_ARGUMENT)
    for path in sorted(DOMAIN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in names:
                continue
            position = TEMPLATE_ARGUMENT.get(name, 0)
            yield path, node, node.args[position] if len(node.args) > position else None


def refusal_templates() -> Iterator[str]:
    """The English templates of the domain's refusals and the words inside them."""
    for _path, _call, argument in template_calls():
        text = argument.value if isinstance(argument, ast.Constant) else None
        if isinstance(text, str) and re.search(r"[^\W\d_]", re.sub(r"\{[^{}]*\}", "", text)):
            yield text  # (parameters and punctuation only, "{path}: {problem}": nothing to say)


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
    yield from refusal_templates()
    yield from value_words()


def value_words() -> Iterator[str]:
    """Enum values as a refusal says them (`ad referendum`, `ratification`)."""
    from registry.domain import values

    for item in vars(values).values():
        if isinstance(item, type) and issubclass(item, Enum) and item.__module__ == values.__name__:
            for member in item:
                if isinstance(member.value, str):
                    yield member.value.replace("_", " ")


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method: the domain's words, as if each were written `_("…")`."""
    seen: set[str] = set()
    for text in domain_words():
        if text and text not in seen:
            seen.add(text)
            yield 1, "gettext", text, ["declared in registry/domain"]
