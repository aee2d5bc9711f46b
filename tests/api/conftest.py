"""Fixtures for the JSON API: a real registry (SQLite; PostgreSQL where marked), the app, tokens.

`initialise` with the demo officers and users runs once per session into a template instance,
which each test copies; `seeded_home` also holds the seed fixtures (fixtures/*.json).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.store.accounts.tokens import ApiTokens
from registry.store.application import Registry
from registry.store.bulk.fixtures import load_steps, read_steps
from registry.store.settings import Settings
from registry.store.setup import initialise
from registry.web import create_app
from tests.conftest import REPO, settings_for
from tests.integration.helpers import ASTANA, ISLAMABAD, OFFICERS, drafted_data

FIXTURES = sorted((REPO / "fixtures").glob("*.json"))
REFERENCE = "PK-KZ-2026-900"


@pytest.fixture(scope="session")
def template_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("api-template") / "instance"
    initialise(settings_for(home), demo_officers=OFFICERS)
    return home


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory, template_home: Path) -> Path:
    home = tmp_path_factory.mktemp("api-seeded") / "instance"
    shutil.copytree(template_home, home)
    registry = Registry(settings_for(home))
    try:
        for path in FIXTURES:
            load_steps(registry, read_steps(path), where=str(path))
    finally:
        registry.close()
    return home


def copy_home(source: Path, target: Path) -> Settings:
    shutil.copytree(source, target)
    return settings_for(target)


def make_app(settings: Settings, **config: Any) -> Flask:
    return create_app(
        {"REGISTRY_SETTINGS": settings, "TESTING": True, "REGISTRY_API_RATE_LIMIT": "0", **config}
    )


@pytest.fixture
def settings(template_home: Path, tmp_path: Path) -> Settings:
    return copy_home(template_home, tmp_path / "instance")


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = make_app(settings)
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def seeded_app(seeded_home: Path, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(copy_home(seeded_home, tmp_path / "seeded"))
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def registry(app: Flask) -> Registry:
    return app.extensions["registry"]


@dataclass
class Tokens:
    read: str
    write: str  # officer.islamabad
    astana: str  # officer.astana

    def bearer(self, which: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, which)}"}


def make_tokens(registry: Registry) -> Tokens:
    tokens = ApiTokens(registry)
    _, read = tokens.create("research database", "read", created_by="admin")
    _, write = tokens.create("ministry portal", "write", officer=ISLAMABAD, created_by=ISLAMABAD)
    _, astana = tokens.create("astana portal", "write", officer=ASTANA, created_by=ASTANA)
    return Tokens(read, write, astana)


@pytest.fixture
def tokens(registry: Registry) -> Tokens:
    return make_tokens(registry)


class Api:
    """The test client, speaking JSON with a token."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> TestResponse:
        return self.client.get(path, query_string=query or None, headers=self.headers(headers))

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> TestResponse:
        return self.client.post(path, json=body, headers=self.headers(headers))

    def draft(self, reference: str = REFERENCE, **headers: str) -> TestResponse:
        return self.post("/api/v1/agreements", draft_body(reference), headers=headers or None)

    def record(
        self, ref: str, type_name: str, effective: str, data: dict[str, Any], **headers: str
    ) -> TestResponse:
        body = {"type": type_name, "effective": effective, "data": data}
        return self.post(f"/api/v1/agreements/{ref}/events", body, headers=headers or None)


def draft_body(reference: str = REFERENCE, **data: Any) -> dict[str, Any]:
    return {
        "effective": "2026-02-01",
        "source": "note verbale 12/2026",
        "data": drafted_data(reference, **data),
    }


@pytest.fixture
def api(app: Flask, tokens: Tokens) -> Api:
    return Api(app.test_client(), tokens.write)


@pytest.fixture
def reader(app: Flask, tokens: Tokens) -> Api:
    return Api(app.test_client(), tokens.read)


@pytest.fixture
def anonymous(app: Flask) -> Api:
    return Api(app.test_client())


def assert_problem(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["status"] == status
    assert problem["title"]
    assert problem["type"]
    if code is not None:
        assert problem["code"] == code, problem
    return problem


# The same app on SQLite and PostgreSQL (parametrized): tests/api/both_databases.py.
from tests.api.both_databases import (  # noqa: E402, F401
    db_api,
    db_app,
    db_registry,
    db_settings,
    db_tokens,
)
