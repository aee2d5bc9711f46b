"""The API's writes on PostgreSQL, the production database: the same guarantees as on SQLite
(optimistic concurrency, one record per idempotency key even under a race, proofs)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from registry.ledger.bundle import load_anchors, verify_bundle
from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.api.conftest import REFERENCE, Api, Tokens, assert_problem, make_app, make_tokens
from tests.conftest import settings_for
from tests.integration.helpers import OFFICERS, signed_data

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    settings = settings_for(tmp_path / "instance", postgres_url)
    initialise(settings, demo_officers=OFFICERS)
    return settings


@pytest.fixture
def pg_app(pg_settings: Settings) -> Iterator[Flask]:
    app = make_app(pg_settings)
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def pg_registry(pg_app: Flask) -> Registry:
    return pg_app.extensions["registry"]


@pytest.fixture
def pg_tokens(pg_registry: Registry) -> Tokens:
    return make_tokens(pg_registry)


def test_recording_with_if_match_and_a_stale_tag_on_postgres(
    pg_app: Flask, pg_tokens: Tokens, pg_registry: Registry
) -> None:
    api = Api(pg_app.test_client(), pg_tokens.write)
    etag = api.draft().headers["ETag"]
    signed = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **{"If-Match": etag})
    assert signed.status_code == 201
    stale = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("KAZ"), **{"If-Match": etag})
    assert_problem(stale, 412, "precondition_failed")
    assert_problem(api.draft(), 409, "version_conflict")
    assert pg_registry.agreement(REFERENCE).version == 2


def test_racing_retries_record_once_on_postgres(
    pg_app: Flask, pg_tokens: Tokens, pg_registry: Registry
) -> None:
    Api(pg_app.test_client(), pg_tokens.write).draft()
    barrier = threading.Barrier(4)
    answers: list[Any] = []

    def post() -> None:
        api = Api(pg_app.test_client(), pg_tokens.write)
        barrier.wait()
        answers.append(
            api.record(
                REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **{"Idempotency-Key": "r"}
            )
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201] * 4
    assert len({a.get_data() for a in answers}) == 1
    assert pg_registry.agreement(REFERENCE).version == 2


def test_a_bundle_from_postgres_verifies_offline(
    pg_app: Flask, pg_tokens: Tokens, pg_registry: Registry
) -> None:
    api = Api(pg_app.test_client(), pg_tokens.write)
    api.draft()
    api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"))
    bundle = api.get(f"/api/v1/agreements/{REFERENCE}/bundle").get_json()
    anchors, verifier = load_anchors(pg_registry.settings.keys_dir)
    report = verify_bundle(bundle, anchors, verifier)
    assert report.ok, report.problems
    assert report.events == 2
