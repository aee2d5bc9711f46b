"""The agreement list (search, filters, sorting, paging, counts) and the agreement page (state,
party table, milestones, documents, history with signatures, timeline, as-of view)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.store.application import Registry
from tests.integration.helpers import KAZAKHSTAN, PAKISTAN, drafted_data, signed_data
from tests.web.conftest import OFFICER, Auth


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


def references(html: str) -> list[str]:
    return re.findall(r'<td data-label="Reference"><a href="/agreements/[^"]+">([^<]+)</a>', html)


@pytest.fixture
def many(registry: Registry) -> Registry:
    uzbekistan = {"code": "UZB", "name": "Uzbekistan", "type": "state"}
    for number in range(1, 26):
        data = drafted_data(f"PK-KZ-2026-{number:03d}", titles={"en": f"Agreement number {number}"})
        if number % 5 == 0:
            data.update(
                kind="roadmap", character="non_binding", titles={"en": f"Trade roadmap {number}"}
            )
        if number == 7:
            data.update(
                parties=[PAKISTAN, uzbekistan], titles={"en": "Trans-Afghan railway framework"}
            )
        registry.draft(effective=day("2026-02-01"), actor=OFFICER, data=data)
    for number in (1, 2):
        registry.record(
            f"PK-KZ-2026-{number:03d}",
            "Signed",
            effective=day("2026-02-03"),
            actor=OFFICER,
            data=signed_data("PAK"),
        )
    return registry


@pytest.fixture
def reader(client: FlaskClient, auth: Auth) -> FlaskClient:
    auth.login("auditor")
    return client


def test_the_list_is_paged_and_sorted_by_reference(reader: FlaskClient, many: Registry) -> None:
    first = reader.get("/agreements").get_data(as_text=True)
    assert references(first) == [f"PK-KZ-2026-{n:03d}" for n in range(1, 21)]
    assert "25 agreements found, page 1 of 2" in first
    second = reader.get("/agreements?page=2").get_data(as_text=True)
    assert references(second) == [f"PK-KZ-2026-{n:03d}" for n in range(21, 26)]
    descending = reader.get("/agreements?sort=reference&dir=desc").get_data(as_text=True)
    assert references(descending)[0] == "PK-KZ-2026-025"
    assert 'aria-sort="descending"' in descending


def test_search_by_title_is_case_blind(reader: FlaskClient, many: Registry) -> None:
    html = reader.get("/agreements?q=RAILWAY").get_data(as_text=True)
    assert references(html) == ["PK-KZ-2026-007"]
    assert references(reader.get("/agreements?q=%25").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("party=UZB", ["PK-KZ-2026-007"]),
        ("kind=roadmap", [f"PK-KZ-2026-{n:03d}" for n in (5, 10, 15, 20, 25)]),
        ("character=non_binding&q=25", ["PK-KZ-2026-025"]),
        ("status=signed", ["PK-KZ-2026-001", "PK-KZ-2026-002"]),
        ("party=KAZ&status=signed", ["PK-KZ-2026-001", "PK-KZ-2026-002"]),
    ],
)
def test_filters(reader: FlaskClient, many: Registry, query: str, expected: list[str]) -> None:
    assert references(reader.get(f"/agreements?{query}").get_data(as_text=True)) == expected


def test_counts_by_status_follow_the_other_filters(reader: FlaskClient, many: Registry) -> None:
    html = reader.get("/agreements?kind=agreement").get_data(as_text=True)
    counts = dict(re.findall(r'status-(\w+)">[^<]+</span> <span class="count">(\d+)</span>', html))
    assert counts == {"draft": "18", "signed": "2"}


def test_a_bad_filter_is_reported_not_a_crash(reader: FlaskClient, many: Registry) -> None:
    response = reader.get("/agreements?kind=spaceship&page=-3&sort=nonsense")
    assert response.status_code == 400
    assert "were not understood" in response.get_data(as_text=True)


def test_the_page_shows_the_state_and_the_party_table(
    reader: FlaskClient, registry: Registry, agreement: str
) -> None:
    registry.record(
        agreement,
        "Signed",
        effective=day("2026-02"),
        actor=OFFICER,
        data=signed_data("PAK", place="Astana"),
    )
    registry.record(
        agreement,
        "Signed",
        effective=day("2026-02-03"),
        actor="officer.astana",
        data=signed_data("KAZ"),
    )
    registry.record(
        agreement,
        "ConsentExpressed",
        effective=day("2026-02-15"),
        actor=OFFICER,
        data={"party": "PAK", "instrument": "ratification"},
    )
    registry.record(
        agreement,
        "MilestoneRecorded",
        effective=day("2026-02-15"),
        actor=OFFICER,
        data={"milestone": "M1", "title": "Corridor opens", "due": "2027"},
    )
    html = reader.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert "Agreement on Transit Trade" in html
    assert 'lang="ru"' in html
    assert 'class="badge status-signed">Signed' in html
    pakistan = html[html.index("Pakistan <span") : html.index("Kazakhstan <span")]
    assert 'data-precision="month">February 2026</time> <span class="precision">(month)' in pakistan
    assert "15 February 2026" in pakistan and "Ratification" in pakistan
    assert "Corridor opens" in html and "(year)" in html
    assert html.count("✓ verified") == 5
    assert "officer.astana" in html
    keyid = registry.trust().current_keyid("officer.astana", datetime.now(UTC))
    assert f"key <code>{keyid}</code>" in html
    assert "<svg" in html and "Timeline of PK-KZ-2026-900" in html
    assert html.count('class="marker m-signed"') == 2


def test_the_page_as_of_an_earlier_date_says_so(
    reader: FlaskClient, registry: Registry, agreement: str
) -> None:
    registry.record(
        agreement, "Signed", effective=day("2026-02-03"), actor=OFFICER, data=signed_data("PAK")
    )
    registry.record(
        agreement,
        "Signed",
        effective=day("2026-02-03"),
        actor="officer.astana",
        data=signed_data("KAZ"),
    )
    registry.record(
        agreement,
        "ConsentExpressed",
        effective=day("2026-02-15"),
        actor=OFFICER,
        data={"party": "PAK", "instrument": "ratification"},
    )
    html = reader.get(f"/agreements/{agreement}?as_of=2026-02-10").get_data(as_text=True)
    assert "You are looking at the past" in html
    assert (
        'as it stood on <time datetime="2026-02-10" data-precision="day">10 February 2026' in html
    )
    assert "Back to today" in html
    assert "Ratification" not in html[html.index("Status by party") : html.index("Milestones")]
    assert "not in this view" in html
    today = reader.get(f"/agreements/{agreement}").get_data(as_text=True)
    assert "You are looking at the past" not in today


def test_the_page_as_known_at_an_instant_hides_later_records(
    reader: FlaskClient, registry: Registry, agreement: str
) -> None:
    before = datetime.now(UTC)
    registry.record(
        agreement, "Signed", effective=day("2026-02-03"), actor=OFFICER, data=signed_data("PAK")
    )
    known_at = before.strftime("%Y-%m-%dT%H:%M:%S.%f")
    html = reader.get(f"/agreements/{agreement}?known_at={known_at}").get_data(as_text=True)
    assert "using only what the registry had recorded by" in html
    assert 'class="badge status-draft"' in html
    too_early = (before - timedelta(days=400)).date().isoformat()
    refused = reader.get(f"/agreements/{agreement}?known_at={too_early}")
    assert refused.status_code == 422
    assert "nothing about it was known" in refused.get_data(as_text=True)


@pytest.mark.parametrize("query", ["as_of=2026-02-30", "as_of=yesterday", "known_at=soon"])
def test_a_bad_as_of_date_is_explained(reader: FlaskClient, agreement: str, query: str) -> None:
    response = reader.get(f"/agreements/{agreement}?{query}")
    assert response.status_code == 400
    assert "That date could not be used" in response.get_data(as_text=True)


def test_the_timeline_has_a_lane_per_party_and_milestones(
    reader: FlaskClient, registry: Registry, agreement: str
) -> None:
    html = reader.get(f"/agreements/{agreement}").get_data(as_text=True)
    lanes = re.findall(r'class="lane-label">([^<]+)</text>', html)
    assert lanes == ["Agreement", "Pakistan (PAK)", "Kazakhstan (KAZ)", "Milestones"]
    assert 'role="img"' in html


def test_the_list_links_to_each_page(reader: FlaskClient, agreement: str) -> None:
    html = reader.get("/agreements").get_data(as_text=True)
    assert f'href="/agreements/{agreement}"' in html
    assert KAZAKHSTAN["code"] in html


def test_the_status_table_shows_untc_marks_and_links_footnotes(
    reader: FlaskClient, registry: Registry
) -> None:
    from pathlib import Path

    from registry.store.bulk.fixtures import load_steps, read_steps

    path = Path(__file__).parents[2] / "fixtures" / "multilateral-treaty.json"
    load_steps(registry, read_steps(path))
    html = reader.get("/agreements/TETC-2022?as_of=2026-01-01").get_data(as_text=True)
    assert '<abbr class="untc-mark" title="Approval">AA</abbr>' in html  # Uzbekistan
    assert '<abbr class="untc-mark" title="Acceptance">A</abbr>' in html  # Kyrgyzstan
    assert '<abbr class="untc-mark" title="Accession">a</abbr>' in html  # Tajikistan
    assert '<abbr class="untc-mark" title="Succession">d</abbr>' in html  # South Sudan
    assert "successor to Sudan" in html
    assert 'href="#footnote-PAK-1"' in html and 'id="footnote-PAK-1"' in html
    assert 'id="footnote-general-4"' in html
    assert (
        'withdrawn <time datetime="2025-01-01" data-precision="day">1 January 2025</time>' in html
    )
    assert "opposing entry into force between them" in html
    assert 'id="not-in-force-note"' not in html  # the reservation was withdrawn in 2025
    parted = reader.get("/agreements/TETC-2022?as_of=2024-06-01").get_data(as_text=True)
    assert 'id="not-in-force-UZB">Not in force with TJK' in parted
    assert 'id="not-in-force-TJK">Not in force with UZB' in parted
    assert 'id="not-in-force-note"' in parted
    assert "Khorgos International Centre for Boundary Cooperation" in html
    assert "No. I-99001" in html and "Government of the Republic of Uzbekistan" in html
