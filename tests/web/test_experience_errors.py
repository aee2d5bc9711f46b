"""Refusals an officer can act on (issue 14): a refused correction names the event that
blocks it and what to retract first; messages speak of the act the officer typed; a long
title gives way to the reference; the error summary takes the focus (registry.js)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from tests.integration.helpers import drafted_data, signed_data
from tests.web.conftest import OFFICER, Auth, error_summary, post_form

CORRECT_URL = "/agreements/PK-KZ-2026-900/events/{}/correct"
LONG_TITLE = "Agreement " + "on the Long Title of an Agreement " * 4  # about 140 characters


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


@pytest.fixture
def officer(client: FlaskClient, auth: Auth, agreement: str) -> FlaskClient:
    auth.login("officer")
    return client


def refused_correction(officer: FlaskClient, registry: Registry, agreement: str) -> str:
    """Event 2 (a signature) corrected to after event 3 (the consent that depends on it)."""
    registry.record(
        agreement, "Signed", effective=day("2026-02-03"), actor=OFFICER, data=signed_data("PAK")
    )
    registry.record(
        agreement,
        "ConsentExpressed",
        effective=day("2026-02-15"),
        actor=OFFICER,
        data={"party": "PAK", "instrument": "ratification"},
    )
    response = post_form(
        officer,
        CORRECT_URL.format(2),
        {
            "expected_version": "3",
            "action": "supersede",
            "new_effective": "2026-03-01",
            "new-party": "PAK",
            "new-signatory": "Minister",
            "new-capacity": "Minister of Foreign Affairs",
            "new-signature_type": "simple",
            "new-place": "Islamabad",
            "effective": "2026-03-02",
            "reason": "The signature was in March",
        },
    )
    summary = error_summary(response.get_data(as_text=True))
    assert response.status_code == 422, summary
    return summary


def test_a_refused_correction_names_the_blocking_event_and_what_to_retract(
    officer: FlaskClient, registry: Registry, agreement: str
) -> None:
    summary = refused_correction(officer, registry, agreement)
    assert "would break event 3 (consent expressed, 15 February 2026)" in summary
    assert "Retract or correct event 3 first, then correct event 2" in summary


def test_the_blocking_event_is_named_in_the_officers_language(
    officer: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    officer.post("/language", data={"csrf_token": auth.token(), "language": "ru"})
    summary = refused_correction(officer, registry, agreement)
    # "consent expressed" has no entry of its own in the catalogue: the event's declared
    # name is used, as in the history
    assert "событие 3 (согласие выражено, 15 февраля 2026)" in summary
    assert "consent expressed" not in summary


def test_a_consent_dated_before_the_signature_is_spoken_of_as_the_consent(
    registry: Registry,
) -> None:
    from registry.domain.errors import DomainError

    registry.draft(
        effective=day("2026-02-01"),
        actor=OFFICER,
        data=drafted_data("PK-KZ-2026-950", titles={"en": LONG_TITLE}),
    )
    registry.record(
        "PK-KZ-2026-950",
        "Signed",
        effective=day("2026-04-20"),
        actor=OFFICER,
        data=signed_data("PAK"),
    )
    with pytest.raises(DomainError) as refused:
        registry.record(
            "PK-KZ-2026-950",
            "ConsentExpressed",
            effective=day("2026-04-10"),
            actor=OFFICER,
            data={"party": "PAK", "instrument": "ratification"},
        )
    message = refused.value.message
    assert message.startswith("Pakistan's ratification cannot be dated 10 April 2026")
    assert "before its signature of 20 April 2026" in message


def test_a_long_title_gives_way_to_the_reference_in_messages(registry: Registry) -> None:
    from registry.domain.errors import DomainError

    registry.draft(
        effective=day("2026-02-01"),
        actor=OFFICER,
        data=drafted_data("PK-KZ-2026-951", titles={"en": LONG_TITLE}),
    )
    with pytest.raises(DomainError) as refused:
        registry.record(
            "PK-KZ-2026-951",
            "EnteredIntoForce",
            effective=day("2026-03-01"),
            actor=OFFICER,
            data={},
        )
    assert "PK-KZ-2026-951" in refused.value.message
    assert LONG_TITLE.strip() not in refused.value.message


def test_every_page_loads_the_script_that_focuses_the_error_summary(
    officer: FlaskClient,
) -> None:
    html = officer.get("/agreements").get_data(as_text=True)
    assert '<script src="/static/registry.js" defer></script>' in html
    with officer.get("/static/registry.js") as response:
        script = response.get_data(as_text=True)
    assert 'querySelector(".error-summary")' in script and "summary.focus()" in script


def test_the_favicon_is_served(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page


def test_date_inputs_take_iso_dates_and_placeholders_show_formats_not_values(
    officer: FlaskClient, agreement: str
) -> None:
    html = officer.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert 'type="date"' not in html
    assert 'id="as_of" name="as_of" type="text"' in html and 'placeholder="YYYY-MM-DD"' in html
    assert 'placeholder="YYYY-MM-DDThh:mm" class="input-instant"' in html
    assert 'placeholder="2026' not in html
    form = officer.get(f"/agreements/{agreement}/record/Signed").get_data(as_text=True)
    assert 'placeholder="2026' not in form and 'placeholder="YYYY-MM-DD"' in form
