"""The auditor's workspace: the registry as of a date, two views compared, the verification,
the report (JSON that verifies offline, CSV, print) and deadlines, on the story in
audit_story.py: a ratification recorded late and a signature date corrected later."""

from __future__ import annotations

import csv
import html as markup
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import text

from registry.cli import main
from registry.ledger.bundle import load_anchors, verify_bundle
from registry.store.application import Registry
from registry.store.reads.audit_document import verify_report
from registry.store.settings import Settings
from tests.conftest import settings_for
from tests.web.audit_story import CORRECTION_REASON, RAIL, ROADMAP, TRANSIT, build_story
from tests.web.conftest import Auth, csrf_token

AUDITORS = {"auditor", "admin"}
BACKDATED = "/audit/diff?from=2026-02-20&to=2026-02-20&known_from=2026-03-01&known_to=2026-03-05"
CORRECTED = "/audit/diff?as_of=2026-02-20&known_from=2026-03-05&known_to=2026-03-15"
SPRING = "from=2026-02-01&to=2026-05-31&party=KAZ"
GETS = [
    "/audit",
    "/audit?as_of=2026-02-20&known_at=2026-03-01&party=KAZ",
    "/audit/diff",
    BACKDATED,
    "/audit/verify",
    f"/audit/report?{SPRING}",
    f"/audit/report.json?{SPRING}",
    f"/audit/report.csv?{SPRING}",
    "/audit/deadlines?as_of=2026-06-15",
]


@pytest.fixture(scope="session")
def story_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("audit-story") / "instance"
    build_story(settings_for(home))
    return home


@pytest.fixture
def settings(story_home: Path, tmp_path: Path) -> Settings:
    """Each test on its own copy of the story (overrides the web conftest's `settings`)."""
    home = tmp_path / "instance"
    shutil.copytree(story_home, home)
    return settings_for(home)


@pytest.fixture
def auditor(client: FlaskClient, auth: Auth) -> FlaskClient:
    auth.login("auditor")
    return client


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def plain(html: str) -> str:
    """The page's text, tags removed and spaces collapsed, for reading as a person does."""
    words = re.sub(r"\s+", " ", markup.unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([,.])", r"\1", words)


def section(html: str, reference: str) -> str:
    found = re.search(
        rf'<article class="agreement-changes" id="agreement-{reference}".*?</article>', html, re.S
    )
    assert found, f"no changes shown for {reference}"
    return plain(found.group(0))


def report_json(client: FlaskClient, query: str) -> dict[str, Any]:
    response = client.get(f"/audit/report.json?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data())


def verified(document: object, settings: Settings) -> list[str]:
    anchors, verifier = load_anchors(settings.keys_dir)
    return verify_report(document, anchors, verifier).problems


# -- who may see it ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", GETS)
@pytest.mark.parametrize("role", ["anonymous", "auditor", "officer", "admin"])
def test_only_auditors_and_admins_see_the_audit_pages(
    client: FlaskClient, auth: Auth, url: str, role: str
) -> None:
    if role != "anonymous":
        auth.login(role)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    elif role in AUDITORS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "You may not do this" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["anonymous", "auditor", "officer", "admin"])
def test_only_auditors_and_admins_run_the_verification(
    client: FlaskClient, auth: Auth, role: str
) -> None:
    if role != "anonymous":
        auth.login(role)
    token = csrf_token(client, "/login" if role == "anonymous" else "/agreements")
    response = client.post("/audit/verify", data={"csrf_token": token})
    expected = {"anonymous": 302, "officer": 403}.get(role, 200)
    assert response.status_code == expected


def test_the_verification_needs_a_csrf_token(auditor: FlaskClient) -> None:
    assert auditor.post("/audit/verify").status_code == 400


@pytest.mark.parametrize(
    ("role", "shown"), [("auditor", True), ("admin", True), ("officer", False)]
)
def test_the_audit_link_is_in_the_menu_for_auditors_and_admins(
    client: FlaskClient, auth: Auth, role: str, shown: bool
) -> None:
    auth.login(role)
    assert ('href="/audit"' in page(client, "/agreements")) is shown


# -- the registry as of a date -----------------------------------------------------------------


def test_the_registry_as_of_a_date_as_known_before_the_backdated_ratification(
    auditor: FlaskClient,
) -> None:
    html = plain(page(auditor, "/audit?as_of=2026-02-20&known_at=2026-03-01&party=KAZ"))
    assert "2 agreements on 20 February 2026, as known at 2026-03-01 23:59:59.999999 UTC." in html
    assert f"{TRANSIT} Agreement on Transit Trade" in html
    assert "PAK Signed KAZ Signed" in html  # Pakistan's ratification was not known yet
    assert f"{ROADMAP} Five-Year Trade Roadmap" in html  # drafted that day
    assert RAIL not in html
    known_later = plain(page(auditor, "/audit?as_of=2026-02-20&party=KAZ"))
    assert "PAK Bound KAZ Signed" in known_later


def test_the_registry_as_of_a_date_lists_every_agreement_with_counts_by_status(
    auditor: FlaskClient,
) -> None:
    html = page(auditor, "/audit?as_of=2026-06-15")
    text_ = plain(html)
    assert "3 agreements on 15 June 2026" in text_
    for reference in (TRANSIT, ROADMAP, RAIL):
        assert f"/agreements/{reference}?as_of=2026-06-15" in html
    assert "All 3" in text_ and "In force 1" in text_ and "Signed 1" in text_ and "Draft 1" in text_


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("party=UZB", [RAIL]),
        ("kind=roadmap", [ROADMAP]),
        ("character=binding", [TRANSIT, RAIL]),
        ("status=in_force", [TRANSIT]),
        ("q=rail", [RAIL]),
        ("as_of=2026-02-15", [TRANSIT, RAIL]),
    ],
)
def test_the_filters_are_the_lists_filters(
    auditor: FlaskClient, query: str, listed: list[str]
) -> None:
    as_of = "" if "as_of" in query else "&as_of=2026-06-15"
    html = page(auditor, f"/audit?{query}{as_of}")
    shown = re.findall(r'<td data-label="Reference"><a href="[^"]+">([^<]+)</a>', html)
    assert shown == listed


def test_bad_dates_are_explained_not_failed(auditor: FlaskClient) -> None:
    html = plain(page(auditor, "/audit?as_of=2026-02-30&known_at=soon", status=400))
    assert "As of: Enter a date like 2026-06-01." in html
    assert "Known at: Enter an instant" in html


# -- comparing two views -----------------------------------------------------------------------


def test_the_backdated_ratification_shows_between_two_known_at_instants_and_how_late(
    auditor: FlaskClient,
) -> None:
    html = page(auditor, f"{BACKDATED}&party=KAZ")
    changes = section(html, TRANSIT)
    assert "Consent to be bound PAK ratification" in changes
    assert "15 February 2026" in changes
    assert "2026-03-03 10:00:00.001000 UTC event 4" in changes
    assert "16 days" in changes
    assert "Signed Bound" not in changes and "Signed → Bound" not in changes  # agreement stays
    late = plain(html.split('<details class="late-block">')[1].split("</table>")[0])
    assert f"{TRANSIT} Consent to be bound: ratification PAK 15 February 2026" in late
    assert "16 days" in late


def test_the_corrected_signature_date_shows_as_re_dated_with_the_correction_and_its_reason(
    auditor: FlaskClient,
) -> None:
    changes = section(page(auditor, f"{CORRECTED}&party=KAZ"), TRANSIT)
    assert "3 February 2026 was 2 February 2026 Signed KAZ" in changes
    assert "2026-03-10 10:00:00.001000 UTC event 5" in changes
    assert "Corrected KAZ corrected event 3 (Signed), now effective 2026-02-03" in changes
    assert CORRECTION_REASON in changes


def test_between_two_dates_every_act_is_listed_with_the_status_change(
    auditor: FlaskClient,
) -> None:
    html = page(auditor, f"/audit/diff?{SPRING}")
    changes = section(html, TRANSIT)
    assert "Draft → became In force" in changes
    for words in (
        "Signed KAZ simple, by Minister",
        "Signed PAK simple, by Minister",
        "Consent to be bound PAK ratification",
        "Consent to be bound KAZ ratification",
        "Entered into force All",
    ):
        assert words in changes
    assert "Withdrawal" not in changes  # notified on 1 June, after the second date
    assert RAIL not in html  # not a KAZ agreement


def test_two_identical_views_have_no_changes(auditor: FlaskClient) -> None:
    html = plain(page(auditor, "/audit/diff?from=2026-06-15&to=2026-06-15&party=KAZ"))
    assert "Both views are the same." in html
    unchanged = plain(page(auditor, "/audit/diff?from=2026-06-15&to=2026-06-20&party=KAZ"))
    assert "Nothing changed between these two views for the 2 agreements compared." in unchanged


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-06-01&to=2026-02-01", "the first date must not be after the second"),
        (
            "known_from=2026-04-01&known_to=2026-03-01",
            "the first 'known at' instant must not be after the second",
        ),
        ("from=June", "From: Enter a date like 2026-06-01."),
    ],
)
def test_views_out_of_order_or_unreadable_are_explained(
    auditor: FlaskClient, query: str, message: str
) -> None:
    assert message in plain(page(auditor, f"/audit/diff?{query}", status=400))


# -- the report --------------------------------------------------------------------------------


def test_the_json_report_verifies_with_the_published_keys(
    auditor: FlaskClient, settings: Settings
) -> None:
    document = report_json(auditor, f"{SPRING}&known_to=2026-06-30")
    assert verified(document, settings) == []
    anchors, verifier = load_anchors(settings.keys_dir)
    bundle = verify_bundle(document["bundle"], anchors, verifier)
    assert bundle.ok and bundle.events == 8 + 3  # the transit agreement's and the roadmap's
    report = document["report"]
    assert report["generated_by"] == "auditor"
    assert report["query"]["after"] == {  # no later than the checkpoint's last event
        "as_of": "2026-05-31",
        "known_at": "2026-06-02T10:00:00.001000Z",
    }
    assert report["checkpoint"]["note"] == document["bundle"]["checkpoint"]
    assert [a["reference"] for a in report["agreements"]] == [TRANSIT, ROADMAP]


def test_a_json_report_known_now_is_pinned_to_its_checkpoint(
    auditor: FlaskClient, settings: Settings
) -> None:
    report = report_json(auditor, SPRING)["report"]
    assert report["query"]["after"]["known_at"] == report["query"]["before"]["known_at"]
    assert report["query"]["after"]["known_at"].startswith("2026-06-02T10:00:00")  # the last event
    assert report["checkpoint"]["size"] == 3 + 1 + 8 + 3 + 2  # keyring, then the agreements


def test_the_json_report_holds_the_backdated_ratification_and_the_correction(
    auditor: FlaskClient, settings: Settings
) -> None:
    document = report_json(
        auditor, "from=2026-02-20&to=2026-02-20&known_from=2026-03-01&known_to=2026-03-15&party=KAZ"
    )
    assert verified(document, settings) == []
    transit = document["report"]["agreements"][0]
    changes = {(c["kind"], c["party"]): c for c in transit["changes"]}
    ratified = changes[("consent", "PAK")]
    assert (ratified["effective"], ratified["recorded"], ratified["late_days"]) == (
        "2026-02-15",
        "2026-03-03T10:00:00.001000Z",
        16,
    )
    redated = changes[("signed", "KAZ")]
    assert (redated["effective"], redated["previous"], redated["version"]) == (
        "2026-02-03",
        "2026-02-02",
        5,
    )
    assert changes[("corrected", "KAZ")]["detail"].endswith(CORRECTION_REASON)
    events = transit["events"]
    assert [e["version"] for e in events] == list(range(1, 9))
    assert events[3]["actor"] == "officer.islamabad" and re.fullmatch(
        r"[0-9a-f]{16}", events[3]["keyid"]
    )
    assert [e["leaf_index"] for e in events] == sorted(e["leaf_index"] for e in events)
    assert (events[3]["in_before"], events[3]["in_after"]) == (False, True)
    assert transit["state_before"]["parties"][0]["consent"] is None
    assert transit["state_after"]["parties"][0]["consent"] == "ratification"


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        (
            ("agreements", 0, "changes", 1, "late_days"),
            3,
            "changes[1].late_days: the report says 3",
        ),
        (("agreements", 0, "status_after"), "draft", 'status_after: the report says "draft"'),
        (("agreements", 0, "events", 3, "actor"), "officer.astana", "events[3].actor"),
        (("query", "before", "known_at"), "2026-03-04T00:00:00.000000Z", "state_before"),
        (("summary", "recorded_late"), 0, "summary.recorded_late"),
    ],
)
def test_a_tampered_report_fails_and_says_where(
    auditor: FlaskClient, settings: Settings, path: tuple[Any, ...], value: Any, complaint: str
) -> None:
    document = report_json(
        auditor, "as_of=2026-02-20&known_from=2026-03-01&known_to=2026-03-15&party=KAZ"
    )
    target = document["report"]
    for key in path[:-1]:
        target = target[key]
    assert target[path[-1]] != value
    target[path[-1]] = value
    problems = verified(document, settings)
    assert problems
    assert any(complaint in p for p in problems), problems


def test_a_report_whose_events_were_tampered_with_fails(
    auditor: FlaskClient, settings: Settings
) -> None:
    document = report_json(auditor, SPRING)
    record = document["bundle"]["events"][3]
    record["index"] += 1
    problems = verified(document, settings)
    assert any("inclusion" in p or "index" in p for p in problems), problems
    assert problems[-1] == "the report was not recomputed: its events do not verify"


def test_registry_verify_bundle_checks_a_report(
    auditor: FlaskClient, settings: Settings, tmp_path: Path
) -> None:
    document = report_json(auditor, SPRING)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(document))
    keys = str(settings.keys_dir)
    ok = CliRunner().invoke(main, ["verify-bundle", str(path), "--keys", keys])
    assert ok.exit_code == 0, ok.output
    assert "the report's states, changes and events are what these signed events give" in ok.output
    document["report"]["agreements"][0]["changes"][0]["detail"] = "nothing happened"
    path.write_text(json.dumps(document))
    tampered = CliRunner().invoke(main, ["verify-bundle", str(path), "--keys", keys])
    assert tampered.exit_code == 1
    assert 'the report says "nothing happened"' in tampered.output


def test_the_csv_report_lists_states_changes_and_events(auditor: FlaskClient) -> None:
    response = auditor.get(
        "/audit/report.csv?as_of=2026-02-20&known_from=2026-03-01&known_to=2026-03-15&party=KAZ"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        'filename="audit-report-2026-02-20-2026-02-20-known-20260301T235959.999999Z-20260315T235959.999999Z.csv"'
        in response.headers["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    sections = [row["section"] for row in rows]
    assert sections[:2] == ["query", "checkpoint"]
    agreement = next(r for r in rows if r["section"] == "agreement" and r["reference"] == TRANSIT)
    assert (agreement["status_before"], agreement["status_after"]) == ("signed", "signed")
    pakistan = next(r for r in rows if r["section"] == "party" and r["party"] == "PAK")
    assert (pakistan["status_before"], pakistan["status_after"]) == ("signed", "bound")
    changes = {(r["kind"], r["party"]): r for r in rows if r["section"] == "change"}
    assert changes[("consent", "PAK")]["late_days"] == "16"
    assert changes[("consent", "PAK")]["recorded"] == "2026-03-03T10:00:00.001000Z"
    assert changes[("signed", "KAZ")]["previous"] == "2026-02-02"
    assert CORRECTION_REASON in changes[("corrected", "KAZ")]["detail"]
    events = [r for r in rows if r["section"] == "event" and r["reference"] == TRANSIT]
    assert len(events) == 8
    assert all(r["keyid"] and r["leaf_index"].isdigit() and r["actor"] for r in events)


def test_csv_cells_a_spreadsheet_would_run_are_quoted() -> None:
    from registry.store.reads.audit_document import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("Agreement") == "Agreement"
    assert _cell(16) == 16


def test_the_printable_report_shows_the_checkpoint_states_changes_and_events(
    auditor: FlaskClient,
) -> None:
    html = page(auditor, f"/audit/report?{SPRING}&known_to=2026-03-05")
    text_ = plain(html)
    assert "Audit report" in text_
    assert "test.registry.example/log" in html and '<pre class="note">' in html
    assert "registry verify-bundle report.json --keys keys/" in text_
    assert "Kazakhstan (KAZ) Listed Signed 2 February 2026" in text_  # known before correction
    assert "Pakistan (PAK) Listed Bound 3 February 2026 Ratification, 15 February 2026" in text_
    assert "Consent to be bound PAK ratification" in text_ and "16 days" in text_
    assert (
        "Consent expressed 15 February 2026 2026-03-03 10:00:00.001000 UTC officer.islamabad"
        in text_
    )
    assert "audit.css" in html  # its print styles


def test_a_report_too_large_for_the_web_is_refused_with_the_cli_named(
    auditor: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.web import audit

    monkeypatch.setattr(audit, "REPORT_LIMIT", 1)
    html = plain(page(auditor, "/audit/report.json?to=2026-06-15", status=400))
    assert "3 agreements match, more than the 1" in html
    assert "registry report" in html


def test_registry_report_writes_json_and_csv(settings: Settings, tmp_path: Path) -> None:
    env = {
        "REGISTRY_HOME": str(settings.home),
        "REGISTRY_KEYS_DIR": str(settings.keys_dir),
        "REGISTRY_LOG_ORIGIN": settings.log_origin,
    }
    runner = CliRunner()
    json_path, csv_path = tmp_path / "report.json", tmp_path / "report.csv"
    args = ["report", "--from", "2026-02-20", "--to", "2026-02-20", "--known-from", "2026-03-01"]
    made = runner.invoke(main, [*args, "--party", "KAZ", "-o", str(json_path)], env=env)
    assert made.exit_code == 0, made.output
    assert "2 agreements" in made.output
    document = json.loads(json_path.read_text())
    assert verified(document, settings) == []
    assert document["report"]["generated_by"].startswith("cli:")
    made = runner.invoke(main, [*args, "--format", "csv", "-o", str(csv_path)], env=env)
    assert made.exit_code == 0, made.output
    assert ",consent,,,2026-02-15," in csv_path.read_text()
    checked = runner.invoke(
        main, ["verify-bundle", str(json_path), "--keys", str(settings.keys_dir)]
    )
    assert checked.exit_code == 0, checked.output
    refused = runner.invoke(main, ["report", "--from", "2026-06-01", "--to", "2026-01-01"], env=env)
    assert refused.exit_code == 1
    assert "the first date must not be after the second" in refused.output


# -- verification ------------------------------------------------------------------------------


def test_the_verification_runs_every_check_and_names_the_checkpoint(auditor: FlaskClient) -> None:
    token = csrf_token(auditor, "/audit/verify")
    response = auditor.post("/audit/verify", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    text_ = plain(html)
    assert "Everything verified" in text_
    assert "17 events of 3 agreements checked" in text_
    for check in (
        "Signatures and keys",
        "Agreement chains",
        "Log order",
        "Log index",
        "Merkle tree",
        "Checkpoints",
    ):
        assert f"{check} ✓ passed" in text_
    assert "17 of 17 events read" in text_
    assert "covering 17 log entries" in text_
    assert "test.registry.example/log\n17\n" in html


def test_the_verification_reports_a_tampered_event(
    auditor: FlaskClient, registry: Registry
) -> None:
    with registry.transaction(commit=True) as session:
        state = session.execute(text("SELECT state FROM registry_events WHERE id = 10")).scalar()
        forged = bytes(state).replace(b'"payload":"', b'"payload":"A', 1)
        session.execute(text("UPDATE registry_events SET state = :s WHERE id = 10"), {"s": forged})
    token = csrf_token(auditor, "/audit/verify")
    text_ = plain(auditor.post("/audit/verify", data={"csrf_token": token}).get_data(as_text=True))
    assert "Verification FAILED" in text_
    assert "Signatures and keys ✗ failed notification 10" in text_
    assert "Merkle tree ✗ failed" in text_ or "Checkpoints ✗ failed" in text_


# -- deadlines ---------------------------------------------------------------------------------


def test_deadlines_from_a_date_list_the_withdrawal_and_the_milestones(auditor: FlaskClient) -> None:
    html = plain(page(auditor, "/audit/deadlines?as_of=2026-06-15"))
    assert "3 deadlines from 15 June 2026 over 365 days" in html
    assert (
        "31 May 2026 15 days overdue Milestone overdue "
        f"{ROADMAP} Five-Year Trade Roadmap All Joint trade committee meets (planned)"
    ) in html
    assert f"1 December 2026 169 days Withdrawal takes effect {TRANSIT}" in html
    assert "KAZ notified 2026-06-01" in html
    assert "31 December 2026 199 days Milestone due" in html


def test_deadlines_as_known_before_the_withdrawal_was_recorded(auditor: FlaskClient) -> None:
    html = plain(page(auditor, "/audit/deadlines?as_of=2026-06-15&known_at=2026-06-01&horizon=730"))
    assert "Withdrawal takes effect" not in html
    assert "2 deadlines" in html
    short = plain(page(auditor, "/audit/deadlines?as_of=2026-06-15&horizon=30&party=UZB"))
    assert "0 deadlines" in short and "Nothing falls due in this period." in short


def test_every_deadline_kind_the_declarations_schedule_has_a_label() -> None:
    from registry.domain.deadlines import DeadlineKind
    from registry.web.audit import DEADLINE_LABELS

    assert set(DEADLINE_LABELS) == set(DeadlineKind)


def test_a_deadlines_details_are_in_the_auditors_language(auditor: FlaskClient) -> None:
    token = csrf_token(auditor, "/audit")
    auditor.post("/language", data={"csrf_token": token, "language": "ru", "next": "/audit"})
    html = page(auditor, "/audit/deadlines?as_of=2026-06-15")
    assert "KAZ уведомление 1 июня 2026" in plain(html)  # was "notified 2026-06-01"
    assert "Joint trade committee meets (запланирован)" in plain(html)  # was "(planned)"
    assert "notified" not in plain(html) and "(planned)" not in plain(html)


def test_the_diffs_details_are_in_the_auditors_language(auditor: FlaskClient) -> None:
    token = csrf_token(auditor, "/audit")
    auditor.post("/language", data={"csrf_token": token, "language": "ru", "next": "/audit"})
    changes = section(page(auditor, f"{CORRECTED}&party=KAZ"), TRANSIT)
    assert "исправлено: событие 3 (" in changes  # the event's type by its Russian name
    # the date as Babel writes it in Russian, not as the English detail's ISO
    assert ", теперь вступает в силу 3 февраля 2026; причина: " in changes
    assert "corrected event" not in changes and "now effective" not in changes
    spring = section(page(auditor, f"/audit/diff?{SPRING}"), TRANSIT)
    assert "простая, подписал(а) Minister" in spring and "by Minister" not in spring
    assert "ратификация" in spring
