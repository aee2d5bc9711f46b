"""Input that every database stores alike (findings 3, 6 and 9), on SQLite and PostgreSQL: NUL,
other control characters and lone surrogates, deep nesting, duplicate keys and references
outside their rule are client errors naming the field, never a 500 nor a stored record."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from registry.store.application import Registry
from tests.api.both_databases import log_in, post_form
from tests.api.conftest import REFERENCE, Api, assert_problem, draft_body
from tests.integration.helpers import ISLAMABAD, drafted_data

BAD_TEXT = ["Transit\x00Trade", "Transit\x07Trade", "Transit\ud800Trade", "Transit\nTrade"]


def raw_post(api: Api, path: str, text: str) -> Any:
    return api.client.post(
        path,
        data=text.encode("utf-8", "surrogatepass"),
        headers=api.headers({"Content-Type": "application/json"}),
    )


@pytest.mark.parametrize("title", BAD_TEXT)
def test_a_title_with_a_control_character_or_lone_surrogate_is_a_field_error(
    db_api: Api, title: str
) -> None:
    body = json.dumps(draft_body(titles={"en": title}))  # \ud800 goes out as its JSON escape
    problem = assert_problem(raw_post(db_api, "/api/v1/agreements", body), 400, "invalid_request")
    assert "data.titles.en" in problem["errors"]
    assert_problem(db_api.get(f"/api/v1/agreements/{REFERENCE}"), 404)


def test_a_summary_may_hold_line_breaks_but_not_nul_nor_a_lone_surrogate(db_api: Api) -> None:
    for summary in ("A summary\x00", "A summary\udfff"):
        body = json.dumps(draft_body(summary=summary))
        problem = assert_problem(raw_post(db_api, "/api/v1/agreements", body), 400)
        assert "data.summary" in problem["errors"]
    response = db_api.post("/api/v1/agreements", draft_body(summary="Line one\nLine two\ttab"))
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("parameter", ["q", "party"])
def test_nul_in_a_query_string_is_a_400_problem(db_api: Api, parameter: str) -> None:
    db_api.draft()
    response = db_api.client.get(f"/api/v1/agreements?{parameter}=%00", headers=db_api.headers())
    problem = assert_problem(response, 400, "invalid_request")
    assert parameter in problem["errors"]


@pytest.mark.parametrize("path", ["/agreements", "/audit", "/audit/report.json"])
def test_nul_in_a_search_of_the_pages_is_refused_with_a_message(db_app: Flask, path: str) -> None:
    client = db_app.test_client()
    log_in(client, "auditor")
    for query in ("q=%00", "party=PAK%00", "q=a%01b"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert "U+00" in response.get_data(as_text=True)
    assert client.get(f"{path}?q=Transit").status_code == 200


DRAFT_FORM = {
    "reference": "PK-KZ-2026-951",
    "titles-0-lang": "en",
    "titles-0-text": "Agreement on Air Services",
    "kind": "agreement",
    "character": "binding",
    "parties-0-code": "PAK",
    "parties-0-name": "Pakistan",
    "parties-0-type": "state",
    "parties-1-code": "KAZ",
    "parties-1-name": "Kazakhstan",
    "parties-1-type": "state",
    "effective": "2026-02-05",
}


def assert_form_given_back(html: str, field_id: str) -> None:
    """The form again, not an error page: its error summary, and the field's own message
    (its `-error` block, which the input is described by) naming the character."""
    assert '<div class="error-summary" role="alert"' in html and 'type="submit"' in html
    assert "Some of what you sent cannot be stored" not in html  # the 400 page of other forms
    message = re.search(rf'<div class="field-error" id="{field_id}-error">(.*?)</div>', html)
    assert message, f"no message beside {field_id}"
    assert re.search(r"U\+000[07] at position \d+, a control character", message.group(1))
    assert re.search(rf'aria-describedby="[^"]*{field_id}-error', html)


@pytest.mark.parametrize("bad", ["Agreement on\x00Air Services", "Agreement on\x07Air Services"])
def test_a_control_character_in_the_drafting_form_gives_the_form_back_with_the_field_message(
    db_app: Flask, bad: str
) -> None:
    client = db_app.test_client()
    log_in(client, ISLAMABAD)
    response = post_form(client, "/agreements/new", {**DRAFT_FORM, "titles-0-text": bad})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert_form_given_back(html, "f-titles")
    assert 'href="#titles-0-text"' in html or 'href="#f-titles"' in html
    assert 'value="PK-KZ-2026-951"' in html  # the rest of what was typed is kept
    assert client.get("/agreements/PK-KZ-2026-951").status_code == 404


@pytest.mark.parametrize(
    ("url", "form", "field_id"),
    [
        (
            "/agreements/PK-KZ-2026-951/record/Signed",
            {
                "party": "PAK",
                "signatory": "Ishaq\x00Dar",
                "capacity": "Minister",
                "signature_type": "simple",
                "effective": "2026-02-06",
            },
            "f-signatory",
        ),
        (
            "/agreements/PK-KZ-2026-951/events/1/correct",
            {"action": "supersede", "effective": "2026-02-07", "reason": "The title\x00was wrong"},
            "f-reason",
        ),
    ],
    ids=["event", "correction"],
)
def test_a_nul_in_an_event_or_correction_form_gives_it_back_and_records_nothing(
    db_app: Flask, db_registry: Registry, url: str, form: dict[str, str], field_id: str
) -> None:
    client = db_app.test_client()
    log_in(client, ISLAMABAD)
    assert post_form(client, "/agreements/new", DRAFT_FORM).status_code == 302
    response = post_form(client, url, {"expected_version": "1", **form})
    assert response.status_code == 400
    assert_form_given_back(response.get_data(as_text=True), field_id)
    assert db_registry.agreement("PK-KZ-2026-951").version == 1


def test_a_nul_in_a_form_that_has_no_field_messages_is_still_a_400_page(db_app: Flask) -> None:
    client = db_app.test_client()
    response = post_form(client, "/login", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 400
    assert "Some of what you sent cannot be stored" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 30_000 + "1" + "}" * 30_000,
    ],
)
def test_json_nested_very_deep_is_a_400_problem(db_api: Api, body: str) -> None:
    problem = assert_problem(raw_post(db_api, "/api/v1/agreements", body), 400, "invalid_request")
    assert "nested" in json.dumps(problem["errors"])


def test_a_900_level_value_in_a_correction_is_a_400_problem(db_api: Api) -> None:
    assert db_api.draft().status_code == 201
    deep: Any = "x"
    for _ in range(900):
        deep = [deep]
    body = {
        "type": "EventCorrected",
        "effective": "2026-02-02",
        "reason": "typo",
        "data": {"corrects": 1, "action": "supersede", "changes": {"summary": deep}},
    }
    response = db_api.post(f"/api/v1/agreements/{REFERENCE}/events", body)
    problem = assert_problem(response, 400, "invalid_request")
    assert "nested" in json.dumps(problem["errors"])


def test_a_key_given_twice_is_a_400_problem(db_api: Api) -> None:
    body = json.dumps(draft_body())[:-1] + ', "source": "another source"}'
    problem = assert_problem(raw_post(db_api, "/api/v1/agreements", body), 400, "invalid_request")
    assert "source" in problem["errors"]
    assert_problem(db_api.get(f"/api/v1/agreements/{REFERENCE}"), 404)


@pytest.mark.parametrize(
    "reference", ["../../etc/passwd", "A/B?c=1#x", "PK-KZ\n2026", "PK KZ 2026", "-PK", "x" * 65]
)
def test_a_reference_outside_its_character_set_is_refused(db_api: Api, reference: str) -> None:
    response = db_api.post("/api/v1/agreements", draft_body(reference=reference))
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "reference" in response.get_data(as_text=True)


@pytest.mark.parametrize("reference", ["PK-KZ-2026-001", "TETC-2022", "TETC-2022-P1", "a1.b_c"])
def test_references_like_the_fixtures_ones_are_accepted(db_api: Api, reference: str) -> None:
    response = db_api.post("/api/v1/agreements", draft_body(reference=reference))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_nul_in_a_path_part_is_a_problem_not_a_500(db_api: Api) -> None:
    assert_problem(db_api.get("/api/v1/agreements/PK%00KZ"), 400, "invalid_request")


def test_a_search_for_nul_no_longer_matches_everything(db_api: Api) -> None:
    assert db_api.draft().status_code == 201
    assert db_api.get("/api/v1/agreements", q="\x00").status_code == 400
    found = db_api.get("/api/v1/agreements", q="Transit").get_json()
    assert len(found["items"]) == 1


def test_the_domain_refuses_such_text_in_commands_too(db_registry: Registry) -> None:
    from registry.domain.characters import UnsafeText
    from tests.integration.helpers import day

    with pytest.raises(UnsafeText) as refused:
        db_registry.draft(
            effective=day("2026-02-01"),
            actor=ISLAMABAD,
            data=drafted_data(titles={"en": "Transit\x00Trade"}),
        )
    assert refused.value.field == "titles"
