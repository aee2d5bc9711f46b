"""The OpenAPI document: served, complete, honest. schemathesis generates requests from it for
every operation (a bounded, derandomized number) and checks that no answer is a 5xx and that
every answer conforms to the document: status, content type, headers and body schema."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.store.application import Registry
from registry.web.api.schemas import state_schema
from tests.api.conftest import Api, copy_home, make_app, make_tokens
from tests.api.test_reads import ALL

OPERATIONS = {
    ("get", "/api/v1/agreements"),
    ("post", "/api/v1/agreements"),
    ("get", "/api/v1/agreements/{ref}"),
    ("get", "/api/v1/agreements/{ref}/events"),
    ("post", "/api/v1/agreements/{ref}/events"),
    ("get", "/api/v1/agreements/{ref}/bundle"),
    ("get", "/api/v1/log/checkpoint"),
    ("get", "/api/v1/log/entries"),
    ("get", "/api/v1/log/proof/inclusion"),
    ("get", "/api/v1/log/proof/consistency"),
    ("get", "/api/v1/keys"),
    ("get", "/api/v1/parties/{code}/agreements"),
    ("post", "/api/v1/imports/status"),
}


def test_the_openapi_document_describes_every_operation(app: Flask) -> None:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    methods = ("get", "post", "put", "patch", "delete")
    operations = {
        (method, path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in methods
    }
    assert set(operations) == OPERATIONS
    problem = spec["components"]["responses"]["BAD_REQUEST"]["content"]
    assert "application/problem+json" in problem
    for (method, path), operation in operations.items():
        assert operation["summary"], (method, path)
        responses = operation["responses"]
        assert "400" in responses and "429" in responses and "default" in responses
        if method == "post":
            assert operation["security"] == [{"bearerAuth": []}]
            assert {"401", "403", "409", "413", "415", "422"} <= set(responses)


def test_the_docs_page_lists_every_operation_and_problem(app: Flask) -> None:
    page = app.test_client().get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for method, path in OPERATIONS:
        assert f"{method.upper()} {path}" in html
    for code in ("version_conflict", "consent_without_signature", "idempotency_key_reused"):
        assert f'id="problem-{code.replace("_", "-")}"' in html


def test_the_state_schema_serialises_every_state_unchanged(seeded_app: Flask) -> None:
    registry: Registry = seeded_app.extensions["registry"]
    schema = state_schema()()
    for ref in ALL:
        for as_of in (None, date(2022, 1, 1), date(2026, 2, 4)):
            document = registry.state(ref, as_of=as_of).to_dict()
            assert schema.dump(document) == document, ref


# schemathesis -------------------------------------------------------------------------------------


@pytest.fixture
def api_app(seeded_home: Path, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(copy_home(seeded_home, tmp_path / "instance"))
    yield app
    app.extensions["registry"].close()


@pytest.fixture
def write_token(api_app: Flask) -> str:
    return make_tokens(api_app.extensions["registry"]).write


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize(("method", "path"), sorted(OPERATIONS))
def test_every_answer_conforms_to_the_openapi_document(
    api_app: Flask, write_token: str, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    operation = schema[path][method.upper()]
    headers = {"Authorization": f"Bearer {write_token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answer_conforms(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    answer_conforms()


def test_the_generated_requests_reached_real_records(api_app: Flask, write_token: str) -> None:
    """The examples above are not all refusals: the seeded records are there to be found."""
    api = Api(api_app.test_client(), write_token)
    assert api.get("/api/v1/agreements/PK-KZ-2026-001").status_code == 200
    assert api.get("/api/v1/log/entries", start=0).status_code == 200


# every event type, documented --------------------------------------------------------------------


def test_the_openapi_document_validates_and_gives_every_event_type_its_schema(app: Flask) -> None:
    from openapi_schema_validator import OAS30Validator
    from openapi_spec_validator import validate

    from registry.domain.catalogue import DECLARATIONS
    from registry.web.schemas import load_event_data

    spec = app.test_client().get("/api/openapi.json").get_json()
    validate(spec)
    schemas = spec["components"]["schemas"]
    body = schemas["EventRequest"]
    assert body["discriminator"]["propertyName"] == "type"
    mapping = body["discriminator"]["mapping"]
    for declaration in DECLARATIONS:
        name = declaration.name
        event = schemas[f"{name}Event"]
        data = schemas[f"{name}Data"]
        assert event["properties"]["type"]["enum"] == [name]
        assert set(data.get("required", [])) == set(declaration.required()), name
        example = event["example"]
        OAS30Validator({"$ref": f"#/components/schemas/{name}Event", **spec}).validate(example)
        load_event_data(name, example["data"])  # the example is data the registry accepts
        if name != "Drafted":
            assert mapping[name] == f"#/components/schemas/{name}Event"
    assert "Drafted" not in mapping
    # defaults the domain applies are optional in the API, as in fixtures and forms
    assert "signature_type" not in schemas["SignedData"]["required"]
    assert "status" not in schemas["MilestoneRecordedData"]["required"]
    assert "withdrawal_notice_months" not in schemas["DraftedData"]["required"]
    assert "takes_effect" not in schemas["WithdrawalNotifiedData"]["required"]
    instruments = schemas["ConsentExpressedData"]["properties"]["instrument"]["enum"]
    assert "formal_confirmation" in instruments
    operations = [
        operation
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids)) == len(operations)


def test_the_docs_page_lists_the_event_types_and_describes_each_problem_code(app: Flask) -> None:
    from registry.domain.catalogue import DECLARATIONS

    html = app.test_client().get("/api/docs").get_data(as_text=True)
    for declaration in DECLARATIONS:
        assert f'id="event-{declaration.name}"' in html
    assert "objection_to_own_reservation" in html
    assert "A party does not object to its own reservation" in html


def test_recording_any_event_type_through_the_api_conforms(
    api_app: Flask, write_token: str
) -> None:
    """The discriminated body: generated bodies of every type, never a 5xx, answers conform."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    operation = schema["/api/v1/agreements/{ref}/events"]["POST"]
    headers = {"Authorization": f"Bearer {write_token}"}
    seen: set[str] = set()

    @given(case=operation.as_strategy())
    @settings(
        max_examples=150,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answer_conforms(case: schemathesis.Case) -> None:
        case.path_parameters = {"ref": "TETC-2022"}
        if isinstance(case.body, dict) and isinstance(case.body.get("type"), str):
            seen.add(case.body["type"])
        case.call_and_validate(headers=headers, checks=CHECKS)

    answer_conforms()
    assert len(seen) >= 10
