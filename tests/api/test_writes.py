"""Recording through the API: the forms' schemas and rules, the officer's key, If-Match and
Idempotency-Key, and one problem+json per refusal."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from registry.ledger.bundle import load_anchors, verify_record
from registry.ledger.checkpoint import open_checkpoint
from registry.ledger.payload import EventPayload
from registry.ledger.trust import Trust
from registry.store.accounts.tokens import idempotency_keys
from registry.store.application import Registry
from tests.api.conftest import REFERENCE, Api, Tokens, assert_problem, draft_body
from tests.integration.helpers import ASTANA, ISLAMABAD, signed_data


def count_events(registry: Registry, ref: str = REFERENCE) -> int:
    try:
        return registry.agreement(ref).version
    except Exception:
        return 0


def payload_of(record: dict[str, Any]) -> EventPayload:
    return EventPayload.from_bytes(base64.b64decode(record["envelope"]["payload"]))


def test_drafting_records_the_drafted_event_signed_by_the_tokens_officer(
    api: Api, registry: Registry
) -> None:
    response = api.draft()
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    agreement = str(registry.resolve(REFERENCE))
    assert response.headers["Location"] == f"/api/v1/agreements/{agreement}"
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Cache-Control"] == "no-store"
    assert (body["agreement"], body["version"], body["type"]) == (agreement, 1, "Drafted")
    payload = payload_of(body["record"])
    assert payload.actor == ISLAMABAD
    keyid = body["record"]["envelope"]["signatures"][0]["keyid"]
    assert keyid == registry.trust().officers()[ISLAMABAD][-1].keyid
    assert registry.state(REFERENCE).reference == REFERENCE


def test_the_answer_to_a_post_proves_the_new_event_against_a_signed_checkpoint(
    api: Api, registry: Registry
) -> None:
    record = api.draft().get_json()["record"]
    anchors, verifier = load_anchors(registry.settings.home / "public")
    checkpoint = open_checkpoint(record["checkpoint"], verifier)
    keyring = [o.payload for o in registry.opened_events(registry.keyring().id)]
    assert verify_record(record, Trust(anchors, keyring), checkpoint) == []
    assert checkpoint.size == record["index"] + 1


def test_recording_an_event_uses_the_same_schema_and_commands_as_the_forms(
    api: Api, registry: Registry
) -> None:
    api.draft()
    response = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["version"] == 2
    assert response.headers["ETag"] == '"2"'
    party = registry.state(REFERENCE).party("PAK")
    assert party is not None and party.signed is not None


def test_a_refusal_by_the_treaty_rules_is_a_422_naming_the_rule_and_field(
    api: Api, registry: Registry
) -> None:
    api.draft()
    response = api.record(
        REFERENCE, "ConsentExpressed", "2026-02-15", {"party": "PAK", "instrument": "ratification"}
    )
    problem = assert_problem(response, 422, "consent_without_signature")
    assert problem["field"]
    assert problem["type"].endswith("#problem-consent-without-signature")
    assert count_events(registry) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "Signed", "data": signed_data("PAK")}, "effective"),
        ({"type": "Signed", "effective": "2026-13-45", "data": signed_data("PAK")}, "effective"),
        ({"type": "Nonsense", "effective": "2026", "data": {}}, "type"),
        ({"type": "Drafted", "effective": "2026", "data": {}}, "type"),
        ({"type": "Signed", "effective": "2026", "data": {"party": "PAK"}}, "data"),
        ({"type": "Signed", "effective": "2026", "data": signed_data("PAK"), "extra": 1}, "extra"),
    ],
)
def test_invalid_input_is_a_400_with_errors_per_field(
    api: Api, registry: Registry, body: dict[str, Any], field: str
) -> None:
    api.draft()
    response = api.post(f"/api/v1/agreements/{REFERENCE}/events", body)
    problem = assert_problem(response, 400, "invalid_request")
    assert field in problem["errors"], problem
    assert count_events(registry) == 1


def test_errors_in_the_event_data_name_the_data_field(api: Api) -> None:
    api.draft()
    response = api.record(REFERENCE, "Signed", "2026", {"party": "PAK", "signatory": ""})
    problem = assert_problem(response, 400)
    assert set(problem["errors"]["data"]) >= {"signatory", "capacity"}


def test_recording_on_an_unknown_agreement_is_a_404(api: Api) -> None:
    response = api.record("XX-0000", "Signed", "2026-02-03", signed_data("PAK"))
    assert_problem(response, 404, "agreement_not_found")


def test_drafting_an_existing_reference_again_is_a_409_and_stores_nothing(
    api: Api, registry: Registry
) -> None:
    api.draft()
    assert_problem(api.draft(), 409, "version_conflict")
    assert count_events(registry) == 1


# If-Match -----------------------------------------------------------------------------------------


def test_if_match_with_the_current_version_records(api: Api) -> None:
    etag = api.draft().headers["ETag"]
    assert api.get(f"/api/v1/agreements/{REFERENCE}").headers["ETag"] == etag
    response = api.record(
        REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **{"If-Match": etag}
    )
    assert response.status_code == 201


def test_if_match_with_a_stale_version_is_a_412_and_records_nothing(
    api: Api, registry: Registry
) -> None:
    etag = api.draft().headers["ETag"]
    api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"))
    response = api.record(
        REFERENCE, "Signed", "2026-02-03", signed_data("KAZ"), **{"If-Match": etag}
    )
    assert_problem(response, 412, "precondition_failed")
    assert response.headers["ETag"] == '"2"'
    assert count_events(registry) == 2


def test_if_match_star_and_weak_tags(api: Api) -> None:
    api.draft()
    star = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **{"If-Match": "*"})
    assert star.status_code == 201
    weak = api.record(
        REFERENCE, "Signed", "2026-02-03", signed_data("KAZ"), **{"If-Match": 'W/"2"'}
    )
    assert_problem(weak, 412)  # If-Match compares strongly: a weak tag never matches


# Idempotency-Key ----------------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_returns_the_first_answer_and_records_once(
    api: Api, registry: Registry
) -> None:
    first = api.draft(**{"Idempotency-Key": "draft-900"})
    again = api.draft(**{"Idempotency-Key": "draft-900"})
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_events(registry) == 1


def test_a_retry_after_others_recorded_still_gets_its_own_answer(
    api: Api, app: Flask, tokens: Tokens
) -> None:
    api.draft()
    key = {"Idempotency-Key": "sign-pak"}
    first = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **key)
    Api(app.test_client(), tokens.astana).record(
        REFERENCE, "Signed", "2026-02-03", signed_data("KAZ", place="Astana")
    )
    again = api.record(REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **key)
    assert again.status_code == 201 and again.get_data() == first.get_data()


def test_the_same_key_with_another_body_is_a_422(api: Api, registry: Registry) -> None:
    api.draft(**{"Idempotency-Key": "k1"})
    other = api.post("/api/v1/agreements", draft_body("PK-KZ-2026-901"), {"Idempotency-Key": "k1"})
    assert_problem(other, 422, "idempotency_key_reused")
    assert count_events(registry, "PK-KZ-2026-901") == 0


def test_idempotency_keys_belong_to_one_token(
    app: Flask, tokens: Tokens, registry: Registry
) -> None:
    Api(app.test_client(), tokens.write).draft(**{"Idempotency-Key": "shared"})
    other = Api(app.test_client(), tokens.astana).post(
        "/api/v1/agreements", draft_body("PK-KZ-2026-901"), {"Idempotency-Key": "shared"}
    )
    assert other.status_code == 201
    assert payload_of(other.get_json()["record"]).actor == ASTANA


def test_a_failed_request_keeps_no_key_so_a_corrected_retry_records(
    api: Api, registry: Registry
) -> None:
    key = {"Idempotency-Key": "first-try"}
    api.draft()
    refused = api.record(
        REFERENCE,
        "ConsentExpressed",
        "2026-02-15",
        {"party": "PAK", "instrument": "ratification"},
        **key,
    )
    assert refused.status_code == 422
    with registry.transaction() as session:
        assert session.execute(select(func.count()).select_from(idempotency_keys)).scalar() == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "café"])
def test_a_malformed_idempotency_key_is_a_400(api: Api, key: str) -> None:
    headers = {"Idempotency-Key": key}
    response = api.client.post(
        "/api/v1/agreements",
        data=json.dumps(draft_body()).encode(),
        content_type="application/json",
        headers={
            **api.headers(),
            **{k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()},
        },
    )
    assert_problem(response, 400, "invalid_idempotency_key")


def test_two_racing_requests_with_one_key_record_once(
    app: Flask, tokens: Tokens, registry: Registry
) -> None:
    Api(app.test_client(), tokens.write).draft()
    barrier = threading.Barrier(4)
    answers: list[Any] = []

    def post() -> None:
        client = Api(app.test_client(), tokens.write)
        barrier.wait()
        answers.append(
            client.record(
                REFERENCE, "Signed", "2026-02-03", signed_data("PAK"), **{"Idempotency-Key": "race"}
            )
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.get_data() for a in answers}) == 1
    assert count_events(registry) == 2


# HTTP manners -------------------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_a_415(api: Api) -> None:
    response = api.client.post(
        "/api/v1/agreements",
        data="effective=2026",
        content_type="application/x-www-form-urlencoded",
        headers=api.headers(),
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_a_body_over_the_limit_is_a_413(app: Flask, api: Api) -> None:
    app.config["REGISTRY_API_MAX_BODY"] = "1000"
    body = draft_body(summary="x" * 2000)
    assert_problem(api.post("/api/v1/agreements", body), 413, "body_too_large")


def test_a_malformed_json_body_is_a_400(api: Api) -> None:
    response = api.client.post(
        "/api/v1/agreements",
        data=b"{not json",
        content_type="application/json",
        headers=api.headers(),
    )
    assert_problem(response, 400)
