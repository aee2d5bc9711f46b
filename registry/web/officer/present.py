"""Template helpers: dates with their precision, enum labels, instants, links with filters."""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from registry.domain.dates import PartialDate
from registry.domain.errors import spoken
from registry.web.forms_text import choice_label, event_label


def partial_date(value: PartialDate | str | None) -> Markup:
    """`3 February 2026`, `February 2026` (month) or `2026` (year), in a <time> element."""
    if value is None or value == "":
        return Markup("")
    when = value if isinstance(value, PartialDate) else PartialDate.parse(str(value))
    precision = when.precision.value
    words = {"month": _("month"), "year": _("year")}
    note = "" if precision == "day" else f' <span class="precision">({words[precision]})</span>'
    return Markup('<time datetime="{}" data-precision="{}">{}</time>{}').format(
        str(when), precision, localised(when), Markup(note)
    )


PATTERNS = {"day": "d MMMM y", "month": "LLLL y", "year": "y"}


def localised(when: PartialDate) -> str:
    """The date in words in the interface's language (Babel's CLDR data); English reads
    exactly as the domain's `spoken` does."""
    if get_locale() is None or str(get_locale()) == "en":
        return spoken(when)
    return format_date(when.start, PATTERNS[when.precision.value])


def label(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    return choice_label(str(value))


def number(value: int | float, decimals: int | None = None) -> str:
    """A count or a measure written the way the interface's language writes numbers."""
    if decimals is None:
        return format_decimal(value)
    return format_decimal(value, format="#,##0." + "0" * decimals)


def instant(value: datetime | str | None) -> Markup:
    """Exactly, to the microsecond when there are any: a value shown to the second would
    exclude what was recorded later within that second. Typed back into a "known at" box
    (with its " UTC"), it gives the same instant."""
    if value is None or value == "":
        return Markup("")
    text = value if isinstance(value, str) else value.isoformat()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return Markup(escape(text))
    shown = moment.strftime("%Y-%m-%d %H:%M:%S" + (".%f" if moment.microsecond else "") + " UTC")
    return Markup('<time datetime="{}">{}</time>').format(text, shown)


def url_with(**changes: Any) -> str:
    """This page's URL with some query arguments changed (None removes one)."""
    args = {k: v for k, v in request.args.items()}
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "agreements.index", **(request.view_args or {}), **args)


def favicon() -> Response:
    """Browsers ask for /favicon.ico before reading the page's <link rel="icon">, and often
    cancel it when the page moves on: the icon is answered from memory, so a cancelled request
    leaves no open file behind."""
    response = Response(_favicon_bytes(), mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


@cache
def _favicon_bytes() -> bytes:
    return (Path(app_static()) / "favicon.svg").read_bytes()


def app_static() -> str:
    from flask import current_app

    return current_app.static_folder or ""


def init_app(app: Flask) -> None:
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.add_url_rule("/static/favicon.svg", "favicon_svg", favicon)  # the <link>'s, before static
    app.add_template_filter(partial_date, "pdate")
    app.add_template_filter(label, "label")
    app.add_template_filter(instant, "instant")
    app.add_template_filter(number, "number")
    app.add_template_filter(event_label, "event_label")
    app.add_template_global(url_with, "url_with")
    app.add_template_global(ltr, "ltr")
    app.add_template_filter(with_codes_ltr, "codes_ltr")


def ltr(text: str) -> Markup:
    """A code or an ISO date or instant inside a sentence, kept left to right and on one line
    (in Urdu the bidirectional algorithm would otherwise split `2026-03-01T12:00` at a hyphen
    and reorder its parts)."""
    return Markup('<bdi class="ltr" dir="ltr">{}</bdi>').format(text)


# ISO dates and instants (2026-02-03, 2026-03-01T12:00:00Z) and depositary notification
# numbers (C.N.464.2017.TREATIES-XXVII.7.d), references and standards inside a hint or a
# message.
CODE_RUN = re.compile(
    r"\{.*\}"  # a JSON sample (it may wrap, still left to right)
    r"|\b\d{4}-\d{2}(?:-\d{2})?(?:T[\d:.]+Z?)?"  # a date or an instant
    r"|\bC\.N\.[\w.-]*\w"  # a depositary notification
    r"|\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b"  # a reference, PK-KZ-2026-001
    r"|\bISO \d+(?: alpha-\d)?"  # a standard
)


def with_codes_ltr(text: str | None) -> Markup:
    """`text`, escaped, with its dates and codes each kept left to right on one line."""
    if not text:
        return Markup("")
    escaped = str(escape(text))

    def kept(found: re.Match[str]) -> str:
        text = found.group(0)
        if text.startswith("{"):
            return f'<bdi dir="ltr">{text}</bdi>'  # (already escaped)
        return f'<bdi class="ltr" dir="ltr">{text}</bdi>'

    return Markup(CODE_RUN.sub(kept, escaped))
