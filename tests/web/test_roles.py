"""The role matrix: anonymous, auditor, officer and admin on every URL of the interface.

Anonymous users are sent to the login page from everything; auditors read; officers read and
record; admins read and manage users and keys. A refused role gets a 403 page.
"""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from registry.store.events.documents import DocumentStore
from registry.web.forms import RECORDABLE
from tests.web.conftest import REFERENCE, Auth

PDF = b"%PDF-1.4 role matrix\n"
DIGEST = hashlib.sha256(PDF).hexdigest()

READ = {"auditor", "officer", "admin"}
WRITE = {"officer"}
ADMIN = {"admin"}

GETS: list[tuple[str, set[str]]] = [
    ("/", READ),
    ("/agreements", READ),
    ("/agreements?q=transit&kind=agreement&status=draft&sort=title&dir=desc", READ),
    (f"/agreements/{REFERENCE}", READ),
    (f"/agreements/{REFERENCE}?as_of=2026-02-02", READ),
    (f"/agreements/{REFERENCE}/documents/{DIGEST}", READ),
    ("/agreements/new", WRITE),
    (f"/agreements/{REFERENCE}/record?type=Signed", WRITE),
    *[(f"/agreements/{REFERENCE}/record/{name}", WRITE) for name in RECORDABLE],
    (f"/agreements/{REFERENCE}/events/1/correct", WRITE),
    ("/admin/users", ADMIN),
    ("/admin/keys", ADMIN),
]
POSTS: list[tuple[str, set[str]]] = [
    ("/agreements/new", WRITE),
    *[(f"/agreements/{REFERENCE}/record/{name}", WRITE) for name in RECORDABLE],
    (f"/agreements/{REFERENCE}/events/1/correct", WRITE),
    ("/admin/users", ADMIN),
    ("/admin/users/auditor", ADMIN),
    ("/admin/keys/register", ADMIN),
    ("/admin/keys/officer.astana/rotate", ADMIN),
    ("/admin/keys/officer.astana/0000000000000000/revoke", ADMIN),
]


@pytest.fixture
def with_document(registry: Registry, agreement: str) -> str:
    DocumentStore(registry.settings.documents_dir).put(PDF)
    registry.record(
        agreement,
        "DocumentAttached",
        effective=PartialDate.parse("2026-02-02"),
        actor="officer.islamabad",
        data={
            "sha256": DIGEST,
            "filename": "text.pdf",
            "media_type": "application/pdf",
            "size": len(PDF),
            "title": "Text",
        },
    )
    return agreement


@pytest.mark.parametrize(("url", "allowed"), GETS, ids=[u for u, _ in GETS])
@pytest.mark.parametrize("role", ["anonymous", "auditor", "officer", "admin"])
def test_every_page_for_every_role(
    client: FlaskClient, auth: Auth, with_document: str, url: str, allowed: set[str], role: str
) -> None:
    if role != "anonymous":
        auth.login(role)
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    elif role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:  # "/" and the event chooser redirect to pages
            assert client.get(response.headers["Location"]).status_code == 200
    else:
        assert response.status_code == 403
        assert "You may not do this" in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "allowed"), POSTS, ids=[u for u, _ in POSTS])
@pytest.mark.parametrize("role", ["anonymous", "auditor", "officer", "admin"])
def test_every_form_post_for_every_role(
    client: FlaskClient,
    auth: Auth,
    registry: Registry,
    agreement: str,
    url: str,
    allowed: set[str],
    role: str,
) -> None:
    if role != "anonymous":
        auth.login(role)
    events_before = len(registry.agreement(agreement).history)
    token = auth.token("/login" if role == "anonymous" else "/agreements")
    response = client.post(url, data={"csrf_token": token})
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    elif role in allowed:
        assert response.status_code not in (403, 500)
    else:
        assert response.status_code == 403
    if role not in allowed:
        assert len(registry.agreement(agreement).history) == events_before


def test_auditors_see_no_recording_links(client: FlaskClient, auth: Auth, agreement: str) -> None:
    auth.login("auditor")
    html = client.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert "Correct this" not in html
    assert "Record an event" not in html
    assert "New agreement" not in html


def test_unknown_agreements_and_event_types_are_404(
    client: FlaskClient, auth: Auth, agreement: str
) -> None:
    auth.login("officer")
    for url in (
        "/agreements/NO-SUCH-REF",
        "/agreements/NO-SUCH-REF/record/Signed",
        f"/agreements/{agreement}/record/Drafted",
        f"/agreements/{agreement}/record/NoSuchEvent",
        f"/agreements/{agreement}/record?type=EventCorrected",
        f"/agreements/{agreement}/events/99/correct",
        f"/agreements/{agreement}/documents/{'0' * 64}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.get_data(as_text=True)
