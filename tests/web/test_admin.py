"""Admin pages: users and officers' signing keys; what the web records verifies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.store.accounts.users import Accounts, Role
from registry.store.application import Registry
from registry.store.events.verification import verify_store
from tests.integration.helpers import signed_data
from tests.web.conftest import Auth, error_summary, post_form


@pytest.fixture
def admin(client: FlaskClient, auth: Auth) -> FlaskClient:
    auth.login("admin")
    return client


def test_the_users_page_lists_accounts(admin: FlaskClient) -> None:
    html = admin.get("/admin/users").get_data(as_text=True)
    for name in ("officer.islamabad", "officer.astana", "auditor", "admin"):
        assert f'data-label="User">{name}</th>' in html


def test_an_admin_adds_an_officer_who_then_needs_a_key(
    admin: FlaskClient, registry: Registry
) -> None:
    fields = {"username": "officer.almaty", "password": "a-long-password", "role": "officer"}
    assert post_form(admin, "/admin/users", fields).status_code == 302
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Added officer officer.almaty. They have no signing key yet" in page
    assert Accounts(registry).get("officer.almaty").role is Role.OFFICER


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"username": "Officer Almaty", "password": "a-long-password", "role": "officer"},
            "not a usable username",
        ),
        ({"username": "admin", "password": "a-long-password", "role": "admin"}, "already a user"),
        ({"username": "clerk", "password": "short", "role": "auditor"}, "at least 12 characters"),
        ({"username": "clerk", "password": "a-long-password", "role": "king"}, "is not a role"),
        (
            {"username": "<b>x</b>", "password": "a-long-password", "role": "officer"},
            "not a usable username",
        ),
    ],
)
def test_bad_new_users_are_refused_with_a_message(
    admin: FlaskClient, fields: dict[str, str], message: str
) -> None:
    response = post_form(admin, "/admin/users", fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "<b>x</b>" not in html


def change(admin: FlaskClient, username: str, fields: dict[str, str]) -> int:
    url = f"/admin/users/{username}"
    return post_form(admin, url, fields, token_from="/admin/users").status_code


def test_an_admin_changes_password_role_and_disables(
    admin: FlaskClient, registry: Registry
) -> None:
    assert (
        change(admin, "auditor", {"change": "password", "password": "a-new-long-password"}) == 302
    )
    assert Accounts(registry).authenticate("auditor", "a-new-long-password") is not None
    assert change(admin, "auditor", {"change": "role", "role": "officer"}) == 302
    assert Accounts(registry).get("auditor").role is Role.OFFICER
    assert change(admin, "auditor", {"change": "disable"}) == 302
    assert Accounts(registry).get("auditor").disabled
    assert change(admin, "auditor", {"change": "enable"}) == 302
    assert not Accounts(registry).get("auditor").disabled
    assert change(admin, "ghost", {"change": "disable"}) == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"change": "disable"}, "You cannot disable your own account."),
        ({"change": "role", "role": "auditor"}, "You cannot change your own role."),
        ({"change": "password", "password": "short"}, "at least 12 characters"),
        ({"change": "explode"}, "Choose what to change."),
    ],
)
def test_an_admin_cannot_lock_themselves_out(
    admin: FlaskClient, fields: dict[str, str], message: str
) -> None:
    response = post_form(admin, "/admin/users/admin", fields, token_from="/admin/users")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def current_key(registry: Registry, officer: str) -> str | None:
    return registry.trust().current_keyid(officer, datetime.now(UTC))


def test_keys_are_registered_rotated_and_revoked_from_the_admin_page(
    admin: FlaskClient, registry: Registry
) -> None:
    Accounts(registry).add("officer.almaty", "a-long-password", Role.OFFICER)
    fields = {"officer": "officer.almaty", "reason": "new post"}
    assert (
        post_form(admin, "/admin/keys/register", fields, token_from="/admin/keys").status_code
        == 302
    )
    first = current_key(registry, "officer.almaty")
    assert first is not None
    url = "/admin/keys/officer.almaty/rotate"
    assert post_form(admin, url, {"reason": "yearly"}, token_from="/admin/keys").status_code == 302
    second = current_key(registry, "officer.almaty")
    assert second not in (None, first)
    html = admin.get("/admin/keys").get_data(as_text=True)
    assert first in html and second in html
    url = f"/admin/keys/officer.almaty/{second}/revoke"
    assert (
        post_form(admin, url, {"reason": "laptop lost"}, token_from="/admin/keys").status_code
        == 302
    )
    assert current_key(registry, "officer.almaty") is None
    assert verify_store(registry).ok


@pytest.mark.parametrize(
    ("url", "fields", "status", "message"),
    [
        ("/admin/keys/officer.astana/{key}/revoke", {"reason": ""}, 422, "Give the reason"),
        (
            "/admin/keys/officer.astana/{key}/revoke",
            {"reason": "x", "invalid_from": "soon"},
            400,
            "Invalid from",
        ),
        (
            "/admin/keys/officer.astana/0000000000000000/revoke",
            {"reason": "x"},
            422,
            "0000000000000000",
        ),
        ("/admin/keys/nobody/rotate", {}, 422, "no valid key"),
        ("/admin/keys/register", {"officer": "Bad Name!"}, 422, "not a usable officer name"),
    ],
)
def test_key_refusals_are_messages(
    admin: FlaskClient,
    registry: Registry,
    url: str,
    fields: dict[str, str],
    status: int,
    message: str,
) -> None:
    key = current_key(registry, "officer.astana")
    response = post_form(admin, url.format(key=key), fields, token_from="/admin/keys")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def signature_fields(party: str, version: int) -> dict[str, str]:
    fields = {k: str(v) for k, v in signed_data(party).items()}
    return {"expected_version": str(version), **fields, "effective": "2026-02-04"}


def test_an_officer_without_a_valid_key_is_told_so_on_the_form(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    keyid = current_key(registry, "officer.islamabad")
    assert keyid is not None
    registry.revoke_officer_key("officer.islamabad", keyid, reason="test")
    auth.login("officer")
    url = f"/agreements/{agreement}/record/Signed"
    response = post_form(client, url, signature_fields("PAK", 1))
    assert response.status_code == 422
    assert "has no valid signing key" in error_summary(response.get_data(as_text=True))


def test_events_recorded_through_the_web_are_signed_by_each_officer_and_verify(
    app: Flask, registry: Registry, agreement: str
) -> None:
    astana = app.test_client()
    Auth(astana).login("officer.astana")
    islamabad = app.test_client()
    Auth(islamabad).login("officer")
    for client, party, version in ((islamabad, "PAK", 1), (astana, "KAZ", 2)):
        url = f"/agreements/{agreement}/record/Signed"
        assert post_form(client, url, signature_fields(party, version)).status_code == 302
    opened = registry.opened_events(agreement)
    actors = [o.payload.actor for o in opened]
    assert actors == ["officer.islamabad", "officer.islamabad", "officer.astana"]
    astana_keys = {k.keyid for k in registry.trust().officers()["officer.astana"]}
    assert opened[2].keyid in astana_keys
    report = verify_store(registry)
    assert report.ok, report.problems
    page = islamabad.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert len(re.findall("✓ verified", page)) == 3
    as_of = PartialDate.parse("2026-02-04").start
    assert registry.state(agreement, as_of=as_of).status.value == "signed"
