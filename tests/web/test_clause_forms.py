"""The officers' forms: clauses as JSON in a textarea, named errors, and the date rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from registry.store.application import Registry
from tests.web.conftest import Auth, error_summary, post_form

DRAFT = {
    "reference": "CL-2026-951",
    "titles-0-lang": "en",
    "titles-0-text": "Agreement on Transit Routes",
    "kind": "agreement",
    "character": "binding",
    "multilateral": "y",
    "parties-0-code": "PAK",
    "parties-0-name": "Pakistan",
    "parties-0-type": "state",
    "parties-1-code": "KAZ",
    "parties-1-name": "Kazakhstan",
    "parties-1-type": "state",
    "effective": "2026-02-05",
}


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="f-{re.escape(name)}-error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


@pytest.fixture
def officer(client: FlaskClient, auth: Auth, agreement: str) -> FlaskClient:
    auth.login("officer")
    return client


def test_the_draft_form_takes_the_clauses_as_json(officer: FlaskClient, registry: Registry) -> None:
    form = officer.get("/agreements/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="clauses"', form)
    clauses = '{"entry_into_force": {"instruments": 2, "days_after": 30}}'
    response = post_form(officer, "/agreements/new", {**DRAFT, "clauses": clauses})
    assert response.status_code == 302, error_summary(response.get_data(as_text=True))
    state = registry.state("CL-2026-951")
    assert state.clauses == {"entry_into_force": {"instruments": 2, "days_after": 30}}
    assert state.withdrawal_notice_months == 12


@pytest.mark.parametrize(
    ("clauses", "message"),
    [
        ("{not json", "Enter the clauses as JSON"),
        ('{"entry_into_force": {"date": "2016-11"}}', "Enter a day like 2016-11-04."),
        ('{"duration": {"years": 0}}', "Enter a number from 1 to 100000."),
    ],
)
def test_a_bad_clause_is_named_on_the_form_and_nothing_is_drafted(
    officer: FlaskClient, registry: Registry, clauses: str, message: str
) -> None:
    response = post_form(officer, "/agreements/new", {**DRAFT, "clauses": clauses})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert clauses.replace('"', "&#34;") in html or clauses.replace('"', "&quot;") in html
    assert "CL-2026-951" not in [s.reference for s in registry.list_states()]


def test_a_signature_dated_in_the_future_is_refused_at_its_field(
    officer: FlaskClient, registry: Registry, agreement: str
) -> None:
    later = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    fields = {
        "expected_version": "1",
        "party": "PAK",
        "signatory": "Ishaq Dar",
        "capacity": "Foreign Minister",
        "signature_type": "simple",
        "effective": later,
    }
    response = post_form(officer, f"/agreements/{agreement}/record/Signed", fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "after the day it is recorded" in field_error(html, "effective")
    assert registry.agreement(agreement).version == 1
