"""Shared fixtures: a fresh registry instance on SQLite, or on PostgreSQL in a schema of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry.store.settings import Settings

POSTGRES_ENV = "REGISTRY_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parents[1]


def _postgres_unavailable(reason: str) -> None:
    if os.environ.get("REGISTRY_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL is required here but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of this test run's own, dropped afterwards."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        _postgres_unavailable(f"{POSTGRES_ENV} is not set")
    name = f"registry_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        _postgres_unavailable(f"cannot create a database at {base}: {error}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """A schema of this test's own inside the run's database (search_path set per connection)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_database).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def settings_for(home: Path, database_url: str | None = None) -> Settings:
    env = {
        "REGISTRY_HOME": str(home),
        "REGISTRY_KEYS_DIR": str(home / "published-keys"),
        "REGISTRY_LOG_ORIGIN": "test.registry.example/log",
    }
    if database_url:
        env["REGISTRY_DATABASE_URL"] = database_url
    return Settings.from_env(env)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path / "instance")


@pytest.fixture
def postgres_settings(tmp_path: Path, postgres_url: str) -> Settings:
    return settings_for(tmp_path / "instance", postgres_url)
