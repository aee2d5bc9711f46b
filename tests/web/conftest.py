"""Fixtures for the officer web interface: a real registry (SQLite), the app, and logins.

`initialise` with the demo officers runs once per session into a template instance, which each
test copies: every test gets its own database, keys and documents folder.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise
from registry.web import create_app
from tests.conftest import settings_for
from tests.integration.helpers import OFFICERS, drafted_data

DEMO_PASSWORD = "demo-password"
OFFICER = "officer.islamabad"
REFERENCE = "PK-KZ-2026-900"
ROLES = {"officer": OFFICER, "auditor": "auditor", "admin": "admin"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("template") / "instance"
    initialise(settings_for(home), demo_officers=OFFICERS)
    return home


@pytest.fixture
def settings(template_home: Path, tmp_path: Path) -> Settings:
    home = tmp_path / "instance"
    shutil.copytree(template_home, home)
    return settings_for(home)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app({"REGISTRY_SETTINGS": settings, "TESTING": True, "WTF_CSRF_ENABLED": True})
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def registry(app: Flask) -> Registry:
    return app.extensions["registry"]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def agreement(registry: Registry) -> str:
    """A bilateral binding agreement between Pakistan and Kazakhstan, drafted (version 1)."""
    registry.draft(effective=_day("2026-02-01"), actor=OFFICER, data=drafted_data(REFERENCE))
    return REFERENCE


def _day(text: str) -> PartialDate:
    return PartialDate.parse(text)


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    page = client.get(url)
    found = TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, who: str = "officer", password: str = DEMO_PASSWORD) -> None:
        username = ROLES.get(who, who)
        response = self.client.post(
            "/login",
            data={
                "csrf_token": csrf_token(self.client),
                "username": username,
                "password": password,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    def token(self, url: str = "/agreements") -> str:
        return csrf_token(self.client, url)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


def post_form(
    client: FlaskClient, url: str, data: dict[str, object], *, token_from: str | None = None
) -> TestResponse:
    """POST with a valid CSRF token taken from `token_from` (default: the same URL)."""
    body = {"csrf_token": csrf_token(client, token_from or url), **data}
    return client.post(url, data=body)


def error_summary(html: str) -> str:
    found = re.search(r'<div class="error-summary[^"]*".*?</div>', html, re.S)
    return found.group(0) if found else ""
