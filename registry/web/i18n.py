"""The interface's language: English, Russian, Kazakh or Urdu (right to left), with
Flask-Babel's gettext catalogues (registry/web/translations/). Chosen per user (a preference
kept beside the account), else for the session, else by the browser's Accept-Language.
Signed events stay language-neutral: only the pages around them are translated."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale
from flask_login import current_user

from registry.web.extensions import get_registry

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "kk": "Қазақша", "ur": "اردو"}
RIGHT_TO_LEFT = frozenset({"ur"})
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(text: str) -> str:
    """Marks a word for the catalogue that a template translates later with `_(value)`."""
    return text


ROLE_WORDS = (N_("officer"), N_("auditor"), N_("admin"))
SCOPE_WORDS = (N_("read"), N_("write"))  # an API token's scopes, as its form offers them


def select_language() -> str:
    if getattr(current_user, "is_authenticated", False):
        chosen = get_registry().user_language(current_user.username)
        if chosen in LANGUAGES:
            return chosen
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def language() -> str:
    return str(get_locale() or "en")


def change_language() -> ResponseReturnValue:
    """POST /language: remember the choice on the account (or for this session)."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        session["language"] = chosen
        if getattr(current_user, "is_authenticated", False):
            get_registry().set_user_language(current_user.username, chosen)
    back = request.form.get("next", "")
    safe = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return redirect(back if safe else url_for("agreements.home"))


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories=str(TRANSLATIONS))
    app.add_url_rule("/language", "language", change_language, methods=["POST"])
    app.add_template_filter(joined, "joined")

    @app.context_processor
    def language_context() -> dict[str, object]:
        lang = language()
        return {
            "lang": lang,
            "text_direction": "rtl" if lang in RIGHT_TO_LEFT else "ltr",
            "languages": LANGUAGES,
        }


# A list's separators: Urdu writes the Arabic comma and semicolon.
SEPARATORS = {"ur": {",": "، ", ";": "؛ "}}


def separator(kind: str = ",") -> str:
    """ ", " (or "; " for `kind` ";") in the interface's language."""
    return SEPARATORS.get(language(), {}).get(kind, kind + " ")


def joined(items: object, kind: str = ",") -> str:
    """A template filter: the items as text, separated as the interface's language writes."""
    return separator(kind).join(str(item) for item in items)  # type: ignore[attr-defined]
