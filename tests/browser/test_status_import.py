"""An officer imports a UN status table through the upload form, then opens a party's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from tests.browser.test_officer_journey import DESKTOP, log_in
from tests.conftest import REPO

pytestmark = pytest.mark.browser

UNTC = REPO / "fixtures" / "untc"


def test_an_officer_imports_a_status_table_and_opens_the_party_page(
    live_server: LiveServer, browser: Any, artifacts: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    log_in(page, live_server, "officer.depositary")
    page.get_by_role("link", name="Import status table").click()
    page.get_by_label("Status table (CSV)").set_input_files(str(UNTC / "paris-agreement.csv"))
    page.get_by_label("Treaty description (JSON)").set_input_files(
        str(UNTC / "paris-agreement.json")
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"{live_server.url}/agreements/XXVII-7-d")
    notice = page.locator(".notice-success").inner_text()
    assert "recorded 47 events" in notice, notice
    assert "Bolivia (Plurinational State of)" in page.content()
    page.screenshot(path=str(artifacts / "status-import-agreement.png"), full_page=True)

    page.goto(f"{live_server.url}/agreements")
    page.get_by_role("link", name="AUT", exact=True).first.click()
    page.wait_for_url(f"{live_server.url}/parties/AUT")
    row = page.locator("#party-agreements tbody tr").first
    text = row.inner_text()
    assert "XXVII-7-d" in text and "22 April 2016" in text and "5 October 2016" in text, text
    page.screenshot(path=str(artifacts / "status-import-party.png"), full_page=True)

    page.get_by_role("link", name="Import status table").click()
    bad = artifacts / "bad-status.csv"
    bad.write_text('Participant,Signature,"Ratification"\nNarnia,22 Apr 2016,\n', encoding="utf-8")
    page.get_by_label("Status table (CSV)").set_input_files(str(bad))
    page.get_by_label("Treaty description (JSON)").set_input_files(
        str(UNTC / "paris-agreement.json")
    )
    page.get_by_role("button", name="Import").click()
    problems = page.locator("#import-problems").inner_text()
    assert "line 2: unknown participant 'Narnia'" in problems, problems
    context.close()
