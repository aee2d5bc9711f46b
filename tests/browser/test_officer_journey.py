"""An officer's day in a real browser: draft, sign twice, ratify, add a milestone, correct an
event, look at the past, see the timeline; then every event verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from registry.store.application import Registry
from registry.store.events.verification import verify_store
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

REFERENCE = "PK-KZ-2026-101"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def log_in(page: Any, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/agreements")
    assert "/login" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/agreements")


def record(page: Any, server: LiveServer, type_name: str, fields: dict[str, str]) -> None:
    page.goto(f"{server.url}/agreements/{REFERENCE}/record/{type_name}")
    fill(page, fields)
    page.get_by_role("button", name="Record and sign").last.click()
    page.wait_for_url(f"**/agreements/{REFERENCE}#event-*")
    assert page.locator(".notice-success").count() == 1, page.content()


def fill(page: Any, fields: dict[str, str]) -> None:
    for selector, value in fields.items():
        element = page.locator(f"[name='{selector}']")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)


def test_an_officer_records_an_agreement_through_the_forms(
    live_server: LiveServer, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "officer.islamabad")
    page.screenshot(path=str(artifacts / "01-list-empty-desktop.png"), full_page=True)

    page.get_by_role("link", name="New agreement", exact=True).click()
    fill(
        page,
        {
            "reference": REFERENCE,
            "titles-0-text": "Agreement on Transit Trade",
            "titles-1-lang": "ur",
            "titles-1-text": "ٹرانزٹ تجارت کا معاہدہ",
            "titles-2-lang": "ru",
            "titles-2-text": "Соглашение о транзитной торговле",
            "kind": "agreement",
            "character": "binding",
            "parties-0-code": "PAK",
            "parties-0-name": "Pakistan",
            "parties-0-type": "state",
            "parties-1-code": "KAZ",
            "parties-1-name": "Kazakhstan",
            "parties-1-type": "state",
            "withdrawal_notice_months": "6",
            "effective": "2026-02",
            "source": "Joint communiqué of the state visit",
        },
    )
    page.screenshot(path=str(artifacts / "02-draft-form-desktop.png"), full_page=True)
    page.get_by_role("button", name="Draft the agreement").last.click()
    page.wait_for_url(f"**/agreements/{REFERENCE}")

    signature = {"signatory": "Minister", "capacity": "Minister of Foreign Affairs"}
    record(
        page,
        live_server,
        "Signed",
        {"party": "PAK", **signature, "place": "Islamabad", "effective": "2026-02-03"},
    )
    record(
        page,
        live_server,
        "Signed",
        {"party": "KAZ", **signature, "place": "Islamabad", "effective": "2026-02-03"},
    )

    # A refusal of the domain shows on the form, with what was typed kept.
    page.goto(f"{live_server.url}/agreements/{REFERENCE}/record/EnteredIntoForce")
    fill(page, {"effective": "2026-02-10"})
    page.get_by_role("button", name="Record and sign").last.click()
    assert page.locator(".error-summary.refusal").is_visible()
    assert page.locator("[name='effective']").input_value() == "2026-02-10"
    page.screenshot(path=str(artifacts / "03-domain-refusal-desktop.png"), full_page=True)

    record(
        page,
        live_server,
        "ConsentExpressed",
        {
            "party": "PAK",
            "instrument": "ratification",
            "effective": "2026-02-15",
            "source": "Instrument of ratification deposited",
        },
    )
    record(
        page,
        live_server,
        "MilestoneRecorded",
        {
            "title": "Joint working group on transit meets",
            "due": "2026-06",
            "effective": "2026-02-03",
        },
    )

    # Correct the date of Kazakhstan's signature (event 3).
    page.goto(f"{live_server.url}/agreements/{REFERENCE}")
    page.locator("#event-3").get_by_role("link", name="Correct this").click()
    fill(
        page,
        {
            "new_effective": "2026-02-04",
            "effective": "2026-03-01",
            "reason": "The signing ceremony in Astana was on 4 February",
        },
    )
    page.screenshot(path=str(artifacts / "04-correction-form-desktop.png"), full_page=True)
    page.get_by_role("button", name="Record the correction").last.click()
    page.wait_for_url(f"**/agreements/{REFERENCE}#event-*")
    assert "Corrected by event 6" in page.content()

    page.goto(f"{live_server.url}/agreements/{REFERENCE}")
    assert page.locator("svg.timeline-svg").is_visible()
    assert page.locator(".status-big").inner_text().strip().endswith("Signed")
    page.screenshot(path=str(artifacts / "05-agreement-page-desktop.png"), full_page=True)
    page.locator("svg.timeline-svg").screenshot(path=str(artifacts / "06-timeline-desktop.png"))

    # As of 10 February: signed by both, Pakistan not yet ratified; a banner says so.
    page.get_by_label("As of date").fill("2026-02-10")
    page.get_by_role("button", name="Show").click()
    banner = page.locator(".banner-past")
    assert banner.is_visible()
    assert "10 February 2026" in banner.inner_text()  # the day in words (Babel)
    pakistan = page.locator("table.status-table tbody tr").first
    assert "Ratification" not in pakistan.inner_text()
    page.screenshot(path=str(artifacts / "07-as-of-desktop.png"), full_page=True)
    page.get_by_role("link", name="Back to today").click()
    assert page.locator(".banner-past").count() == 0

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    small = phone.new_page()
    log_in(small, live_server, "auditor")
    small.screenshot(path=str(artifacts / "08-list-phone.png"))
    small.goto(f"{live_server.url}/agreements/{REFERENCE}")
    assert small.locator("text=Correct this").count() == 0  # auditors cannot write
    small.screenshot(path=str(artifacts / "09-agreement-page-phone.png"))
    parties = small.locator("section[aria-labelledby='parties-heading']")
    parties.screenshot(path=str(artifacts / "10-status-by-party-phone.png"))
    small.locator("#event-6").screenshot(path=str(artifacts / "11-history-event-phone.png"))
    small.locator("figure.timeline").screenshot(path=str(artifacts / "12-timeline-phone.png"))
    small.goto(f"{live_server.url}/agreements/{REFERENCE}/record/Signed")
    assert "You may not do this" in small.content()
    phone.close()
    context.close()

    registry = Registry(live_server.settings, can_sign=False)
    try:
        report = verify_store(registry)
    finally:
        registry.close()
    assert report.ok, report.problems
    assert report.events >= 7
