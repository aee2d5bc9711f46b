"""Login, logout, sessions, CSRF, security headers and the login rate limit."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.store.accounts.users import Accounts
from registry.store.application import Registry
from tests.web.conftest import DEMO_PASSWORD, OFFICER, Auth, csrf_token


def log_in(client: FlaskClient, username: str, password: str, **extra: str) -> TestResponse:
    return client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client),
            "username": username,
            "password": password,
            **extra,
        },
    )


def test_anonymous_users_are_sent_to_the_login_page(client: FlaskClient) -> None:
    response = client.get("/agreements")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/agreements")
    assert client.get("/login").status_code == 200


def test_an_officer_logs_in_and_lands_on_the_list(client: FlaskClient) -> None:
    response = log_in(client, OFFICER, DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/agreements"
    page = client.get("/agreements").get_data(as_text=True)
    assert OFFICER in page
    assert "New agreement" in page


@pytest.mark.parametrize(
    ("username", "password"),
    [(OFFICER, "wrong-password!"), ("nobody", DEMO_PASSWORD), ("", ""), (OFFICER, "")],
)
def test_a_wrong_login_is_refused_with_one_message(
    client: FlaskClient, username: str, password: str
) -> None:
    response = log_in(client, username, password)
    assert response.status_code == 401
    assert "The username or password is not right" in response.get_data(as_text=True)
    assert client.get("/agreements").status_code == 302


def test_the_login_page_keeps_the_username_escaped(client: FlaskClient) -> None:
    response = log_in(client, '"><script>alert(1)</script>', "x")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html or "&quot;&gt;&lt;script&gt;" in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_to_another_site(client: FlaskClient, target: str) -> None:
    response = log_in(client, OFFICER, DEMO_PASSWORD, next=target)
    assert response.headers["Location"] == "/agreements"


def test_login_returns_to_the_page_asked_for(client: FlaskClient) -> None:
    response = log_in(client, OFFICER, DEMO_PASSWORD, next="/agreements?q=transit")
    assert response.headers["Location"] == "/agreements?q=transit"


def test_logout_ends_the_session(client: FlaskClient, auth: Auth) -> None:
    auth.login("auditor")
    response = client.post("/logout", data={"csrf_token": auth.token()})
    assert response.status_code == 302
    assert client.get("/agreements").status_code == 302


def test_logout_needs_a_post_with_a_csrf_token(client: FlaskClient, auth: Auth) -> None:
    auth.login("auditor")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/agreements").status_code == 200


def test_a_password_change_ends_open_sessions(
    client: FlaskClient, auth: Auth, registry: Registry
) -> None:
    auth.login("officer")
    Accounts(registry).set_password(OFFICER, "a-brand-new-password")
    assert client.get("/agreements").status_code == 302


def test_a_disabled_account_cannot_log_in_and_loses_its_session(
    client: FlaskClient, auth: Auth, registry: Registry
) -> None:
    auth.login("officer")
    Accounts(registry).set_disabled(OFFICER, True)
    assert client.get("/agreements").status_code == 302
    assert log_in(client, OFFICER, DEMO_PASSWORD).status_code == 401


def test_the_session_cookie_is_http_only_and_same_site(client: FlaskClient) -> None:
    response = log_in(client, OFFICER, DEMO_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_carry_the_security_headers(client: FlaskClient, auth: Auth) -> None:
    for response in (client.get("/login"), client.get("/agreements")):
        headers = response.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
    auth.login("officer")
    assert client.get("/agreements").headers["Cache-Control"] == "no-store"


def test_login_without_a_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": OFFICER, "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_login_with_a_wrong_csrf_token_is_refused(client: FlaskClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": "forged", "username": OFFICER, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 400


def test_a_token_from_another_session_is_refused(app: Flask, client: FlaskClient) -> None:
    other = app.test_client()
    token = csrf_token(other)
    client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": token, "username": OFFICER, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 400


def test_login_attempts_are_rate_limited(app: Flask, client: FlaskClient) -> None:
    app.config["REGISTRY_LOGIN_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert log_in(client, OFFICER, "wrong-password!").status_code == 401
    limited = log_in(client, OFFICER, DEMO_PASSWORD)
    assert limited.status_code == 429
    assert "Too many login attempts" in limited.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only POSTs count
