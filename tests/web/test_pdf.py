"""Printable PDFs (issue 14): the audit report and an agreement's status table, each with
the verification summary and the signed checkpoint it was checked against.

The PDFs are read back as text (pypdf), so what is asserted is what a reader of the printed
page sees: the checkpoint's origin, size and root hash as the log serves them, the verdict of
each check, and the status table's rows."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import text

from registry.store.application import Registry
from tests.web.audit_story import TRANSIT
from tests.web.test_audit import auditor, settings, story_home  # noqa: F401

REPORT = "/audit/report.pdf?from=2026-02-01&to=2026-05-31&party=KAZ"
STATUS = f"/agreements/{TRANSIT}/status.pdf"
CHECKS = (
    "signatures and keys",
    "agreement chains",
    "log order",
    "log index",
    "merkle tree",
    "checkpoints",
)


def pdf_text(client: FlaskClient, url: str) -> str:
    """The text of every page of the PDF at `url`, white space folded to single spaces."""
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    pages = PdfReader(io.BytesIO(body)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))


def served_checkpoint(client: FlaskClient) -> tuple[str, str, str]:
    """The origin, size and root hash of the checkpoint the log serves now."""
    origin, size, root = client.get("/api/v1/log/checkpoint").get_data(as_text=True).split("\n")[:3]
    return origin, size, root


def assert_verified_against_the_served_checkpoint(client: FlaskClient, printed: str) -> None:
    assert "Verification Intact: 17 events, 3 agreements, checked " in printed
    for check in CHECKS:
        assert f"{check}: ok" in printed
    origin, size, root = served_checkpoint(client)
    assert (origin, size) == ("test.registry.example/log", "17")
    assert f"Checked against the signed checkpoint: {origin} {size} {root} — {origin} " in printed


def test_the_audit_report_pdf_carries_the_verification_and_the_checkpoint(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    printed = pdf_text(auditor, REPORT)
    assert_verified_against_the_served_checkpoint(auditor, printed)
    assert "Audit report From 1 February 2026, as known at" in printed
    assert "Filters party KAZ" in printed and "Changes 9 (3 recorded late)" in printed
    assert f"{TRANSIT} Agreement on Transit Trade" in printed


def test_the_audit_report_pdf_is_named_for_its_period(auditor: FlaskClient) -> None:  # noqa: F811
    response = auditor.get(REPORT)
    assert "audit-report-2026-02-01-2026-05-31" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.pdf"')


def test_the_status_table_pdf_has_every_party_row_the_verification_and_the_checkpoint(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    printed = pdf_text(auditor, STATUS)
    assert f"Agreement on Transit Trade {TRANSIT} · Agreement · Binding · Terminated" in printed
    assert (
        "Pakistan (PAK) Terminated 3 February 2026 15 February 2026 Ratification 1 May 2026 "
        in printed
    )
    assert (
        "Kazakhstan (KAZ) Withdrawn 3 February 2026 1 April 2026 Ratification 1 May 2026 "
        "1 December 2026" in printed
    )
    assert_verified_against_the_served_checkpoint(auditor, printed)
    response = auditor.get(STATUS)
    assert f"{TRANSIT}-status-" in response.headers["Content-Disposition"]


def test_a_pdf_of_a_tampered_store_says_the_verification_failed(
    auditor: FlaskClient,  # noqa: F811
    registry: Registry,
) -> None:
    with registry.transaction(commit=True) as session:
        state = session.execute(text("SELECT state FROM registry_events WHERE id = 10")).scalar()
        forged = bytes(state).replace(b'"payload":"', b'"payload":"A', 1)
        session.execute(text("UPDATE registry_events SET state = :s WHERE id = 10"), {"s": forged})
    printed = pdf_text(auditor, STATUS)
    assert "Verification FAILED: " in printed and "Verification Intact" not in printed
    assert "signatures and keys: FAILED (1)" in printed


def test_the_status_pdf_of_an_unknown_agreement_is_a_404(auditor: FlaskClient) -> None:  # noqa: F811
    assert auditor.get("/agreements/NO-SUCH-1/status.pdf").status_code == 404
