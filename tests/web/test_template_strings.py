"""Every word a template shows is marked for translation (issue 14): a text node, or an
attribute people read (title, placeholder, aria-label, alt, label, data-label, a button's
value), holding letters outside `{{ ... }}` fails here. Codes and formats (SHA-256, UTC,
YYYY-MM-DD…) are allowed as they are, since they read the same in every language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

WEB = Path(__file__).resolve().parents[2] / "registry" / "web"
# The API's reference pages are for the engineers of other systems and stay in English, like
# the OpenAPI document they describe (their field names and codes are English identifiers).
ENGLISH_ONLY = frozenset({"api/templates/api/docs.html", "api/templates/api/clauses.html"})
TEMPLATES = sorted(
    path
    for path in [*(WEB / "templates").rglob("*.html"), *(WEB / "api" / "templates").rglob("*.html")]
    if str(path.relative_to(WEB)) not in ENGLISH_ONLY
)
READ_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "label", "data-label"})
# Words that read the same in every language: codes, formats, names of standards.
NEUTRAL = frozenset(
    {
        "SHA-256",
        "UTC",
        "YYYY-MM-DD",
        "YYYY-MM-DDThh:mm",
        "YYYY-MM",
        "YYYY",
        "hh:mm",
        "JSON",
        "CSV",
        "PDF",
        "API",
        "OpenAPI",
        "Ed25519",
        "DSSE",
        "JCS",
        "RFC",
        "C2SP",
        "UNTS",
        "UN",
        "UNTC",
        "tlog-witness",
        "tlog-cosignature",
        "tlog-checkpoint",
        "tlog-tiles",
        "signed-note",
        "ISO",
        "HTTP",
        "GET",
        "POST",
        "curl",
        "https",
        "ID",
        "ZIP",
        "RTL",
    }
)
HOLE = "\x00"  # where a {{ ... }} was


def without_jinja(source: str) -> str:
    """The template's HTML with each expression a hole and each statement gone."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    inside = None
    for _, kind, value in env.lex(source):
        if kind == "data":
            parts.append(value)
        elif kind == "variable_begin":
            inside = "variable"
            parts.append(HOLE)
        elif kind in ("variable_end", "block_end"):
            inside = None
        elif kind == "block_begin":
            inside = "block"
        elif inside is None and kind not in ("comment_begin", "comment", "comment_end"):
            parts.append(value)
    return "".join(parts)


def unmarked(text: str) -> str | None:
    text = re.sub(r'[\w-]+="[^"]*"', " ", text)  # an attribute written by a macro
    words = [w for w in re.split(r"[\s" + HOLE + r"]+", text) if w]
    left = [w for w in words if re.search(r"[^\W\d_]", w) and w.strip(".,;:()·") not in NEUTRAL]
    return " ".join(words) if left else None


class Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "pre"):
            self.skipping += 1
        values = dict(attrs)
        read = set(READ_ATTRIBUTES)
        if tag == "button" or (tag == "input" and values.get("type") in ("submit", "button")):
            read.add("value")
        for name, value in attrs:
            if name in read and value and (text := unmarked(value)):
                self.found.append(f"<{tag} {name}={text!r}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "pre") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and (text := unmarked(data)):
            self.found.append(text)


# A quoted phrase inside {{ … }} that is not the argument of _(), ngettext() or pgettext():
# `or 'Details'`.
LITERAL = re.compile(r"""(?<![(\w])(?<!\(\s)(['"])([A-Z][a-z]+(?: [^'"{}]*)?)\1""")


def unmarked_literals(source: str) -> list[str]:
    found = []
    for expression in re.findall(r"\{\{(.*?)\}\}", source, re.S):
        for match in LITERAL.finditer(expression):
            start = match.start()
            before = expression[:start].rstrip()
            code = re.sub(r"""(['"]).*?\1""", "''", before)  # parentheses outside strings
            # a plural of ngettext(), or the text of pgettext() after its context
            call = max(code.rfind("ngettext("), code.rfind("pgettext("))
            plural = code.endswith(",") and call > code.rfind(")")
            if not (before.endswith(("_(", "ngettext(")) or plural):
                found.append(match.group(2))
    return found


def unmarked_strings(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    finder = Finder()
    finder.feed(without_jinja(source))
    return finder.found + unmarked_literals(source)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_every_template_text_is_marked_for_translation(path: Path) -> None:
    found = unmarked_strings(path)
    assert not found, f"{path.name} shows text not marked with _(…): {found}"


def test_the_finder_sees_unmarked_text_and_attributes(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<p>{{ _("Marked") }}</p><p>Plain words {{ x }}</p>'
        '<a title="Open it" aria-label="{{ _(\'Open\') }}">{{ name }}</a>'
        '<input type="submit" value="Send"><code>raw code</code><span>SHA-256</span>'
        "<legend>{{ legend or 'Details' }}</legend>{{ _('Fine') if x else _('Too') }}"
        '{{ ngettext("One day", "Two days", n) }}{{ table(a, "Changes of " ~ a) }}',
        encoding="utf-8",
    )
    assert unmarked_strings(page) == [
        "Plain words",
        "<a title='Open it'>",
        "<input value='Send'>",
        "Details",
        "Changes of ",
    ]
