"""An auditor in a real browser: the registry as of a date and as known at an instant, the
changes between two instants (a ratification recorded late, a signature re-dated), the full
verification, the deadlines, and the report downloaded and verified offline."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from registry.ledger.bundle import load_anchors
from registry.store.reads.audit_document import verify_report
from registry.web import create_app
from tests.browser.conftest import LiveServer
from tests.conftest import settings_for
from tests.web.audit_story import TRANSIT, build_story

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def story_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The live server of conftest.py, on the auditors' story (recorded in early 2026)."""
    settings = build_story(settings_for(tmp_path / "instance"))
    app = create_app({"REGISTRY_SETTINGS": settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", settings, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["registry"].close()


def log_in(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/audit")
    assert "/login" in page.url
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/audit")


def shot(target: Any, artifacts: Path, name: str, *, full_page: bool = True) -> None:
    """A page (whole) or one element."""
    options = {"full_page": True} if full_page else {}
    target.screenshot(path=str(artifacts / f"audit-{name}.png"), **options)


def test_an_auditor_replays_compares_verifies_and_downloads_the_report(
    story_server: LiveServer, browser: Any, artifacts: Path, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    log_in(page, story_server)

    # Pick a date and a "known at" instant: the report as it could have been printed on 1 March.
    page.get_by_label("As of date").fill("2026-02-20")
    page.get_by_label("Known at (UTC, optional)").fill("2026-03-01")
    page.get_by_label("Party").select_option("KAZ")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/audit?*")
    row = page.locator("table.list tbody tr", has_text=TRANSIT)
    assert "PAK Signed" in row.inner_text()  # the ratification of 15 Feb was not recorded yet
    shot(page, artifacts, "01-as-of-desktop")

    # Compare with what the registry knew on 15 March about the same day.
    page.get_by_role("link", name="Compare with another date").click()
    page.wait_for_url("**/audit/diff?*")
    assert page.get_by_label("To date").input_value() == "2026-02-20"
    assert page.get_by_label("Second instant").input_value() == "2026-03-01"
    page.get_by_label("From date").fill("2026-02-20")
    page.get_by_label("First instant").fill("2026-03-01")
    page.get_by_label("Second instant").fill("2026-03-15")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/audit/diff?*")
    changes = page.locator(f"#agreement-{TRANSIT}")
    assert "16 days" in changes.inner_text()
    assert "Corrected" in changes.inner_text()
    page.locator(".late-block > summary").click()  # collapsed below the changes
    late = page.locator(".late-block .table-scroll")
    assert "Consent to be bound: ratification" in late.inner_text()
    shot(page, artifacts, "02-diff-desktop")

    # Download the report: it verifies offline with the published keys.
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download the report (JSON, verifiable)").click()
    path = tmp_path / "report.json"
    json_download.value.save_as(path)
    assert json_download.value.suggested_filename == (
        "audit-report-2026-02-20-2026-02-20-known-20260301T235959.999999Z-20260315T235959.999999Z.json"
    )
    document = json.loads(path.read_text())
    anchors, verifier = load_anchors(story_server.settings.keys_dir)
    assert verify_report(document, anchors, verifier).ok
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Single CSV (for programs)").click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    assert ",consent,,,2026-02-15," in Path(csv_download.value.path()).read_text()

    page.get_by_role("link", name="Printable report").click()
    page.wait_for_url("**/audit/report?*")
    assert page.locator("pre.note").is_visible()
    shot(page, artifacts, "03-report-desktop")
    page.emulate_media(media="print")
    shot(page, artifacts, "04-report-print")
    page.emulate_media(media="screen")

    # Run the full verification.
    page.get_by_role("link", name="Verify everything").click()
    page.get_by_role("button", name="Run the verification").click()
    page.wait_for_url("**/audit/verify")
    assert "Everything verified" in page.locator(".verdict").inner_text()
    assert page.locator("table.checks tbody tr").count() == 6
    shot(page, artifacts, "05-verify-desktop")

    page.get_by_role("link", name="Deadlines").click()
    page.get_by_label("From date").fill("2026-06-15")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/audit/deadlines?*")
    assert "Withdrawal takes effect" in page.locator("table.list").inner_text()
    shot(page, artifacts, "06-deadlines-desktop")
    context.close()

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    small = phone.new_page()
    log_in(small, story_server)
    shot(small, artifacts, "07-as-of-phone")
    small.goto(
        f"{story_server.url}/audit/diff?from=2026-02-20&to=2026-02-20"
        "&known_from=2026-03-01&known_to=2026-03-15&party=KAZ"
    )
    shot(small, artifacts, "08-diff-phone")
    shot(
        small.locator(f"#agreement-{TRANSIT}"), artifacts, "08-diff-changes-phone", full_page=False
    )
    small.goto(f"{story_server.url}/audit/verify")
    small.get_by_role("button", name="Run the verification").click()
    small.wait_for_url("**/audit/verify")
    shot(small, artifacts, "09-verify-phone")
    small.goto(f"{story_server.url}/audit/deadlines?as_of=2026-06-15")
    shot(small, artifacts, "10-deadlines-phone")
    phone.close()
