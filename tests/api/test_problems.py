"""Every error under /api/ is an RFC 9457 problem, even those raised before a view is chosen;
pages outside the API keep their own HTML error pages."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, text

from registry.store.application import Registry
from tests.api.conftest import REFERENCE, Api, assert_problem
from tests.integration.helpers import signed_data


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nothing-here", 404),
        ("get", "/api/v2/agreements", 404),
        ("get", "/api/v1/agreements/a/b/c", 404),
        ("delete", "/api/v1/agreements", 405),
        ("put", "/api/v1/agreements/PK-KZ-2026-001", 405),
        ("post", "/api/v1/keys", 405),
        ("post", "/api/v1/log/entries", 405),
        ("get", "/api/openapi.yaml", 404),
    ],
)
def test_errors_outside_any_view_are_problems_too(
    anonymous: Api, method: str, path: str, status: int
) -> None:
    response = getattr(anonymous.client, method)(path)
    problem = assert_problem(response, status)
    assert problem["type"] == "about:blank"
    assert problem["instance"] == path
    assert response.headers["Cache-Control"] == "no-store"
    if status == 405:
        assert response.headers["Allow"]


def test_a_problem_names_its_type_on_the_docs_page(anonymous: Api) -> None:
    problem = assert_problem(anonymous.get("/api/v1/agreements/XX-1"), 404, "agreement_not_found")
    assert problem["type"] == "/api/docs#problem-agreement-not-found"
    assert "XX-1" in problem["detail"]


def test_the_web_pages_keep_their_own_error_pages(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code in (302, 404)
    assert response.mimetype != "application/problem+json"


def test_validation_problems_list_every_field_at_fault(api: Api) -> None:
    response = api.post("/api/v1/agreements", {"data": "not an object", "source": 7})
    problem = assert_problem(response, 400, "invalid_request")
    assert set(problem["errors"]) == {"effective", "data", "source"}
    assert all(isinstance(messages, list) for messages in problem["errors"].values())


def test_a_tampered_event_is_never_served_but_reported_as_a_500_problem(
    api: Api, registry: Registry
) -> None:
    api.draft()
    api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"))
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        row = session.execute(
            select(cls.id, cls.state).where(
                cls.originator_id == registry.resolve(REFERENCE), cls.originator_version == 2
            )
        ).one()
    index = bytes(row.state).index(b'"sig":"') + 10
    state = bytes(row.state)
    flipped = (
        state[:index] + (b"A" if state[index : index + 1] != b"A" else b"B") + state[index + 1 :]
    )
    with registry.signed_recorder.datastore.engine.begin() as connection:
        connection.execute(
            text("UPDATE registry_events SET state = :s WHERE id = :id"),
            {"s": flipped, "id": row.id},
        )
    for path in (f"/api/v1/agreements/{REFERENCE}", f"/api/v1/agreements/{REFERENCE}/events"):
        problem = assert_problem(api.get(path), 500, "integrity_failure")
        assert "signature" in problem["detail"].lower()
    entries = api.get("/api/v1/log/entries", start=0, limit=1000)
    assert_problem(entries, 500, "integrity_failure")
