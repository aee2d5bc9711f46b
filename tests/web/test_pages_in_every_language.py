"""Every page type rendered in Russian, Kazakh and Urdu shows none of the interface's English
(issue 14): each catalogued English text of two words or more, looked for in the page's
visible text, is absent. What officers typed (titles, names, reasons) stays as they typed it,
so the fixtures' own English is left out of the search by marking it lang="en" or by value."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from registry.store.application import Registry
from registry.store.settings import Settings
from tests.conftest import settings_for
from tests.integration.helpers import OFFICERS
from tests.web.audit_story import RAIL, ROADMAP, TRANSIT, build_story
from tests.web.conftest import Auth

CATALOGUE = Path(__file__).resolve().parents[2] / "registry/web/translations/messages.pot"
LANGUAGES = ("ru", "kk", "ur")
PAGES = {
    "officer": [
        "/agreements",
        f"/agreements/{TRANSIT}",
        f"/agreements/{TRANSIT}?as_of=2026-02-10&known_at=2026-03-05",
        f"/agreements/{TRANSIT}/record/Signed",
        f"/agreements/{TRANSIT}/record/ConsentExpressed",
        f"/agreements/{TRANSIT}/record/MilestoneRecorded",
        f"/agreements/{TRANSIT}/events/2/correct",
        "/agreements/new",
        "/imports/status",
        "/parties/KAZ",
        "/admin/tokens",
    ],
    "auditor": [
        "/audit?as_of=2026-02-20",
        "/audit?as_of=2026-02-20&known_at=2020-01-01",
        "/audit/diff?from=2026-02-20&to=2026-02-20&known_from=2026-03-01&known_to=2026-03-15",
        "/audit/verify",
        "/audit/deadlines?as_of=2026-06-15",
        "/audit/report?from=2026-02-01&to=2026-05-31",
        "/audit/admin-trail",
    ],
    "admin": ["/admin/users", "/admin/keys"],
}


@pytest.fixture(scope="module")
def story_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("language-story") / "instance"
    build_story(settings_for(home))
    return home


@pytest.fixture
def settings(story_home: Path, tmp_path: Path) -> Settings:
    home = tmp_path / "instance"
    shutil.copytree(story_home, home)
    return settings_for(home)


@pytest.fixture(scope="module")
def english_phrases() -> list[str]:
    """The catalogue's texts, each cut at its placeholders into phrases of two words or more."""
    with CATALOGUE.open("rb") as handle:
        ids = [m.id for m in read_po(handle) if m.id]
    phrases: set[str] = set()
    for found in ids:
        for text in [found] if isinstance(found, str) else found:
            for piece in re.split(r"%\(\w+\)s|\n", text):
                piece = " ".join(piece.split()).strip(" ,.;:()")
                if len(piece.split()) >= 2 and re.search(r"[a-z]{3}", piece):
                    phrases.add(piece)
    return sorted(phrases, key=len, reverse=True)


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and read attributes, outside code, scripts
    and elements marked lang="en" (officers' English titles)."""

    SKIPPED = {"script", "style", "code", "pre", "textarea"}
    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self, *, options: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.options = options
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        english = tag != "html" and values.get("lang") == "en"
        hidden = tag in self.SKIPPED or english or (tag == "option" and not self.options)
        if tag not in self.VOID:
            self.stack.append(hidden or any(self.stack))
        if not any(self.stack) and not hidden:
            for name in ("title", "placeholder", "aria-label", "alt", "label"):
                if values.get(name):
                    self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.parts.append(data)


def visible_text(html: str, *, options: bool = False) -> str:
    """The text read: with `options`, a select's options too (they are read when it opens)."""
    reader = VisibleText(options=options)
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def english_left(html: str, phrases: list[str], typed: str) -> list[str]:
    text = visible_text(html)
    return [p for p in phrases if p in text and p not in typed]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", sorted(PAGES))
def test_no_interface_english_is_left_on_any_page(
    client: FlaskClient, auth: Auth, english_phrases: list[str], role: str, language: str
) -> None:
    auth.login(role)
    client.post("/language", data={"csrf_token": auth.token(), "language": language})
    english = client.get(PAGES[role][0], headers={"Accept-Language": "en"})
    assert f'lang="{language}"' in english.get_data(as_text=True)
    for url in PAGES[role]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        # Data officers typed in English (titles, names, summaries) is theirs, not the UI's.
        typed = " ".join(re.findall(r'lang="en"[^>]*>([^<]*)<', html))
        left = english_left(html, english_phrases, typed)
        assert not left, f"{language} {url} still shows English: {left[:10]}"


def test_the_search_finds_english_when_a_page_is_in_english(
    client: FlaskClient, auth: Auth, english_phrases: list[str]
) -> None:
    auth.login("officer")
    html = client.get(f"/agreements/{TRANSIT}", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Status by party" in english_left(html, english_phrases, "")


# -- any English word at all, not only the catalogue's ---------------------------------------

# What a page may show in ASCII letters whatever its language: names of formats, protocols and
# standards, the input formats placeholders show, and the time zone.
CODES = {"API", "Atom", "CSV", "JSON", "PDF", "UTC", "zip", "ISO", "alpha", "C2SP", "tlog-policy"}
CODES |= {"YYYY-MM-DD", "YYYY-MM-DDThh", "mm", "ssZ", "Ed25519", "SHA-256", "sha256"}
CODES |= {"alpha-3", "en", "ru", "kk", "ur"}  # ISO 3166 codes and the languages' own codes
CODES |= {"Ad", "referendum"}  # "ad referendum": the treaty law's Latin, kept in every language
MORE_PAGES = {
    "officer": [
        f"/agreements/{ROADMAP}",
        f"/agreements/{RAIL}",
        "/parties/PAK",
        "/agreements?sort=nonsense&page=0",
        f"/agreements/{TRANSIT}/record/WithdrawalNotified",
        f"/agreements/{TRANSIT}/record/EnteredIntoForce",
        f"/agreements/{TRANSIT}/events/7/correct",
    ],
    "auditor": [
        "/audit?as_of=2026-02-31&known_at=yesterday",
        "/audit/diff?from=2026-05-01&to=2026-02-01",
        "/audit/deadlines?as_of=2026-12-15",
        "/audit/deadlines?horizon=12",
    ],
    "admin": [],
}


def typed_by_officers(registry: Registry) -> set[str]:
    """Every text officers typed into the story's events (titles, names, places, reasons):
    strings with a capital or a space; the enums' codes (`binding`) are not typed."""
    found: set[str] = set()

    def take(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                take(item)
        elif isinstance(value, list):
            for item in value:
                take(item)
        elif isinstance(value, str) and re.search(r"[A-Z\s]", value):
            found.add(value)

    for stream in registry.agreement_ids():
        for event in registry.opened_events(stream):
            take(dict(event.payload.data))
    return found


def english_words(html: str, typed: set[str], users: set[str]) -> list[str]:
    """The ASCII words left in the page's visible text (options included) once what officers
    typed, user names, references, party codes, dates, instants, key ids and JSON samples
    are taken out: interface English that escaped translation."""
    text = visible_text(html, options=True)
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"\{.*?\}\}?", " ", text)  # a JSON sample in a hint
    text = re.sub(r"JSON: [a-z_, ]+", "JSON ", text)  # a file's keys
    text = re.sub(r"C\.N\.\S+", " ", text)  # a depositary notification's number
    words = re.findall(r"[A-Za-z][A-Za-z0-9.'’-]*[A-Za-z0-9]", text)  # (a, d, c: UNTC marks)
    return sorted(
        {
            w
            for w in words
            if re.search(r"[a-z]", w) and w not in CODES and w not in users
            and not re.fullmatch(r"[0-9a-f]{2,}|[A-Z]{2,}[a-z]?", w)
        }
    )  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_word_is_left_on_any_page_but_what_officers_typed(
    app: Flask, settings: Settings, language: str
) -> None:
    registry: Registry = app.extensions["registry"]
    typed = typed_by_officers(registry)
    users = {*OFFICERS, "auditor", "admin", "officer.depositary"}
    left: dict[str, list[str]] = {}
    for role, urls in PAGES.items():
        client = app.test_client()
        auth = Auth(client)
        auth.login(role)
        client.post("/language", data={"csrf_token": auth.token(), "language": language})
        for url in urls + MORE_PAGES[role]:
            response = client.get(url)
            assert response.status_code in (200, 400), (url, response.status_code)
            found = english_words(response.get_data(as_text=True), typed, users)
            if found:
                left[url] = found
    assert not left, f"{language}: English left on pages: {left}"


def test_the_word_search_finds_english_that_escaped_the_catalogue() -> None:
    html = (
        '<p>Статус planned, уведомление notified 2026-06-01</p><p lang="en">Transit Trade</p>'
        "<select><option>All parties</option></select><code>entry_into_force</code>"
    )
    assert english_words(html, set(), set()) == ["All", "notified", "parties", "planned"]
    assert english_words(html, {"All parties"}, set()) == ["notified", "planned"]


def test_history_details_are_worded_for_the_reader(app: Flask) -> None:
    """An event's values read by their declared fields: an enum is its label, a date is in
    words, a language code is the language's name, and a list is separated as the language
    writes (Urdu's comma and semicolon); not `simple`, `2026-12-01` or `en:`."""
    client = app.test_client()
    auth = Auth(client)
    auth.login("officer")
    client.post("/language", data={"csrf_token": auth.token(), "language": "ru"})
    russian = visible_text(client.get(f"/agreements/{TRANSIT}").get_data(as_text=True))
    assert "Вид подписи простая" in russian and "Вид подписи simple" not in russian
    assert "Вступает в действие 1 декабря 2026" in russian
    assert "Новая дата действия 3 февраля 2026" in russian
    assert "Юридический характер обязательный" in russian
    assert "Названия английский: Agreement on Transit Trade; русский:" in russian
    client.post("/language", data={"csrf_token": auth.token(), "language": "ur"})
    urdu = visible_text(client.get(f"/agreements/{TRANSIT}").get_data(as_text=True))
    assert "Pakistan (PAK، ریاست)؛ Kazakhstan (KAZ، ریاست)" in urdu
    assert "1 دسمبر 2026" in urdu and "Вступает" not in urdu


def field_labels(html: str) -> list[list[str]]:
    """Each form's field labels (the visible text of its `<label>`s and of its groups'
    `<legend>`s), form by form. A group's rows (a party's code, name and type, row after row)
    repeat their labels under the group's legend by design, so only the legend counts."""

    def words(fragment: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())

    found = []
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
        groups = re.findall(r'<fieldset class="field group.*?</fieldset>', form, flags=re.S)
        for group in groups:
            form = form.replace(group, "")
        legends = [re.search(r"<legend>(.*?)</legend>", group, flags=re.S) for group in groups]
        labels = re.findall(r"<label\b[^>]*>(.*?)</label>", form, flags=re.S)
        found.append([words(text) for text in labels + [m.group(1) for m in legends if m]])
    return found


@pytest.mark.parametrize("language", ("en", *LANGUAGES))
@pytest.mark.parametrize("role", sorted(PAGES))
def test_no_two_fields_of_a_form_share_a_label_in_any_language(
    client: FlaskClient, auth: Auth, role: str, language: str
) -> None:
    """A translation that gives two fields the same word (Kazakh once had "Күні" for both
    "As of" and "Date" on the party page) leaves the officer guessing which is which."""
    auth.login(role)
    client.post("/language", data={"csrf_token": auth.token(), "language": language})
    for url in PAGES[role]:
        html = client.get(url).get_data(as_text=True)
        for labels in field_labels(html):
            named = [label for label in labels if label]
            twice = sorted({label for label in named if named.count(label) > 1})
            assert not twice, f"{language} {url}: two fields labelled {twice}"


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_button_wears_the_house_style(client: FlaskClient, auth: Auth, role: str) -> None:
    """A button without a class is the browser's grey default (the tokens page's "Make token"
    was one)."""
    auth.login(role)
    for url in PAGES[role]:
        html = client.get(url).get_data(as_text=True)
        bare = [tag for tag in re.findall(r"<button\b[^>]*>", html) if "class=" not in tag]
        assert not bare, f"{url}: {bare}"
