"""An app on SQLite and on PostgreSQL, with tokens and logins: import the fixtures you need.

`db_app` is parametrized over both databases; the PostgreSQL case is marked `postgres` and
skips (or fails under REGISTRY_REQUIRE_POSTGRES) without a server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.api.conftest import Api, Tokens, copy_home, make_app, make_tokens
from tests.conftest import settings_for
from tests.integration.helpers import OFFICERS
from tests.web.conftest import DEMO_PASSWORD, csrf_token

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def db_settings(request: pytest.FixtureRequest, template_home: Path, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return copy_home(template_home, tmp_path / "instance")
    url = request.getfixturevalue("postgres_url")
    settings = settings_for(tmp_path / "instance", url)
    initialise(settings, demo_officers=OFFICERS)
    return settings


@pytest.fixture
def db_app(db_settings: Settings) -> Iterator[Flask]:
    app = make_app(db_settings, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def db_registry(db_app: Flask) -> Registry:
    return db_app.extensions["registry"]


@pytest.fixture
def db_tokens(db_registry: Registry) -> Tokens:
    return make_tokens(db_registry)


@pytest.fixture
def db_api(db_app: Flask, db_tokens: Tokens) -> Api:
    return Api(db_app.test_client(), db_tokens.write)


def log_in(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client), "username": username, "password": password},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], token_from: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, token_from or url), **data})
