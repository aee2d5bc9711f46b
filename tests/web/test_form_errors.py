"""Forms keep what was typed and say what is wrong: schema errors by field (400), domain
refusals on top (422), concurrent edits (409), CSRF, injection, and never a 500."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from registry.web.forms import RECORDABLE
from tests.integration.helpers import signed_data
from tests.web.conftest import OFFICER, Auth, error_summary, post_form

URL = "/agreements/PK-KZ-2026-900/record/{}"
SIGNED = {
    "party": "PAK",
    "signatory": "Ishaq Dar",
    "capacity": "Foreign Minister",
    "signature_type": "simple",
    "effective": "2026-02-04",
}


def post(
    client: FlaskClient, type_name: str, fields: dict[str, object], version: int = 1
) -> TestResponse:
    return post_form(client, URL.format(type_name), {"expected_version": str(version), **fields})


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="f-{re.escape(name)}-error">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


@pytest.fixture
def officer(client: FlaskClient, auth: Auth, agreement: str) -> FlaskClient:
    auth.login("officer")
    return client


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("effective", "", "This is required."),
        ("effective", "2026-13", "month 13 is out of range"),
        ("effective", "2026-02-30", "has no day 30"),
        ("effective", "3 Feb 2026", "Enter a date like 2026, 2026-02 or 2026-02-03"),
        ("party", "", "This is required."),
        ("party", "XYZ<", None),  # not a listed party: the domain refuses (see below)
        ("signatory", "", "This is required."),
        ("capacity", "x" * 301, "Enter between 1 and 300 characters."),
        ("signature_type", "forged", "Choose one of the options given."),
        ("source", "s" * 301, "Enter at most 300 characters."),
    ],
)
def test_each_bad_input_is_named_at_its_field_and_kept(
    officer: FlaskClient, registry: Registry, field: str, value: str, message: str | None
) -> None:
    response = post(officer, "Signed", {**SIGNED, field: value})
    html = response.get_data(as_text=True)
    if message is None:
        assert response.status_code == 422
    else:
        assert response.status_code == 400
        assert message in field_error(html, field)
        assert 'aria-invalid="true"' in html
        assert "Please correct" in error_summary(html)
    assert 'value="Ishaq Dar"' in html or field == "signatory"
    assert registry.agreement("PK-KZ-2026-900").version == 1


def test_several_errors_are_listed_together(officer: FlaskClient) -> None:
    response = post(
        officer, "Signed", {"effective": "", "party": "", "signatory": "", "capacity": ""}
    )
    summary = error_summary(response.get_data(as_text=True))
    assert response.status_code == 400
    assert summary.count("<li>") == 4


def test_a_whole_number_field_refuses_words(officer: FlaskClient) -> None:
    response = post_form(
        officer,
        "/agreements/new",
        {
            "reference": "PK-KZ-2026-950",
            "titles-0-lang": "en",
            "titles-0-text": "Roadmap",
            "kind": "roadmap",
            "character": "non_binding",
            "parties-0-code": "PAK",
            "parties-0-name": "Pakistan",
            "parties-0-type": "state",
            "parties-1-code": "KAZ",
            "parties-1-name": "Kazakhstan",
            "parties-1-type": "state",
            "withdrawal_notice_months": "six",
            "effective": "2026-02",
        },
    )
    assert response.status_code == 400
    assert "Enter a whole number" in field_error(
        response.get_data(as_text=True), "withdrawal_notice_months"
    )


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        ({"parties-0-code": "P A K"}, "parties", "Row 1, code: Use letters, digits"),
        ({"parties-1-type": ""}, "parties", "Row 2, type: This is required."),
        ({"titles-0-text": ""}, "titles", "Title 1: give both a language code and a title."),
        ({"titles-1-lang": "en", "titles-1-text": "Again"}, "titles", "is given twice"),
        ({"kind": ""}, "kind", "This is required."),
    ],
)
def test_drafting_errors_name_the_row_and_part(
    officer: FlaskClient, fields: dict[str, str], where: str, message: str
) -> None:
    base = {
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
    response = post_form(officer, "/agreements/new", {**base, **fields})
    assert response.status_code == 400
    assert message in field_error(response.get_data(as_text=True), where)


def test_more_party_rows_are_added_without_javascript(officer: FlaskClient) -> None:
    response = post_form(
        officer, "/agreements/new", {"parties-0-code": "PAK", "more_rows": "parties"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="parties-5-code"' in html
    assert 'name="parties-0-code" type="text" value="PAK"' in html


@pytest.mark.parametrize(
    ("type_name", "fields", "message"),
    [
        (
            "ConsentExpressed",
            {"party": "PAK", "instrument": "ratification", "effective": "2026-02-10"},
            "Pakistan cannot ratify before it has signed",
        ),
        ("EnteredIntoForce", {"party": "", "effective": "2026-03-01"}, None),
        ("Signed", {**SIGNED, "party": "IND"}, None),
        ("Signed", {**SIGNED, "effective": "2025-01-01"}, None),
        (
            "MilestoneStatusChanged",
            {"milestone": "M9", "status": "achieved", "effective": "2026-03"},
            None,
        ),
        ("Resumed", {"party": "", "effective": "2026-03"}, None),
    ],
)
def test_domain_refusals_appear_on_the_form(
    officer: FlaskClient,
    registry: Registry,
    type_name: str,
    fields: dict[str, str],
    message: str | None,
) -> None:
    response = post(officer, type_name, fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The registry cannot record this" in html
    if message:
        assert message in error_summary(html)
    for name, value in fields.items():
        if value and name not in ("party", "milestone", "status", "instrument", "signature_type"):
            assert f'value="{value}"' in html
    assert registry.agreement("PK-KZ-2026-900").version == 1


def test_a_refusal_names_the_field_at_fault(officer: FlaskClient) -> None:
    response = post(
        officer,
        "ConsentExpressed",
        {"party": "PAK", "instrument": "ratification", "effective": "2026-02-10"},
    )
    assert "cannot ratify" in field_error(response.get_data(as_text=True), "instrument")


def test_someone_else_recording_first_is_a_conflict_that_loses_nothing(
    officer: FlaskClient, registry: Registry
) -> None:
    form_version = 1
    registry.record(
        "PK-KZ-2026-900",
        "Signed",
        effective=PartialDate.parse("2026-02-03"),
        actor="officer.astana",
        data=signed_data("KAZ"),
    )
    response = post(officer, "Signed", SIGNED, version=form_version)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else recorded an event first, please review" in html
    assert "recorded by officer.astana" in html
    assert 'value="Ishaq Dar"' in html
    assert 'name="expected_version" value="2"' in html  # sending again records it
    assert registry.agreement("PK-KZ-2026-900").version == 2
    again = post(officer, "Signed", SIGNED, version=2)
    assert again.status_code == 302
    assert registry.agreement("PK-KZ-2026-900").history[-1].actor == OFFICER


def test_a_form_without_its_version_is_refused(officer: FlaskClient) -> None:
    response = post_form(officer, URL.format("Signed"), SIGNED)
    assert response.status_code == 400
    assert "out of date" in response.get_data(as_text=True)


@pytest.mark.parametrize("type_name", ["Signed", "MilestoneRecorded"])
def test_forms_without_or_with_a_wrong_csrf_token_record_nothing(
    officer: FlaskClient, registry: Registry, type_name: str
) -> None:
    for token in (None, "wrong"):
        data = {"expected_version": "1", **SIGNED}
        if token:
            data["csrf_token"] = token
        response = officer.post(URL.format(type_name), data=data)
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
    for url in ("/agreements/new", "/agreements/PK-KZ-2026-900/events/1/correct", "/admin/users"):
        assert officer.post(url, data={"reference": "X"}).status_code == 400
    assert registry.agreement("PK-KZ-2026-900").version == 1


INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_text_field_is_shown_escaped(
    officer: FlaskClient, registry: Registry
) -> None:
    drafted = post_form(
        officer,
        "/agreements/new",
        {
            "reference": "PK-KZ-2026-952",
            "titles-0-lang": "en",
            "titles-0-text": "Title " + INJECTION,
            "titles-1-lang": "ur",
            "titles-1-text": INJECTION,
            "kind": "agreement",
            "character": "binding",
            "parties-0-code": "PAK",
            "parties-0-name": "Pakistan " + INJECTION,
            "parties-0-type": "state",
            "parties-1-code": "KAZ",
            "parties-1-name": "Kazakhstan",
            "parties-1-type": "state",
            "summary": INJECTION,
            "parent": "P" + INJECTION[:200],
            "effective": "2026-02-01",
            "source": INJECTION,
            "reason": INJECTION,
        },
    )
    assert drafted.status_code == 302, error_summary(drafted.get_data(as_text=True))
    texts = {
        "signatory": INJECTION,
        "capacity": INJECTION,
        "place": INJECTION,
        "source": INJECTION,
        "reason": INJECTION,
    }
    signed = post_form(
        officer,
        "/agreements/PK-KZ-2026-952/record/Signed",
        {"expected_version": "1", **SIGNED, **texts},
    )
    assert signed.status_code == 302
    milestone = post_form(
        officer,
        "/agreements/PK-KZ-2026-952/record/MilestoneRecorded",
        {
            "expected_version": "2",
            "milestone": "M1",
            "title": INJECTION,
            "description": INJECTION,
            "effective": "2026-03",
        },
    )
    assert milestone.status_code == 302
    for url in (
        "/agreements/PK-KZ-2026-952",
        "/agreements?q=Title",
        "/agreements/PK-KZ-2026-952/events/2/correct",
    ):
        html = officer.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html, url
    rejected = post(officer, "Signed", {**SIGNED, "party": "", "signatory": INJECTION})
    html = rejected.get_data(as_text=True)
    assert rejected.status_code == 400
    assert "<script>" not in html and "&lt;script&gt;" in html


GARBAGE: list[dict[str, object]] = [
    {},
    {"expected_version": "abc"},
    {
        "expected_version": "1",
        "effective": ["2026", "2027"],
        "party": "\x00\x01",
        "more": "x" * 5000,
    },
    {"expected_version": "99999999999999999999", "effective": "9999-99-99"},
    {
        "expected_version": "1",
        "parties-0-code": "{}",
        "titles-999-lang": "en",
        "acceding-code": "Z",
    },
    {
        "expected_version": "1",
        "new-party": "[]",
        "action": "explode",
        "corrects": "-1",
        "changes": "{}",
    },
    {
        "expected_version": "-1",
        "withdrawal_notice_months": "-5",
        "due": "2026-02-31",
        "status": "done",
    },
]


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_posted_to_any_form_is_never_a_500(
    officer: FlaskClient, registry: Registry, garbage: dict[str, object]
) -> None:
    urls = ["/agreements/new", "/agreements/PK-KZ-2026-900/events/1/correct"]
    urls += [URL.format(name) for name in RECORDABLE]
    for url in urls:
        response = post_form(officer, url, garbage, token_from="/agreements")
        # Whatever is sent, the answer is a form with messages (or, if it happens to be a valid
        # event, a redirect to the agreement), never a server error.
        assert response.status_code in (302, 400, 409, 422), (url, response.status_code)
        assert registry.agreement("PK-KZ-2026-900").history  # still readable and verified
