"""Every page type in a real browser (issue 14): axe-core finds no serious or critical
violation; screenshots at 1280 px and 390 px in each language go to test-artifacts/; the
error summary takes the focus; the timeline scrolls on a phone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from registry.web import create_app
from tests.browser.conftest import LiveServer
from tests.conftest import settings_for
from tests.web.audit_story import TRANSIT, build_story

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "ru", "kk", "ur")
OFFICER_PAGES = {
    "list": "/agreements",
    "agreement": f"/agreements/{TRANSIT}",
    "agreement-past": f"/agreements/{TRANSIT}?as_of=2026-02-10&known_at=2026-03-05",
    "record-form": f"/agreements/{TRANSIT}/record/Signed",
    "correct-form": f"/agreements/{TRANSIT}/events/2/correct",
    "draft-form": "/agreements/new",
    "party": "/parties/KAZ",
    "import": "/imports/status",
    "tokens": "/admin/tokens",
    "not-found": "/agreements/NO-SUCH-REFERENCE",
}
AUDITOR_PAGES = {
    "audit": "/audit?as_of=2026-02-20",
    "audit-nothing-yet": "/audit?as_of=2026-02-20&known_at=2020-01-01",
    "diff": "/audit/diff?from=2026-02-20&to=2026-02-20&known_from=2026-03-01&known_to=2026-03-15",
    "verify": "/audit/verify",
    "deadlines": "/audit/deadlines?as_of=2026-06-15",
    "report": "/audit/report?from=2026-02-01&to=2026-05-31",
    "admin-trail": "/audit/admin-trail",
}
ADMIN_PAGES = {"users": "/admin/users", "keys": "/admin/keys"}


@pytest.fixture(scope="module")
def story_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = build_story(settings_for(tmp_path_factory.mktemp("pages") / "instance"))
    # This module logs in once per language and width, dozens of times a minute on a fast run:
    # the pages are under test here, not the login limit (tests/web and tests/e2e test that).
    app = create_app(
        {"REGISTRY_SETTINGS": settings, "REGISTRY_LOGIN_RATE_LIMIT": "1000 per minute"}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", settings, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["registry"].close()


@pytest.fixture(scope="module")
def module_browser() -> Iterator[Any]:
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _need_browser

    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def logged_in(browser: Any, server: LiveServer, who: str, language: str, size: str) -> Any:
    context = browser.new_context(viewport=WIDTHS[size], locale=language)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.locator("#username").fill(who)
    page.locator("#password").fill("demo-password")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    return page


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


ROLES = (("officer.islamabad", OFFICER_PAGES), ("auditor", AUDITOR_PAGES), ("admin", ADMIN_PAGES))


@pytest.mark.slow
def test_every_page_type_has_no_serious_accessibility_violation(
    module_browser: Any, story_server: LiveServer
) -> None:
    found: dict[str, list[str]] = {}
    for language in ("en", "ur"):
        context = module_browser.new_context(locale=language)
        login = context.new_page()
        login.goto(f"{story_server.url}/login")
        found[f"login/{language}"] = serious(login)
        context.close()
        for who, pages in ROLES:
            page = logged_in(module_browser, story_server, who, language, "desktop")
            for name, url in pages.items():
                page.goto(story_server.url + url)
                found[f"{name}/{language}"] = serious(page)
            page.context.close()
    bad = {name: problems for name, problems in found.items() if problems}
    assert not bad, bad


@pytest.mark.slow
def test_screenshots_of_every_page_type_in_each_language_and_width(
    module_browser: Any, story_server: LiveServer, artifacts: Path
) -> None:
    folder = artifacts / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    for language in LANGUAGES:
        for size in WIDTHS:
            context = module_browser.new_context(viewport=WIDTHS[size], locale=language)
            login = context.new_page()
            login.goto(f"{story_server.url}/login")
            assert login.locator("html").get_attribute("lang") == language
            login.screenshot(path=str(folder / f"login-{language}-{size}.png"), full_page=True)
            context.close()
            for who, pages in ROLES:
                page = logged_in(module_browser, story_server, who, language, size)
                for name, url in pages.items():
                    page.goto(story_server.url + url)
                    shot = folder / f"{name}-{language}-{size}.png"
                    page.screenshot(path=str(shot), full_page=True)
                page.context.close()
    assert len(list(folder.glob("*.png"))) == (1 + sum(len(p) for _, p in ROLES)) * 8


def test_the_error_summary_takes_the_focus(module_browser: Any, story_server: LiveServer) -> None:
    page = logged_in(module_browser, story_server, "auditor", "en", "desktop")
    page.goto(f"{story_server.url}/audit?as_of=2026-02-31")
    focused = page.evaluate("document.activeElement.className")
    assert "error-summary" in focused
    page.context.close()


def test_the_timeline_scrolls_sideways_on_a_phone(
    module_browser: Any, story_server: LiveServer
) -> None:
    page = logged_in(module_browser, story_server, "officer.islamabad", "en", "phone")
    page.goto(f"{story_server.url}/agreements/{TRANSIT}")
    scroller = page.locator(".timeline-scroll")
    width, inner = scroller.evaluate("e => [e.clientWidth, e.scrollWidth]")
    assert inner > width  # the drawing keeps a readable size and scrolls
    assert page.locator(".scroll-hint").is_visible()
    label_px = page.locator(".lane-label").first.evaluate("e => e.getBoundingClientRect().height")
    assert label_px >= 11  # not shrunk to 9 px
    page.context.close()


def test_no_page_is_wider_than_a_phone_in_any_direction(
    module_browser: Any, story_server: LiveServer
) -> None:
    wide = []
    for language in LANGUAGES:
        for who, pages in ROLES:
            page = logged_in(module_browser, story_server, who, language, "phone")
            for url in pages.values():
                page.goto(story_server.url + url)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide.append((language, url, width))
            page.context.close()
    assert not wide, wide


# The width a select's own text may take: its box less the padding and the arrow.
CUT_OFF_SELECTS = """() => {
  const pen = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('select')].filter(s => s.offsetParent !== null)
    .map(s => {
      const style = getComputedStyle(s);
      pen.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : '';
      const room = s.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight) - 20;
      return [s.id || s.name, text, Math.round(pen.measureText(text).width), Math.round(room)];
    })
    .filter(([, , needed, room]) => needed > room);
}"""
FILTER_PAGES = {
    "officer.islamabad": [
        "/agreements",
        "/parties/KAZ",
        f"/agreements/{TRANSIT}/events/2/correct",
        f"/agreements/{TRANSIT}",
    ],
    "auditor": ["/audit?as_of=2026-02-20", "/audit/deadlines?as_of=2026-06-15"],
}


def test_no_choice_is_cut_off_in_its_box_in_any_language_or_width(
    module_browser: Any, story_server: LiveServer
) -> None:
    """Seen on the screenshots: "Обязывающее ил…" in the list's filters at 1280 px, and the
    correction's "Заменить: новая дата и/или новые знач…" at 390 px."""
    cut = []
    for language in LANGUAGES:
        for size in WIDTHS:
            for who, urls in FILTER_PAGES.items():
                page = logged_in(module_browser, story_server, who, language, size)
                for url in urls:
                    page.goto(story_server.url + url)
                    cut += [(language, size, url, *s) for s in page.evaluate(CUT_OFF_SELECTS)]
                page.context.close()
    assert not cut, "\n".join(map(str, cut))


def test_dates_and_codes_inside_sentences_stay_on_one_line_left_to_right(
    module_browser: Any, story_server: LiveServer
) -> None:
    """Seen on the screenshots: in Urdu "2026-03-01T12:00" broke at a hyphen and its parts
    swapped; in Russian a hint's "2026-02-03" broke after "2026-02-"."""
    split = []
    for language in ("ur", "ru"):
        page = logged_in(module_browser, story_server, "officer.islamabad", language, "phone")
        for url in (f"/agreements/{TRANSIT}", f"/agreements/{TRANSIT}/record/Signed"):
            page.goto(story_server.url + url)
            runs = page.locator("bdi.ltr")
            assert runs.count() > 0, (language, url)
            split += [
                (language, url, text)
                for text, lines, direction in page.evaluate(
                    "() => [...document.querySelectorAll('bdi.ltr')].map(e =>"
                    " [e.textContent, e.getClientRects().length, getComputedStyle(e).direction])"
                )
                if lines != 1 or direction != "ltr"
            ]
        page.context.close()
    assert not split, split


def test_a_checkbox_sits_beside_its_label_on_a_phone(
    module_browser: Any, story_server: LiveServer
) -> None:
    """Seen on the screenshots: "Multilateral (more than two parties may join)" wrapped onto
    the line under its box, in every language."""
    for language in LANGUAGES:
        page = logged_in(module_browser, story_server, "officer.islamabad", language, "phone")
        page.goto(f"{story_server.url}/agreements/new")
        box = page.locator(".checkbox input").first.bounding_box()
        label = page.locator(".checkbox label").first.bounding_box()
        assert box and label
        assert label["y"] <= box["y"] + box["height"] / 2 <= label["y"] + label["height"], language
        page.context.close()
