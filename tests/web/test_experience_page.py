"""The agreement page and list as an officer reads them (issue 14): key dates, the list's
dates, the collapsible history, the "Record an event" menu, the timeline's marks and scale."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from tests.integration.helpers import drafted_data, signed_data
from tests.web.conftest import OFFICER, Auth

DECLARATION = "PK-KZ-2026-901"


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


@pytest.fixture
def officer(client: FlaskClient, auth: Auth) -> FlaskClient:
    auth.login("officer")
    return client


@pytest.fixture
def in_force(registry: Registry, agreement: str) -> str:
    """The binding agreement signed by both on 3 February, in force from 1 March 2026."""
    for party in ("PAK", "KAZ"):
        registry.record(
            agreement, "Signed", effective=day("2026-02-03"), actor=OFFICER, data=signed_data(party)
        )
    for party, when in (("PAK", "2026-02-15"), ("KAZ", "2026-02-20")):
        registry.record(
            agreement,
            "ConsentExpressed",
            effective=day(when),
            actor=OFFICER,
            data={"party": party, "instrument": "ratification"},
        )
    registry.record(
        agreement, "EnteredIntoForce", effective=day("2026-03-01"), actor=OFFICER, data={}
    )
    return agreement


@pytest.fixture
def declaration(registry: Registry) -> str:
    """A non-binding joint declaration, in effect once both signed (Pakistan on the 3rd,
    Kazakhstan on the 4th), with a milestone ten years out."""
    data = drafted_data(
        DECLARATION,
        titles={"en": "Joint declaration"},
        kind="joint_declaration",
        character="non_binding",
    )
    registry.draft(effective=day("2026-02-01"), actor=OFFICER, data=data)
    for party, when in (("PAK", "2026-02-03"), ("KAZ", "2026-02-04")):
        registry.record(
            DECLARATION, "Signed", effective=day(when), actor=OFFICER, data=signed_data(party)
        )
    registry.record(
        DECLARATION,
        "MilestoneRecorded",
        effective=day("2026-02-05"),
        actor=OFFICER,
        data={
            "milestone": "M1",
            "title": "Review",
            "due": "2036-12-31",
            "status": "planned",
            "description": None,
        },
    )
    return DECLARATION


def key_dates(html: str) -> dict[str, str]:
    section = html[html.index('id="dates-heading"') : html.index('id="timeline-heading"')]
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", section, re.S)
    return {name: re.sub(r"<[^>]+>", "", value).strip() for name, value in pairs}


def test_key_dates_name_the_signature_and_the_day_it_took_effect(
    officer: FlaskClient, declaration: str
) -> None:
    dates = key_dates(officer.get(f"/agreements/{declaration}").get_data(as_text=True))
    assert dates["Signed"] == "4 February 2026"
    assert dates["Took effect"] == "4 February 2026"


def test_key_dates_of_a_binding_agreement_show_signature_and_entry_into_force(
    officer: FlaskClient, in_force: str
) -> None:
    dates = key_dates(officer.get(f"/agreements/{in_force}").get_data(as_text=True))
    assert dates["Signed"] == "3 February 2026"
    assert dates["Entered into force (all)"] == "1 March 2026"


def test_the_list_shows_signature_and_entry_into_force_not_last_recorded(
    officer: FlaskClient, in_force: str, declaration: str
) -> None:
    html = officer.get("/agreements").get_data(as_text=True)
    assert "Last recorded" not in html
    rows = re.findall(r"<tr>\s*<td data-label=\"Reference\">(.*?)</tr>", html, re.S)
    by_ref = {re.search(r">([A-Z0-9-]+)</a>", row).group(1): row for row in rows}  # type: ignore[union-attr]
    assert re.search(r'data-label="Signed"><time[^>]*>3 February 2026', by_ref[in_force])
    assert re.search(r'data-label="In force / in effect"><time[^>]*>1 March 2026', by_ref[in_force])
    assert re.search(
        r'data-label="In force / in effect"><time[^>]*>4 February 2026', by_ref[declaration]
    )


def test_the_party_filter_shows_names_beside_codes(officer: FlaskClient, agreement: str) -> None:
    html = officer.get("/agreements").get_data(as_text=True)
    assert '<option value="PAK">Pakistan (PAK)</option>' in html


def test_history_events_collapse_so_a_long_history_stays_short(
    officer: FlaskClient, in_force: str
) -> None:
    html = officer.get(f"/agreements/{in_force}").get_data(as_text=True)
    events = re.findall(
        r'<li id="event-(\d+)" class="history-event[^"]*">\s*<details( open)?>', html
    )
    assert [number for number, _ in events] == ["6", "5", "4", "3", "2", "1"]
    assert [bool(is_open) for _, is_open in events] == [True, True, True, False, False, False]
    assert "<summary>" in html


def selected_and_first(html: str) -> tuple[str, list[str]]:
    menu = html[html.index('id="event-type"') : html.index("</select>")]
    first_group = menu[: menu.index("</optgroup>")]
    chosen = re.search(r'<option value="(\w+)" selected>', menu)
    assert chosen, menu
    return chosen.group(1), re.findall(r'<option value="(\w+)"', first_group)


def test_the_menu_offers_what_can_happen_next_on_a_draft(
    officer: FlaskClient, agreement: str
) -> None:
    chosen, likely = selected_and_first(
        officer.get(f"/agreements/{agreement}").get_data(as_text=True)
    )
    assert chosen == "TextAmended"
    assert likely[:3] == ["TextAmended", "TextAdopted", "Signed"]


def test_the_menu_does_not_default_to_revising_the_draft_once_in_force(
    officer: FlaskClient, in_force: str
) -> None:
    chosen, likely = selected_and_first(
        officer.get(f"/agreements/{in_force}").get_data(as_text=True)
    )
    assert chosen == "MilestoneRecorded"
    assert "TextAmended" not in likely and "Signed" not in likely
    assert {"Amended", "Suspended", "WithdrawalNotified", "Terminated"} <= set(likely)


def svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</figure>")]


def test_the_timeline_draws_the_in_effect_band_of_a_non_binding_instrument(
    officer: FlaskClient, declaration: str
) -> None:
    drawing = svg(officer.get(f"/agreements/{declaration}").get_data(as_text=True))
    bands = re.findall(r'class="band band-effect"><title>([^<]+)</title>', drawing)
    assert bands == [
        "In effect from 4 February 2026",
        "In effect for PAK from 4 February 2026",
        "In effect for KAZ from 4 February 2026",
    ]
    assert 'data-key="band-effect"' in drawing


def test_the_legend_names_every_mark_drawn_and_no_other(
    officer: FlaskClient, in_force: str, registry: Registry
) -> None:
    registry.record(
        in_force,
        "WithdrawalNotified",
        effective=day("2026-08-01"),
        actor=OFFICER,
        data={"party": "KAZ", "takes_effect": "2027-02-01"},
    )
    drawing = svg(officer.get(f"/agreements/{in_force}").get_data(as_text=True))
    drawn = set(re.findall(r'<g class="marker (m-[a-z]+)', drawing))
    legend = set(re.findall(r'data-key="(m-[a-z]+)"', drawing))
    assert drawn == legend
    assert {"m-drafted", "m-signed", "m-force", "m-notice", "m-ended"} <= drawn
    notice = re.search(r'<g class="marker m-notice" data-shape="(\w+)"', drawing)
    milestone_shape = "triangle"
    assert notice and notice.group(1) not in (milestone_shape, "cross")


def test_the_legend_names_adopted_provisional_and_amended_marks_when_they_are_drawn(
    officer: FlaskClient, agreement: str, registry: Registry
) -> None:
    acts = [
        ("TextAdopted", "2026-02-02", {"place": "Tashkent"}),
        ("Signed", "2026-02-03", signed_data("PAK")),
        ("Signed", "2026-02-03", signed_data("KAZ")),
        ("ProvisionallyApplied", "2026-02-10", {"party": "KAZ"}),
        ("Amended", "2026-04-01", {"amendment_reference": f"{agreement}-A1", "summary": "Annex"}),
    ]
    for type_name, when, data in acts:
        registry.record(agreement, type_name, effective=day(when), actor=OFFICER, data=data)
    drawing = svg(officer.get(f"/agreements/{agreement}").get_data(as_text=True))
    drawn = set(re.findall(r'<g class="marker (m-[a-z]+)', drawing))
    legend = set(re.findall(r'data-key="(m-[a-z]+)"', drawing))
    assert {"m-drafted", "m-adopted", "m-signed", "m-provisional", "m-amended"} <= drawn
    assert drawn == legend


def marks(drawing: str) -> list[tuple[str, float]]:
    """(title, x) of every mark drawn."""
    pattern = r'<g class="marker[^"]*" data-shape="\w+" data-x="([\d.]+)">\s*<title>([^<]+)</title>'
    return [(title, float(x)) for x, title in re.findall(pattern, drawing)]


def test_marks_on_the_same_day_sit_side_by_side(
    officer: FlaskClient, agreement: str, registry: Registry
) -> None:
    registry.record(
        agreement, "Signed", effective=day("2026-02-03"), actor=OFFICER, data=signed_data("PAK")
    )
    registry.record(
        agreement,
        "ConsentExpressed",
        effective=day("2026-02-03"),
        actor=OFFICER,
        data={"party": "PAK", "instrument": "ratification"},
    )
    drawing = svg(officer.get(f"/agreements/{agreement}").get_data(as_text=True))
    pakistan = sorted(x for title, x in marks(drawing) if title.startswith("PAK"))
    assert len(pakistan) == 2
    assert pakistan[1] - pakistan[0] >= 14


def test_a_far_milestone_does_not_squeeze_the_rest(officer: FlaskClient, declaration: str) -> None:
    drawing = svg(officer.get(f"/agreements/{declaration}").get_data(as_text=True))
    found = {title: x for title, x in marks(drawing)}
    drafted = found["Drafted: 1 February 2026"]
    signed = found["PAK signed (simple): 3 February 2026"]
    assert signed - drafted > 20  # two days apart, still clearly apart on a 960-wide drawing
    assert 'class="axis-break"' in drawing and 'data-key="break"' in drawing


def test_the_timeline_scrolls_on_a_phone_with_a_hint(officer: FlaskClient, agreement: str) -> None:
    html = officer.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert 'class="timeline-scroll" tabindex="0" role="region"' in html
    assert "Scroll sideways to see the whole timeline." in html


def test_an_auditor_lands_on_the_audit_workspace(client: FlaskClient, auth: Auth) -> None:
    auth.login("auditor")
    assert client.get("/").headers["Location"].endswith("/audit")
    assert client.get("/login").headers["Location"].endswith("/audit")


def test_an_officer_lands_on_the_list(client: FlaskClient, auth: Auth) -> None:
    auth.login("officer")
    assert client.get("/").headers["Location"].endswith("/agreements")
