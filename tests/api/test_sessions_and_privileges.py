"""Sessions that end and privileges that hold (findings 4 and 5), on SQLite and PostgreSQL: a
cookie saved before logout or a password change is refused for reads and writes; an admin
cannot mint a write token for an officer; every admin action is in the trail auditors read."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.store.accounts.tokens import ApiTokens, TokenError
from registry.store.application import Registry
from tests.api.both_databases import log_in, post_form
from tests.api.conftest import Api, draft_body
from tests.api.test_writes import payload_of
from tests.integration.helpers import ASTANA, ISLAMABAD
from tests.web.conftest import csrf_token

DRAFT_FORM = {
    "reference": "PK-KZ-2026-951",
    "titles-0-lang": "en",
    "titles-0-text": "Agreement on Air Services",
    "kind": "agreement",
    "character": "binding",
    "parties-0-code": "PAK",
    "parties-0-name": "Pakistan",
    "parties-0-type": "state",
    "parties-1-code": "KAZ",
    "parties-1-name": "Kazakhstan",
    "parties-1-type": "state",
    "effective": "2026-02-05",
}


def saved_session(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replay(client: FlaskClient, cookie: str) -> None:
    client.set_cookie("session", cookie)


def test_a_cookie_saved_before_logout_is_refused_for_reads_and_writes(db_app: Flask) -> None:
    client = db_app.test_client()
    log_in(client, ISLAMABAD)
    token = csrf_token(client, "/agreements/new")
    cookie = saved_session(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replay(client, cookie)
    read = client.get("/agreements")
    assert read.status_code == 302 and "/login" in read.headers["Location"]
    write = client.post("/agreements/new", data={"csrf_token": token, **DRAFT_FORM})
    assert write.status_code in (302, 400)
    assert "/login" in write.headers.get("Location", "/login")
    log_in(client, "auditor")
    assert client.get("/agreements/PK-KZ-2026-951").status_code == 404


def test_a_new_password_ends_every_open_session(db_app: Flask) -> None:
    officer = db_app.test_client()
    log_in(officer, ISLAMABAD)
    assert officer.get("/agreements").status_code == 200
    admin = db_app.test_client()
    log_in(admin, "admin")
    changed = post_form(
        admin,
        f"/admin/users/{ISLAMABAD}",
        {"change": "password", "password": "a brand new password"},
        token_from="/admin/users",
    )
    assert changed.status_code == 302
    assert officer.get("/agreements").status_code == 302
    log_in(officer, ISLAMABAD, "a brand new password")
    assert officer.get("/agreements").status_code == 200


def test_logging_out_ends_only_that_session(db_app: Flask) -> None:
    first, second = db_app.test_client(), db_app.test_client()
    log_in(first, ISLAMABAD)
    log_in(second, ISLAMABAD)
    first.post("/logout", data={"csrf_token": csrf_token(first, "/agreements")})
    assert first.get("/agreements").status_code == 302
    assert second.get("/agreements").status_code == 200


def test_an_admin_cannot_mint_a_write_token_for_an_officer(
    db_app: Flask, db_registry: Registry
) -> None:
    admin = db_app.test_client()
    log_in(admin, "admin")
    refused = post_form(
        admin,
        "/admin/tokens",
        {"name": "impostor", "scope": "write", "officer": ISLAMABAD},
    )
    assert refused.status_code == 422
    assert "only officer.islamabad can make it" in refused.get_data(as_text=True)
    assert all(token.scope.value == "read" for token in ApiTokens(db_registry).all())
    with pytest.raises(TokenError):
        ApiTokens(db_registry).create("x", "write", officer=ISLAMABAD, created_by="admin")
    with pytest.raises(TokenError):
        ApiTokens(db_registry).create("x", "write", officer=ISLAMABAD, created_by=ASTANA)


def test_an_officer_makes_their_own_write_token_and_it_records_as_them(db_app: Flask) -> None:
    officer = db_app.test_client()
    log_in(officer, ISLAMABAD)
    made = post_form(
        officer, "/admin/tokens", {"name": "my portal", "scope": "write", "officer": ISLAMABAD}
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    secret = re.search(r'value="(reg_[0-9a-f]{16}_[A-Za-z0-9_-]{43})"', made.get_data(as_text=True))
    assert secret is not None
    response = Api(db_app.test_client(), secret.group(1)).post("/api/v1/agreements", draft_body())
    assert response.status_code == 201
    assert payload_of(response.get_json()["record"]).actor == ISLAMABAD


def test_an_officer_sees_and_revokes_only_their_own_tokens(
    db_app: Flask, db_registry: Registry
) -> None:
    theirs, _ = ApiTokens(db_registry).create("astana", "write", officer=ASTANA, created_by=ASTANA)
    officer = db_app.test_client()
    log_in(officer, ISLAMABAD)
    assert theirs.id not in officer.get("/admin/tokens").get_data(as_text=True)
    refused = post_form(
        officer, f"/admin/tokens/{theirs.id}/revoke", {}, token_from="/admin/tokens"
    )
    assert refused.status_code == 403
    assert ApiTokens(db_registry).get(theirs.id).active


def test_every_admin_action_is_in_the_trail_auditors_read(db_app: Flask) -> None:
    admin = db_app.test_client()
    log_in(admin, "admin")
    steps = [
        (
            "/admin/users",
            {"username": "clerk.two", "password": "a long password!", "role": "auditor"},
        ),
        ("/admin/users/clerk.two", {"change": "role", "role": "officer"}),
        ("/admin/users/clerk.two", {"change": "disable"}),
        ("/admin/keys/register", {"officer": "clerk.two", "reason": "new officer"}),
        ("/admin/tokens", {"name": "research", "scope": "read"}),
    ]
    for url, form in steps:
        response = post_form(admin, url, form, token_from="/admin/users")
        assert response.status_code in (201, 302), (url, response.get_data(as_text=True))
    auditor = db_app.test_client()
    log_in(auditor, "auditor")
    page = auditor.get("/audit/admin-trail")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for action in (
        "user added",
        "role changed",
        "user disabled",
        "key registered",
        "token created",
    ):
        assert re.search(rf"<td>admin</td>\s*<td>{action}</td>", text), action
    assert "clerk.two" in text
    officer = db_app.test_client()
    log_in(officer, ISLAMABAD)
    assert officer.get("/audit/admin-trail").status_code == 403
