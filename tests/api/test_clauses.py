"""Clauses and the date rules through the API: field errors by path, named 422 refusals,
the clause-derived status in the answers, and the clause format on the docs page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.store.application import Registry
from tests.api.conftest import Api, assert_problem
from tests.integration.helpers import signed_data

TREATY = "CL-2026-901"
STATES = [
    {"code": "PAK", "name": "Pakistan", "type": "state"},
    {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
    {"code": "UZB", "name": "Uzbekistan", "type": "state"},
]
CLAUSES = {
    "entry_into_force": {"instruments": 2, "days_after": 30, "later_parties_days_after_deposit": 30}
}


def treaty_body(clauses: Any = CLAUSES, **data: Any) -> dict[str, Any]:
    body = {
        "reference": TREATY,
        "titles": {"en": "Agreement on Transit Routes", "kk": "Көлік бағыттары туралы келісім"},
        "kind": "agreement",
        "character": "binding",
        "multilateral": True,
        "parties": STATES,
        "withdrawal_notice_months": 12,  # required by the API until its defaults are optional
        "clauses": clauses,
        **data,
    }
    return {"effective": "2026-01-10", "data": body}


def in_force_by_clause(api: Api) -> None:
    assert api.post("/api/v1/agreements", treaty_body()).status_code == 201
    for party, ratified in (("PAK", "2026-02-01"), ("KAZ", "2026-03-02"), ("UZB", "2026-05-01")):
        assert api.record(TREATY, "Signed", "2026-01-20", signed_data(party)).status_code == 201
        consent = {"party": party, "instrument": "ratification"}
        assert api.record(TREATY, "ConsentExpressed", ratified, consent).status_code == 201


def test_the_state_gives_each_partys_entry_into_force_by_the_clause(api: Api) -> None:
    in_force_by_clause(api)
    state = api.get(f"/api/v1/agreements/{TREATY}").get_json()
    assert state["clauses"] == CLAUSES
    assert state["entered_into_force"] == "2026-04-01"
    assert {p["code"]: p["in_force"] for p in state["parties"]} == {
        "PAK": "2026-04-01",
        "KAZ": "2026-04-01",
        "UZB": "2026-05-31",
    }
    before = api.get(f"/api/v1/agreements/{TREATY}", as_of="2026-03-31").get_json()
    assert [p["status"] for p in before["parties"]] == ["bound", "bound", "signed"]
    listed = api.get("/api/v1/agreements", as_of="2026-05-01", q="КЕЛІСІМ").get_json()
    (item,) = [a for a in listed["items"] if a["reference"] == TREATY]
    assert [p["status"] for p in item["parties"]] == ["in_force", "in_force", "bound"]


@pytest.mark.parametrize(
    ("clauses", "path"),
    [
        ({"entry_into_force": {"instruments": 0}}, ["entry_into_force", "instruments"]),
        ({"entry_into_force": {"date": "2016-11"}}, ["entry_into_force", "date"]),
        ({"entry_into_force": {"date": "2016-11-04", "instruments": 2}}, ["entry_into_force"]),
        ({"withdrawal": {"notice": {"weeks": 2}}}, ["withdrawal", "notice", "weeks"]),
        ({"duration": {"years": "five"}}, ["duration", "years"]),
        ({"duration": {}}, ["duration", "years"]),
        ({"extra": 1}, ["extra"]),
    ],
)
def test_a_clause_of_the_wrong_shape_is_a_400_naming_its_field(
    api: Api, registry: Registry, clauses: dict[str, Any], path: list[str]
) -> None:
    problem = assert_problem(api.post("/api/v1/agreements", treaty_body(clauses)), 400)
    errors: Any = problem["errors"]
    for key in ["data", "clauses", *path]:
        assert key in errors, problem
        errors = errors[key]
    assert TREATY not in [s.reference for s in registry.list_states()]


def test_an_entry_into_force_against_the_clause_is_a_named_422(api: Api) -> None:
    in_force_by_clause(api)
    response = api.record(TREATY, "EnteredIntoForce", "2026-03-15", {"party": None})
    problem = assert_problem(response, 422, "entry_into_force_contradicts_clause")
    assert problem["field"] == "effective"
    assert "1 April 2026" in problem["detail"]


def test_an_act_dated_after_the_day_it_is_recorded_is_a_422_on_effective(
    api: Api, registry: Registry
) -> None:
    in_force_by_clause(api)
    version = registry.agreement(TREATY).version
    later = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    data = {"party": "PAK", "article": None, "text": "On transit"}
    problem = assert_problem(api.record(TREATY, "DeclarationMade", later, data), 422)
    assert (problem["code"], problem["field"]) == ("act_dated_in_future", "effective")
    problem = assert_problem(api.record(TREATY, "Terminated", "2301", {}), 422)
    assert problem["code"] == "date_beyond_horizon"
    assert registry.agreement(TREATY).version == version


def test_the_docs_page_shows_the_clause_format_and_its_codes(api: Api) -> None:
    page = api.get("/api/docs").get_data(as_text=True)
    assert "later_parties_days_after_deposit" in page
    for code in ("entry_into_force_contradicts_clause", "act_dated_in_future", "invalid_clause"):
        assert code in page
