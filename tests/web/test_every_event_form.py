"""Every event type of the catalogue can be recorded through its form, signed by the officer."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask.testing import FlaskClient

from registry.store.application import Registry
from registry.store.events.verification import verify_store
from registry.web.forms import RECORDABLE
from tests.web.conftest import OFFICER, Auth, error_summary, post_form

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

# A bilateral binding agreement's life, one form per step, in an order the domain accepts.
LIFE: list[tuple[str, dict[str, str]]] = [
    ("TextAmended", {"summary": "Article 4 revised", "effective": "2026-02-02"}),
    ("TextAdopted", {"place": "Islamabad", "effective": "2026-02-03"}),
    (
        "Signed",
        {
            "party": "PAK",
            "signatory": "Ishaq Dar",
            "capacity": "Foreign Minister",
            "signature_type": "simple",
            "effective": "2026-02-04",
        },
    ),
    (
        "Signed",
        {
            "party": "KAZ",
            "signatory": "Murat Nurtleu",
            "capacity": "Foreign Minister",
            "signature_type": "simple",
            "place": "Islamabad",
            "effective": "2026-02-04",
        },
    ),
    (
        "ReservationMade",
        {
            "party": "PAK",
            "article": "Art. 9",
            "text": "Not bound by art. 9",
            "effective": "2026-02-04",
        },
    ),
    (
        "DeclarationMade",
        {"party": "KAZ", "text": "Interprets art. 2 narrowly", "effective": "2026-02-05"},
    ),
    (
        "ObjectionMade",
        {
            "party": "KAZ",
            "reserving_party": "PAK",
            "reservation": "6",
            "opposes_entry_into_force": "y",
            "effective": "2026-02-06",
            "notification-number": "C.N.7.2026.TREATIES-1",
            "notification-date": "2026-02-07",
        },
    ),
    ("StatementWithdrawn", {"party": "KAZ", "statement": "8", "effective": "2026-02-07"}),
    (
        "TerritorialApplicationDeclared",
        {
            "party": "KAZ",
            "scope": "extends",
            "territories": "Baikonur\r\nKhorgos centre",
            "effective": "2026-02-07",
        },
    ),
    (
        "ParticularsRecorded",
        {
            "depositary": "Ministry of Foreign Affairs of Pakistan",
            "concluded_place": "Islamabad",
            "concluded_on": "2026-02-04",
            "authentic_languages": "en\nur\nkk\nru",
            "effective": "2026-02-07",
        },
    ),
    (
        "FootnoteRecorded",
        {"party": "", "mark": "1", "text": "General note", "effective": "2026-02-07"},
    ),
    ("ConsentExpressed", {"party": "PAK", "instrument": "ratification", "effective": "2026-02-10"}),
    ("ConsentExpressed", {"party": "KAZ", "instrument": "ratification", "effective": "2026-02"}),
    ("ProvisionallyApplied", {"party": "", "effective": "2026-02-20"}),
    ("EnteredIntoForce", {"party": "", "effective": "2026-03-01"}),
    ("RegisteredWithUN", {"number": "I-60001", "unts_volume": "3200", "effective": "2026-03-20"}),
    (
        "MilestoneRecorded",
        {
            "milestone": "M1",
            "title": "Working group meets",
            "due": "2026-09",
            "effective": "2026-03-01",
        },
    ),
    (
        "MilestoneStatusChanged",
        {"milestone": "M1", "status": "in_progress", "effective": "2026-04"},
    ),
    (
        "Amended",
        {
            "amendment_reference": "PK-KZ-2026-900-A1",
            "summary": "Adds a transit corridor",
            "effective": "2026-04-15",
        },
    ),
    (
        "DocumentAttached",
        {"title": "Signed English text", "language": "en", "effective": "2026-02-04"},
    ),
    ("Suspended", {"party": "", "effective": "2026-05-01"}),
    ("Resumed", {"party": "", "effective": "2026-06-01"}),
    ("Renewed", {"until": "2031", "effective": "2026-07-01"}),
    ("WithdrawalNotified", {"party": "KAZ", "takes_effect": "", "effective": "2026-08-01"}),
    ("Terminated", {"effective": "2026-09-01", "reason": "Replaced by a new agreement"}),
]


def record_through_form(
    client: FlaskClient, registry: Registry, type_name: str, fields: dict[str, str]
) -> None:
    url = f"/agreements/PK-KZ-2026-900/record/{type_name}"
    version = registry.agreement("PK-KZ-2026-900").version
    data: dict[str, object] = {"expected_version": str(version), **fields}
    if type_name == "DocumentAttached":
        from io import BytesIO

        data["file"] = (BytesIO(PDF), "treaty.pdf")
    token_page = client.get(url)
    assert token_page.status_code == 200
    from tests.web.conftest import TOKEN

    data["csrf_token"] = TOKEN.search(token_page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, (type_name, error_summary(response.get_data(as_text=True)))
    assert registry.agreement("PK-KZ-2026-900").version == version + 1


def test_the_life_of_an_agreement_uses_every_form(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    auth.login("officer")
    for type_name, fields in LIFE:
        record_through_form(client, registry, type_name, fields)
    recorded = {type(e).__name__ for e in registry.agreement(agreement).history}
    assert set(RECORDABLE) - recorded == {"Expired"}
    state = registry.state(agreement)
    assert state.authentic_languages == ("en", "ur", "kk", "ru")
    kazakhstan = state.party("KAZ")
    assert kazakhstan is not None and kazakhstan.territorial[0].territories == (
        "Baikonur",
        "Khorgos centre",
    )
    assert kazakhstan.objections[0].opposes_entry_into_force
    objection = registry.agreement(agreement).history[7]
    assert objection.notification is not None
    assert objection.notification.number == "C.N.7.2026.TREATIES-1"
    assert registry.state(agreement).status.value == "terminated"
    assert all(e.actor == OFFICER for e in registry.agreement(agreement).history)
    assert verify_store(registry).ok


def test_expiry_is_recorded_through_its_form(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    auth.login("officer")
    record_through_form(client, registry, "Expired", {"effective": "2031-02-01"})
    assert registry.state(agreement).status.value == "expired"


def test_the_attached_document_is_stored_by_its_hash_and_pinned_in_the_event(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    auth.login("officer")
    record_through_form(client, registry, "DocumentAttached", dict(LIFE)["DocumentAttached"])
    document = registry.state(agreement).documents[0]
    digest = hashlib.sha256(PDF).hexdigest()
    assert (document.sha256, document.media_type, document.size) == (
        digest,
        "application/pdf",
        len(PDF),
    )
    assert (registry.settings.documents_dir / digest[:2] / digest).read_bytes() == PDF
    download = client.get(f"/agreements/{agreement}/documents/{digest}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize("type_name", RECORDABLE)
def test_every_form_page_renders_for_an_officer(
    client: FlaskClient, auth: Auth, agreement: str, type_name: str
) -> None:
    auth.login("officer")
    page = client.get(f"/agreements/{agreement}/record/{type_name}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="expected_version" value="1"' in html
    assert 'name="effective"' in html
    # (each date is kept whole and left to right in its own element)
    assert "2026, 2026-02 or 2026-02-03" in re.sub(r"<[^>]+>", "", html)


def test_blank_optional_inputs_are_recorded_as_none(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    auth.login("officer")
    fields = dict(LIFE[2][1], place="", source="  ", reason="")
    response = post_form(
        client, f"/agreements/{agreement}/record/Signed", {"expected_version": "1", **fields}
    )
    assert response.status_code == 302
    signed = registry.agreement(agreement).history[-1]
    assert (signed.place, signed.source, signed.reason) == (None, None, None)
