"""Printable PDFs (issue 14): the audit report and an agreement's status table, each with
the verification summary and the signed checkpoint it was checked against."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.audit_story import TRANSIT
from tests.web.test_audit import auditor, settings, story_home  # noqa: F401


def test_the_audit_report_is_a_pdf_with_the_verification_and_checkpoint(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    response = auditor.get("/audit/report.pdf?from=2026-02-01&to=2026-05-31&party=KAZ")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF-")
    assert "audit-report-2026-02-01-2026-05-31.pdf" in response.headers["Content-Disposition"]
    assert len(body) > 10_000 and body.rstrip().endswith(b"%%EOF")


def test_the_report_page_printed_carries_the_verification_summary(
    auditor: FlaskClient,  # noqa: F811
) -> None:
    from registry.web import audit

    with auditor.application.test_request_context(
        "/audit/report.pdf?from=2026-02-01&to=2026-05-31"
    ):
        from flask import render_template

        from registry.store.reads.audit_report import AuditQuery
        from registry.web.pdf import verification

        query = audit._report_query()
        assert isinstance(query, AuditQuery)
        found = audit.audit.compare(audit.get_registry(), query, limit=10)
        html = render_template(
            "audit/report.html", report=found, generated=found and None, change_labels={},
            verified=verification(), printing=True, nav="audit",
        )  # fmt: skip
    assert "Verification" in html and "Intact:" in html
    assert "Checked against the signed checkpoint" in html and "test.registry.example/log" in html


def test_the_status_table_is_a_pdf(auditor: FlaskClient) -> None:  # noqa: F811
    response = auditor.get(f"/agreements/{TRANSIT}/status.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data().startswith(b"%PDF-")
    assert f"{TRANSIT}-status-" in response.headers["Content-Disposition"]


def test_the_status_pdf_of_an_unknown_agreement_is_a_404(auditor: FlaskClient) -> None:  # noqa: F811
    assert auditor.get("/agreements/NO-SUCH-1/status.pdf").status_code == 404
