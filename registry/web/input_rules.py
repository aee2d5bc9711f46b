"""What the web accepts before any view sees it: JSON that every database stores alike, and query
strings, path parts and form fields without the characters no field may hold.

JSON bodies are parsed here for the whole application (Flask's JSON provider and the API's
argument parser both call `load_json`): a body nested deeper than `MAX_JSON_DEPTH`, an object
with a key given twice, or text breaking the character rule (registry.domain.characters) is
refused as a client error naming the field, before Python's recursion limit or a database can
turn it into a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue

from registry.domain.characters import first_finding, unsafe_character

MAX_JSON_DEPTH = 64
V = TypeVar("V", bound=Callable[..., Any])
_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class UnacceptableJson(ValueError):
    """A JSON body refused by these rules; `errors` maps a field path to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def json_depth(data: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of arrays and objects in `data`, counted up to `limit + 1` only."""
    depth = deepest = 0
    for token in _STRUCTURE.finditer(data):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif first in (b"]", b"}"):
            depth -= 1
    return deepest


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise UnacceptableJson({key: [f"The key {key[:80]!r} is given twice in one object."]})
        result[key] = value
    return result


def load_json(data: bytes | str, *, text_rule: bool = True) -> Any:
    """The JSON value of `data`; UnacceptableJson if it breaks the rules, ValueError if not JSON.

    Without `text_rule` only the structure is checked (depth, duplicate keys): what Flask's own
    JSON reading needs, which also reads the responses the registry itself wrote.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise UnacceptableJson(
            {"json": [f"The body is nested more than {MAX_JSON_DEPTH} arrays or objects deep."]}
        )
    text = raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: "not JSON"
    value = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    found = first_finding(value) if text_rule else None
    if found is not None:
        raise UnacceptableJson({found.path or "json": [f"The text {found.message}."]})
    return value


class RegistryJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s, text_rule=False)


# Query strings, path parts and form fields ----------------------------------------------------


def query_text_problems() -> dict[str, list[str]]:
    """Field messages for the URL's parts and its query string."""
    errors: dict[str, list[str]] = {}
    for name, value in (request.view_args or {}).items():
        _check(errors, name, value, multiline=False)
    for name, values in request.args.lists():
        _check(errors, name, name, multiline=False)
        for value in values:
            _check(errors, name, value, multiline=False)
    return errors


def form_text_problems() -> dict[str, list[str]]:
    """Field messages for the posted form, by input name."""
    errors: dict[str, list[str]] = {}
    if request.method not in ("GET", "HEAD") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, values in request.form.lists():
            for value in values:
                _check(errors, name, value, multiline=True)
    return errors


def gives_its_form_back_on_unsafe_text(view: V) -> V:
    """Mark a form view that shows the character messages beside their inputs itself (reading
    `posted_text_problems`), instead of the 400 page any other form gets."""
    view.gives_its_form_back_on_unsafe_text = True  # type: ignore[attr-defined]
    return view


def posted_text_problems() -> dict[str, list[str]]:
    """The character messages of this request's form, by input name, for a view marked with
    `gives_its_form_back_on_unsafe_text` (empty for any other)."""
    return dict(g.get("posted_text_problems", {}))


def _check(errors: dict[str, list[str]], name: str, value: Any, *, multiline: bool) -> None:
    if not isinstance(value, str):
        return
    message = unsafe_character(value, multiline=multiline)
    if message is not None:
        errors.setdefault(name[:80], []).append(f"The text {message}.")


def init_app(app: Flask) -> None:
    app.json = RegistryJSONProvider(app)

    @app.before_request
    def refuse_unsafe_text() -> ResponseReturnValue | None:
        from registry.web.api.problems import API_PREFIX, validation_problem
        from registry.web.security import error_page

        in_query, in_form = query_text_problems(), form_text_problems()
        if not in_query and not in_form:
            return None
        if request.path.startswith(API_PREFIX):
            return validation_problem({**in_query, **in_form})
        view = app.view_functions.get(request.endpoint or "")
        if not in_query and getattr(view, "gives_its_form_back_on_unsafe_text", False):
            g.posted_text_problems = in_form
            return None
        fields = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in {**in_query, **in_form}.items()
        )
        return error_page(
            400,
            "Some of what you sent cannot be stored",
            f"{fields} Remove the character and send it again.",
        )
