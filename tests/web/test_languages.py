"""The interface in English, Russian, Kazakh and Urdu (issue 14): every marked string is in
each catalogue and translated, the compiled catalogues match their sources, the language
follows the account's choice, else the browser's; Urdu is right to left."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.web.conftest import Auth, csrf_token

WEB = Path(__file__).resolve().parents[2] / "registry" / "web"
TRANSLATIONS = WEB / "translations"
LANGUAGES = ("ru", "kk", "ur")


@pytest.fixture(scope="module")
def template_strings(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every string the templates, views and domain declarations mark, extracted afresh (as
    `make translations` does)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", str(WEB / "babel.cfg"), "-k", "_l", "-k", "N_",
         "-o", str(pot), str(WEB)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {msgid(m.id) for m in read_po(handle) if m.id}


def msgid(found: str | tuple[str, ...]) -> str:
    return found if isinstance(found, str) else found[0]


def forms(found: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if found is None:
        return ()
    return (found,) if isinstance(found, str) else tuple(found)


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


# Texts that read the same in every language: codes, formats, Latin terms, a policy's syntax.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {
        "SHA-256",
        "Ad referendum",
        "ad referendum",
        "(Atom).",
        "YYYY-MM-DDThh:mm:ssZ",
        "witness astana astana.example/witness+1234abcd+BAbc…&#10;quorum astana",
    }
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_string_is_in_the_catalogue_and_translated(
    template_strings: set[str], language: str
) -> None:
    messages = {msgid(m.id): m for m in catalogue(language) if m.id}
    missing = sorted(template_strings - set(messages))
    assert not missing, f"not in the {language} catalogue (run make translations): {missing}"
    untranslated = sorted(
        s
        for s in template_strings
        if not all(forms(messages[s].string)) or not forms(messages[s].string)
    )
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    fuzzy = sorted(s for s in template_strings if messages[s].fuzzy)
    assert not fuzzy, f"fuzzy (unchecked) in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_an_english_copy_or_loses_a_placeholder(language: str) -> None:
    found = catalogue(language)
    copies, broken = [], []
    for message in found:
        if not message.id:
            continue
        english = forms(message.id)
        translated = forms(message.string)
        if msgid(message.id) not in SAME_IN_EVERY_LANGUAGE and set(translated) & set(english):
            copies.append(msgid(message.id))
        wanted = placeholders(english[-1]) - {"num"}
        for text in translated:
            if not wanted <= placeholders(text) or placeholders(text) - placeholders(english[-1]):
                broken.append((msgid(message.id), text))
    assert not copies, f"English left as the {language} translation: {copies}"
    assert not broken, f"placeholders changed in {language}: {broken}"
    assert found.num_plurals == {"ru": 3}.get(language, 2)


def test_the_checks_catch_an_empty_a_fuzzy_and_a_copied_translation(tmp_path: Path) -> None:
    from babel.messages.pofile import write_po

    sample = Catalog(locale="ru")
    sample.add("Status by party", "Статус по сторонам")
    sample.add("Key dates", "")
    sample.add("Timeline", "Хронология", flags=["fuzzy"])
    sample.add("Events", "Events")
    path = tmp_path / "messages.po"
    with path.open("wb") as handle:
        write_po(handle, sample)
    with path.open("rb") as handle:
        read = {msgid(m.id): m for m in read_po(handle) if m.id}
    assert not all(forms(read["Key dates"].string)) or not forms(read["Key dates"].string)
    assert read["Timeline"].fuzzy
    assert set(forms(read["Events"].string)) & set(forms(read["Events"].id))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as handle:
        source = {msgid(m.id): forms(m.string) for m in read_po(handle) if m.id}
    with (folder / "messages.mo").open("rb") as handle:
        compiled = {msgid(m.id): forms(m.string) for m in read_mo(handle) if m.id}
    assert compiled == source, "messages.mo is stale: run make translations"


def test_the_browser_language_is_followed(client: FlaskClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="ru" dir="ltr">' in html and "Войти" in html


def test_urdu_reads_right_to_left(client: FlaskClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html and "لاگ ان" in html
    with client.get("/static/registry.css") as response:
        assert '"Noto Nastaliq Urdu"' in response.get_data(as_text=True)


def test_an_unknown_browser_language_falls_back_to_english(client: FlaskClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html and ">Log in<" in html


def test_the_choice_is_kept_on_the_account_over_the_browser(
    client: FlaskClient, auth: Auth, agreement: str
) -> None:
    auth.login("officer")
    response = client.post(
        "/language",
        data={
            "csrf_token": csrf_token(client, "/agreements"),
            "language": "kk",
            "next": "/agreements",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/agreements"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/agreements")})
    auth.login("officer")  # a new session: the choice comes from the account
    html = client.get("/agreements", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="kk"' in html and "Келісімдер" in html


def test_dates_are_written_by_babel_in_the_language(
    client: FlaskClient, auth: Auth, agreement: str
) -> None:
    auth.login("officer")
    html = client.get(f"/agreements/{agreement}", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert "1 февраля 2026" in html  # drafted on 2026-02-01
