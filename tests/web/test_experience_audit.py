"""The auditor's pages as an auditor reads them (issue 14): nothing recorded yet, changes
before the late rows, exact instants, report names with the instant, CSV tables per kind."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from flask.testing import FlaskClient

from tests.web.audit_story import TRANSIT
from tests.web.test_audit import BACKDATED, auditor, page, settings, story_home  # noqa: F401


def test_known_at_before_anything_was_recorded_says_so(auditor: FlaskClient) -> None:  # noqa: F811
    html = page(auditor, "/audit?as_of=2026-02-20&known_at=2020-01-01")
    assert "Nothing had been recorded by" in html
    assert "No agreement matches" not in html


def test_a_filter_that_matches_nothing_still_says_no_agreement_matches(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    html = page(auditor, "/audit?as_of=2026-02-20&q=no-such-words")
    assert "No agreement matches" in html and "Nothing had been recorded" not in html


def test_the_diff_shows_changes_before_the_collapsed_late_rows(auditor: FlaskClient) -> None:  # noqa: F811
    html = page(auditor, BACKDATED)
    changes = html.index("<h3>Changes by agreement</h3>")
    late = html.index('<details class="late-block">')
    assert changes < late
    assert '<details class="late-block" open' not in html


def test_instants_are_shown_to_the_microsecond_and_typed_back_as_shown(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    html = page(auditor, f"{BACKDATED}&party=KAZ")
    assert "2026-03-03 10:00:00.001000 UTC" in html
    shown = page(auditor, "/audit?as_of=2026-02-20&known_at=2026-03-03 10:00:00.001000 UTC")
    assert "as known at <time" in shown and "10:00:00.001000 UTC" in shown


def test_the_known_at_box_is_wide_enough_for_an_instant(auditor: FlaskClient) -> None:  # noqa: F811
    html = page(auditor, "/audit")
    assert re.search(r'id="known_at"[^>]*class="input-instant"', html)
    with auditor.get("/static/registry.css") as response:
        css = response.get_data(as_text=True)
    width = re.search(r"input\.input-instant \{ width: (\d+)ch", css)
    assert width and int(width.group(1)) >= len("2026-03-01T12:00:00.123456Z")


def test_the_report_file_name_carries_the_known_at_instant(auditor: FlaskClient) -> None:  # noqa: F811
    response = auditor.get("/audit/report.json?as_of=2026-02-20&known_at=2026-03-05T12:00:00Z")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "audit-report-2026-02-20-2026-02-20-known-20260305T120000.000000Z.json" in disposition


def test_the_csv_tables_are_one_per_kind_with_labels_and_party_dates(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    response = auditor.get(
        "/audit/report.zip?as_of=2026-02-20&known_from=2026-03-01&known_to=2026-03-15&party=KAZ"
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"agreements.csv", "parties.csv", "changes.csv", "events.csv", "query.csv"} <= names

    def rows(name: str) -> list[dict[str, str]]:
        text = archive.read(name).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    agreement = next(r for r in rows("agreements.csv") if r["reference"] == TRANSIT)
    assert (agreement["status_after"], agreement["status_after_label"]) == ("signed", "Signed")
    pakistan = next(r for r in rows("parties.csv") if r["party"] == "PAK")
    assert pakistan["party_name"] == "Pakistan"
    assert pakistan["signed"] == "2026-02-03" and pakistan["consented"] == "2026-02-15"
    assert pakistan["status_after_label"] == "Bound"
    for name in names - {"README.txt"}:
        assert all("{" not in value for row in rows(name) for value in row.values() if value), name
    change = next(r for r in rows("changes.csv") if r["change"] == "consent")
    assert change["change_label"] and change["late_days"] == "16"
