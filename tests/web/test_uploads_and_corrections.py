"""Documents (size and type limits, content-addressed) and corrections through the forms."""

from __future__ import annotations

import hashlib
from io import BytesIO

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from tests.integration.helpers import signed_data
from tests.web.conftest import OFFICER, TOKEN, Auth, error_summary, post_form

UPLOAD_URL = "/agreements/PK-KZ-2026-900/record/DocumentAttached"
CORRECT_URL = "/agreements/PK-KZ-2026-900/events/{}/correct"


@pytest.fixture
def officer(client: FlaskClient, auth: Auth, agreement: str) -> FlaskClient:
    auth.login("officer")
    return client


def upload(client: FlaskClient, content: bytes, filename: str, **fields: str) -> TestResponse:
    token = TOKEN.search(client.get(UPLOAD_URL).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    data: dict[str, object] = {
        "csrf_token": token,
        "expected_version": "1",
        "title": "Signed text",
        "effective": "2026-02-04",
        **fields,
    }
    if filename:
        data["file"] = (BytesIO(content), filename)
    return client.post(UPLOAD_URL, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("content", "filename", "media_type"),
    [
        (b"%PDF-1.7\n...", "text.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "scan.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "scan.jpg", "image/jpeg"),
        ("Соглашение, معاہدہ\n".encode(), "notes.txt", "text/plain"),
        (
            b"PK\x03\x04" + b"\x00" * 20,
            "draft.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_kinds_of_file_are_typed_by_their_content(
    officer: FlaskClient, registry: Registry, content: bytes, filename: str, media_type: str
) -> None:
    response = upload(officer, content, filename)
    assert response.status_code == 302, error_summary(response.get_data(as_text=True))
    document = registry.state("PK-KZ-2026-900").documents[0]
    assert document.media_type == media_type
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.filename == filename


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            b"<html><script>alert(1)</script></html>",
            "page.html",
            "This kind of file cannot be attached",
        ),
        (b"MZ\x90\x00", "tool.exe", "This kind of file cannot be attached"),
        (b"<svg onload=alert(1)>", "image.png", "This kind of file cannot be attached"),
        (b"%PDF", "", "Choose a file to attach."),
        (b"", "empty.pdf", "The file is empty."),
        (b"PK\x03\x04", "archive.zip", "This kind of file cannot be attached"),
        (b"\x00\x01binary", "notes.txt", "This kind of file cannot be attached"),
    ],
)
def test_wrong_types_are_refused_at_the_file_field(
    officer: FlaskClient, registry: Registry, content: bytes, filename: str, message: str
) -> None:
    response = upload(officer, content, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'value="Signed text"' in html
    assert registry.state("PK-KZ-2026-900").documents == ()


def test_a_file_over_the_document_limit_is_refused_on_the_form(
    app: Flask, officer: FlaskClient, registry: Registry
) -> None:
    app.config["REGISTRY_MAX_DOCUMENT_BYTES"] = 1024
    response = upload(officer, b"%PDF-" + b"x" * 2000, "big.pdf")
    assert response.status_code == 400
    assert "The file is larger than 1 KB" in response.get_data(as_text=True)
    assert not any(registry.settings.documents_dir.glob("*/*"))


def test_a_request_over_the_upload_limit_is_a_413_page(app: Flask, officer: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = upload(officer, b"%PDF-" + b"x" * 5000, "huge.pdf")
    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)


def test_a_received_file_is_kept_when_other_fields_need_fixing(
    officer: FlaskClient, registry: Registry
) -> None:
    content = b"%PDF-1.4 kept"
    first = upload(officer, content, "kept.pdf", title="")
    html = first.get_data(as_text=True)
    assert first.status_code == 400
    digest = hashlib.sha256(content).hexdigest()
    assert f'name="uploaded" value="{digest}"' in html
    again = post_form(
        officer,
        UPLOAD_URL,
        {
            "expected_version": "1",
            "uploaded": digest,
            "uploaded_name": "kept.pdf",
            "title": "Kept",
            "effective": "2026-02-04",
        },
    )
    assert again.status_code == 302
    assert registry.state("PK-KZ-2026-900").documents[0].sha256 == digest


def sign_pakistan(registry: Registry) -> None:
    registry.record(
        "PK-KZ-2026-900",
        "Signed",
        effective=PartialDate.parse("2026-02-03"),
        actor=OFFICER,
        data=signed_data("PAK", signatory="Ishaq Dar"),
    )


def test_the_correction_form_shows_the_event_as_it_stands(
    officer: FlaskClient, registry: Registry
) -> None:
    sign_pakistan(registry)
    html = officer.get(CORRECT_URL.format(2)).get_data(as_text=True)
    assert 'name="new-signatory" type="text" value="Ishaq Dar"' in html
    assert "Reason for the correction" in html
    assert 'name="expected_version" value="2"' in html


def test_a_correction_records_only_what_changed(officer: FlaskClient, registry: Registry) -> None:
    sign_pakistan(registry)
    response = post_form(
        officer,
        CORRECT_URL.format(2),
        {
            "expected_version": "2",
            "action": "supersede",
            "new_effective": "2026-02-04",
            "new-party": "PAK",
            "new-signatory": "Mohammad Ishaq Dar",
            "new-capacity": "Minister of Foreign Affairs",
            "new-signature_type": "simple",
            "new-place": "Islamabad",
            "effective": "2026-03-01",
            "reason": "Name and date as in the signed text",
        },
    )
    assert response.status_code == 302, error_summary(response.get_data(as_text=True))
    correction = registry.agreement("PK-KZ-2026-900").history[-1]
    assert type(correction).__name__ == "EventCorrected"
    assert correction.changes == {"signatory": "Mohammad Ishaq Dar"}
    assert str(correction.new_effective) == "2026-02-04"
    assert correction.reason == "Name and date as in the signed text"
    state = registry.state("PK-KZ-2026-900")
    assert str(state.party("PAK").signed) == "2026-02-04"
    page = officer.get("/agreements/PK-KZ-2026-900").get_data(as_text=True)
    assert "Corrected by event 3" in page


def test_a_retraction_through_the_form(officer: FlaskClient, registry: Registry) -> None:
    sign_pakistan(registry)
    response = post_form(
        officer,
        CORRECT_URL.format(2),
        {
            "expected_version": "2",
            "action": "retract",
            "new-party": "PAK",
            "new-signatory": "Ishaq Dar",
            "new-capacity": "Minister of Foreign Affairs",
            "new-signature_type": "simple",
            "new-place": "Islamabad",
            "effective": "2026-03-01",
            "reason": "Recorded on the wrong agreement",
        },
    )
    assert response.status_code == 302
    assert registry.state("PK-KZ-2026-900").party("PAK").signed is None
    page = officer.get("/agreements/PK-KZ-2026-900").get_data(as_text=True)
    assert "Retracted by event 3" in page


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"reason": ""}, 422, "A correction must give its reason"),
        (
            {"new-signatory": "Someone else", "reason": "typo", "action": "retract"},
            422,
            "takes no new date",
        ),
        ({"reason": "nothing"}, 422, "must give a new effective date or new field values"),
        ({"new_effective": "2026-02-31", "reason": "x"}, 400, "has no day 31"),
        ({"new-signatory": "", "reason": "x"}, 400, "This is required."),
        (
            {"new_effective": "2026-01-15", "reason": "earlier"},
            422,
            "would make the record inconsistent",
        ),
        ({"action": "", "reason": "x", "new_effective": "2026-02-05"}, 400, "This is required."),
    ],
)
def test_correction_problems_are_shown_on_the_form(
    officer: FlaskClient, registry: Registry, fields: dict[str, str], status: int, message: str
) -> None:
    sign_pakistan(registry)
    base = {
        "expected_version": "2",
        "action": "supersede",
        "new-party": "PAK",
        "new-signatory": "Ishaq Dar",
        "new-capacity": "Minister of Foreign Affairs",
        "new-signature_type": "simple",
        "new-place": "Islamabad",
        "effective": "2026-03-01",
    }
    response = post_form(officer, CORRECT_URL.format(2), {**base, **fields})
    html = response.get_data(as_text=True)
    assert response.status_code == status, error_summary(html)
    assert message in html
    assert registry.agreement("PK-KZ-2026-900").version == 2


def test_a_correction_cannot_be_corrected(officer: FlaskClient, registry: Registry) -> None:
    sign_pakistan(registry)
    registry.record(
        "PK-KZ-2026-900",
        "EventCorrected",
        effective=PartialDate.parse("2026-03"),
        actor=OFFICER,
        data={"corrects": 2, "new_effective": "2026-02-04"},
        reason="date",
    )
    assert officer.get(CORRECT_URL.format(3)).status_code == 404
