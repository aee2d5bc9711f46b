"""POST /api/v1/imports/status and GET /api/v1/parties/{code}/agreements."""

from __future__ import annotations

import base64
import json

from registry.store.application import Registry
from tests.api.conftest import Api, assert_problem
from tests.conftest import REPO

UNTC = REPO / "fixtures" / "untc"
TABLE = (UNTC / "paris-agreement.csv").read_text(encoding="utf-8")
TREATY = json.loads((UNTC / "paris-agreement.json").read_text(encoding="utf-8"))
PATH = "/api/v1/imports/status"


def test_a_write_token_imports_a_table_once(api: Api, registry: Registry):
    dry = api.post(PATH, {"status": TABLE, "treaty": TREATY, "dry_run": True})
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["recorded"] == 0 and dry.get_json()["acts"]["signature"] == 22
    assert api.get("/api/v1/agreements/XXVII-7-d").status_code == 404
    done = api.post(PATH, {"status": TABLE, "treaty": TREATY})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["recorded"] == 47 and done.get_json()["new_agreement"] is True
    again = api.post(PATH, {"status": TABLE, "treaty": TREATY})
    assert again.status_code == 200 and again.get_json()["recorded"] == 0
    events = registry.opened_events("XXVII-7-d")
    assert {e.payload.actor for e in events} == {"officer.islamabad"}  # the token's officer


def test_a_refused_table_is_a_problem_listing_every_line(api: Api):
    table = 'Participant,Signature,"Ratification"\nNarnia,22 Apr 2016,\nAustria,,5 Oct 2016\n'
    problem = assert_problem(
        api.post(PATH, {"status": table, "treaty": TREATY}), 422, "status_table_refused"
    )
    assert [p["line"] for p in problem["problems"]] == [2, 3]
    not_utf8 = base64.b64encode(
        "Participant,Signature,Ratification\nT\xfcrkiye,,\n".encode("latin-1")
    )
    problem = assert_problem(
        api.post(PATH, {"status_base64": not_utf8.decode(), "treaty": TREATY}), 422
    )
    assert "not UTF-8" in problem["problems"][0]["message"]
    assert_problem(api.post(PATH, {"treaty": TREATY}), 400, "invalid_request")
    assert api.get("/api/v1/agreements/XXVII-7-d").status_code == 404


def test_a_read_token_may_not_import(reader: Api):
    assert_problem(reader.post(PATH, {"status": TABLE, "treaty": TREATY}), 403)


def test_a_partys_agreements_as_of_a_date_sorted_and_as_csv(api: Api):
    api.post(PATH, {"status": TABLE, "treaty": TREATY})
    found = api.get("/api/v1/parties/BLR/agreements").get_json()
    (paris,) = found["agreements"]
    assert (paris["consent"], paris["consented"], paris["in_force"], paris["party_status"]) == (
        "acceptance",
        "2016-09-21",
        "2016-11-04",  # by the clause: the general entry into force
        "in_force",
    )
    before = api.get("/api/v1/parties/BLR/agreements", as_of="2016-09-20").get_json()
    assert before["agreements"][0]["party_status"] == "signed"
    none = api.get("/api/v1/parties/BLR/agreements", consented_to="2016-09-20").get_json()
    assert none["agreements"] == []
    csv = api.get("/api/v1/parties/BLR/agreements", format="csv")
    assert csv.mimetype == "text/csv" and "XXVII-7-d,Paris Agreement" in csv.get_data(as_text=True)
    assert_problem(api.get("/api/v1/parties/BLR/agreements", sort="height"), 400)
    by_signature = api.get("/api/v1/agreements", sort="-signed").get_json()
    assert [item["reference"] for item in by_signature["items"]] == ["XXVII-7-d"]
    assert_problem(api.get("/api/v1/agreements", sort="signed", cursor="abc"), 400)
