"""Who may read and write: the token matrix, the read policy, revocation, rate limits, CORS,
the tokens themselves (store and CLI) and the admin page that makes them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.cli import main
from registry.store.accounts.tokens import ApiTokens, TokenError, api_tokens, token_digest
from registry.store.accounts.users import DEMO_PASSWORD, Accounts, Role
from registry.store.application import Registry
from registry.store.settings import Settings
from tests.api.conftest import REFERENCE, Api, Tokens, assert_problem, draft_body, make_app
from tests.integration.helpers import ISLAMABAD, signed_data

LIST = "/api/v1/agreements"
UNKNOWN = "reg_0123456789abcdef_" + "A" * 43


def credentials(tokens: Tokens, registry: Registry, kind: str) -> dict[str, str]:
    if kind == "none":
        return {}
    if kind == "revoked":
        token, secret = ApiTokens(registry).create("old", "read", created_by="admin")
        ApiTokens(registry).revoke(token.id, revoked_by="admin")
        return {"Authorization": f"Bearer {secret}"}
    if kind == "disabled officer":
        Accounts(registry).set_disabled(ISLAMABAD, True)
        return tokens.bearer("write")
    if kind == "demoted officer":
        Accounts(registry).set_role(ISLAMABAD, Role.AUDITOR)
        return tokens.bearer("write")
    special = {
        "malformed": "Bearer not-a-token",
        "unknown": f"Bearer {UNKNOWN}",
        "basic": "Basic b2ZmaWNlcjpwYXNzd29yZA==",
        "empty bearer": "Bearer ",
    }
    if kind in special:
        return {"Authorization": special[kind]}
    return tokens.bearer(kind)


MATRIX = [
    # kind, public read, token-only read, write
    ("none", 200, 401, 401),
    ("read", 200, 200, 403),
    ("write", 200, 200, 201),
    ("revoked", 401, 401, 401),
    ("malformed", 401, 401, 401),
    ("unknown", 401, 401, 401),
    ("basic", 401, 401, 401),
    ("empty bearer", 401, 401, 401),
    ("disabled officer", 200, 200, 403),
    ("demoted officer", 200, 200, 403),
]


@pytest.mark.parametrize(("kind", "public", "token_only", "write"), MATRIX)
def test_the_token_matrix(
    app: Flask,
    registry: Registry,
    tokens: Tokens,
    kind: str,
    public: int,
    token_only: int,
    write: int,
) -> None:
    client = app.test_client()
    headers = credentials(tokens, registry, kind)
    assert client.get(LIST, headers=headers).status_code == public
    app.config["REGISTRY_API_PUBLIC_READS"] = "0"
    response = client.get(LIST, headers=headers)
    assert response.status_code == token_only
    if token_only == 401:
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    feed = client.get("/feeds/registry.atom", headers=headers)
    assert feed.status_code == (200 if token_only == 200 else 401)
    written = client.post(LIST, json=draft_body(), headers=headers)
    assert written.status_code == write, written.get_data(as_text=True)
    event = {"type": "Signed", "effective": "2026-02-03", "data": signed_data("PAK")}
    recorded = client.post(f"{LIST}/{REFERENCE}/events", json=event, headers=headers)
    assert recorded.status_code == write, recorded.get_data(as_text=True)
    if write in (401, 403):
        assert_problem(written, write)
        assert_problem(recorded, write)


def test_a_read_token_asked_to_write_says_why(app: Flask, tokens: Tokens) -> None:
    response = Api(app.test_client(), tokens.read).draft()
    problem = assert_problem(response, 403, "insufficient_scope")
    assert "may only read" in problem["detail"]


def test_token_only_reads_are_private_to_caches(app: Flask, tokens: Tokens) -> None:
    app.config["REGISTRY_API_PUBLIC_READS"] = "0"
    response = Api(app.test_client(), tokens.read).get("/api/v1/keys")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response.headers["Vary"]


def test_a_token_notes_when_it_was_last_used(
    app: Flask, registry: Registry, tokens: Tokens
) -> None:
    token_id = tokens.read.split("_")[1]
    assert ApiTokens(registry).get(token_id).last_used is None
    Api(app.test_client(), tokens.read).get(LIST)
    assert ApiTokens(registry).get(token_id).last_used is not None


# Tokens in the store ------------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_kept(registry: Registry) -> None:
    token, secret = ApiTokens(registry).create("portal", "read", created_by="admin")
    with registry.transaction() as session:
        row = session.execute(select(api_tokens).where(api_tokens.c.id == token.id)).one()
    assert secret not in [str(value) for value in row]
    assert row.token_sha256 == token_digest(secret)
    assert ApiTokens(registry).authenticate(secret) == ApiTokens(registry).get(token.id)
    assert ApiTokens(registry).authenticate(secret[:-1] + "x") is None


@pytest.mark.parametrize(
    ("scope", "officer", "field"),
    [
        ("write", None, "officer"),
        ("write", "nobody", "officer"),
        ("write", "auditor", "officer"),
        ("write", "officer.keyless", "officer"),
        ("read", ISLAMABAD, "officer"),
        ("admin", None, "scope"),
    ],
)
def test_tokens_that_cannot_be_made(
    registry: Registry, scope: str, officer: str | None, field: str
) -> None:
    Accounts(registry).add("officer.keyless", "a long enough password", Role.OFFICER)
    with pytest.raises(TokenError) as refused:
        ApiTokens(registry).create("x", scope, officer=officer, created_by="admin")
    assert refused.value.field == field


def test_a_token_is_revoked_once(registry: Registry) -> None:
    token, _ = ApiTokens(registry).create("x", "read", created_by="admin")
    revoked = ApiTokens(registry).revoke(token.id, revoked_by="admin")
    assert not revoked.active and revoked.revoked_by == "admin"
    with pytest.raises(TokenError, match="already revoked"):
        ApiTokens(registry).revoke(token.id, revoked_by="admin")
    with pytest.raises(TokenError, match="no token"):
        ApiTokens(registry).revoke("0000000000000000", revoked_by="admin")


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REGISTRY_HOME", str(settings.home))
    monkeypatch.setenv("REGISTRY_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("REGISTRY_LOG_ORIGIN", settings.log_origin)
    return settings


def test_the_tokens_cli_makes_lists_and_revokes(app: Flask, cli_env: Settings) -> None:
    runner = CliRunner()
    made = runner.invoke(
        main, ["tokens", "create", "ministry portal", "--scope", "write", "--officer", ISLAMABAD]
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("reg_")
    assert Api(app.test_client(), secret).draft().status_code == 201
    listed = runner.invoke(main, ["tokens", "list"])
    token_id = secret.split("_")[1]
    assert token_id in listed.output and f"write as {ISLAMABAD}" in listed.output
    assert runner.invoke(main, ["tokens", "revoke", token_id]).exit_code == 0
    assert Api(app.test_client(), secret).get(LIST).status_code == 401
    refused = runner.invoke(main, ["tokens", "create", "x", "--scope", "write"])
    assert refused.exit_code == 1
    assert "name the officer" in refused.output


# Rate limit, CORS ---------------------------------------------------------------------------------


def test_too_many_requests_are_a_429_with_retry_after(settings: Settings, tokens: Tokens) -> None:
    limited = make_app(settings, REGISTRY_API_RATE_LIMIT="3/3600")
    try:
        client = limited.test_client()
        assert [client.get(LIST).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(LIST)
        assert_problem(response, 429, "rate_limited")
        assert 3500 <= int(response.headers["Retry-After"]) <= 3600
        assert client.get(LIST, headers=tokens.bearer("read")).status_code == 200
    finally:
        limited.extensions["registry"].close()


@pytest.fixture
def cors_app(settings: Settings) -> Iterator[Flask]:
    app = make_app(
        settings, REGISTRY_API_CORS_ORIGINS="https://portal.example, https://tracker.example"
    )
    yield app
    app.extensions["registry"].close()


def test_reads_are_shared_with_the_configured_origins_only(cors_app: Flask, tokens: Tokens) -> None:
    client = cors_app.test_client()
    allowed = client.get(LIST, headers={"Origin": "https://portal.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://portal.example"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    other = client.get(LIST, headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        LIST,
        headers={
            "Origin": "https://tracker.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://tracker.example"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    write_preflight = client.options(
        LIST,
        headers={"Origin": "https://tracker.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in write_preflight.headers
    written = client.post(
        LIST,
        json=draft_body(),
        headers={**tokens.bearer("write"), "Origin": "https://portal.example"},
    )
    assert written.status_code == 201
    assert "Access-Control-Allow-Origin" not in written.headers


def test_without_configured_origins_there_is_no_cors(app: Flask) -> None:
    response = app.test_client().get(LIST, headers={"Origin": "https://portal.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# The admin page -----------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def login(client: FlaskClient, username: str) -> None:
    token = CSRF.search(client.get("/login").get_data(as_text=True))
    assert token is not None
    response = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302


def form_token(client: FlaskClient) -> str:
    found = CSRF.search(client.get("/admin/tokens").get_data(as_text=True))
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("who", "status"), [(None, 302), ("auditor", 403), (ISLAMABAD, 200), ("admin", 200)]
)
def test_admins_and_officers_see_the_tokens_page(app: Flask, who: str | None, status: int) -> None:
    client = app.test_client()
    if who:
        login(client, who)
    response = client.get("/admin/tokens")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_an_admin_makes_a_token_sees_its_secret_once_and_revokes_it(
    app: Flask, registry: Registry
) -> None:
    client = app.test_client()
    login(client, "admin")
    made = client.post(
        "/admin/tokens",
        data={"csrf_token": form_token(client), "name": "parliament tracker", "scope": "read"},
    )
    assert made.status_code == 201
    page = made.get_data(as_text=True)
    secret = re.search(r'value="(reg_[0-9a-f]{16}_[A-Za-z0-9_-]{43})"', page)
    assert secret is not None
    assert Api(app.test_client(), secret.group(1)).get(LIST).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "parliament tracker" in listing and secret.group(1) not in listing
    token_id = secret.group(1).split("_")[1]
    revoked = client.post(
        f"/admin/tokens/{token_id}/revoke", data={"csrf_token": form_token(client)}
    )
    assert revoked.status_code == 302
    assert Api(app.test_client(), secret.group(1)).get(LIST).status_code == 401
    assert not ApiTokens(registry).get(token_id).active


def test_the_tokens_form_explains_a_refusal(app: Flask) -> None:
    client = app.test_client()
    login(client, "admin")
    refused = client.post(
        "/admin/tokens",
        data={"csrf_token": form_token(client), "name": "portal", "scope": "write", "officer": ""},
    )
    assert refused.status_code == 422
    assert "name the officer" in refused.get_data(as_text=True)


def test_the_tokens_form_needs_a_csrf_token(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    login(client, "admin")
    response = client.post("/admin/tokens", data={"name": "portal", "scope": "read"})
    assert response.status_code == 400
