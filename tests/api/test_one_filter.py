"""One `Filters`, every surface: the same filter, asked of the CLI, the API, the auditor's
list and the officers' list, gives the same agreements with the same statuses; a party's
agreements are the same through the CLI, the API and the party's page.

Each surface parses its own arguments (options, query, form) into the one `Filters` type
(registry/store/reads/filters.py); this test is what holds them to the same answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from registry.cli import main
from registry.store.application import Registry
from tests.integration.test_transfer import env_of
from tests.web.conftest import Auth

AS_OF = "2026-06-01"
SELECTIONS: list[dict[str, str]] = [
    {},
    {"party": "KAZ"},
    {"kind": "memorandum_of_understanding"},
    {"character": "binding", "status": "in_force"},
    {"q": "transit"},
    {"q": "pk-kz", "party": "PAK", "kind": "agreement"},
]
ROW = re.compile(r'<td data-label="Reference"><a href="[^"]*">([^<]+)</a>')


@pytest.fixture
def registry(seeded_app: Flask) -> Registry:
    return seeded_app.extensions["registry"]


@pytest.fixture
def auditor(seeded_app: Flask) -> FlaskClient:
    client = seeded_app.test_client()
    Auth(client).login("auditor")
    return client


def cli(registry: Registry, *args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--json"], env=env_of(registry.settings))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def options(selection: dict[str, str]) -> list[str]:
    return [part for name, value in selection.items() for part in (f"--{name}", value)]


def api_list(client: FlaskClient, **query: str) -> list[tuple[str, str]]:
    response = client.get("/api/v1/agreements", query_string={**query, "limit": "200"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json().get("next") is None  # one page holds them all
    return [(item["reference"], item["status"]) for item in response.get_json()["items"]]


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "&".join(s.values()) or "all")
def test_the_lists_give_the_same_agreements_for_the_same_filter(
    registry: Registry, auditor: FlaskClient, selection: dict[str, str]
):
    by_cli = [(a["reference"], a["status"]) for a in cli(registry, "list", "--as-of", AS_OF,
                                                            *options(selection))]  # fmt: skip
    by_api = api_list(auditor, as_of=AS_OF, **selection)
    page = auditor.get("/audit", query_string={"as_of": AS_OF, **selection})
    assert page.status_code == 200, page.get_data(as_text=True)
    by_auditor = ROW.findall(page.get_data(as_text=True))
    assert by_api == by_cli
    assert by_auditor == [reference for reference, _ in by_cli]
    everything = cli(registry, "list")  # each filter selects some, but not all
    assert by_cli and (selection == {} or len(by_cli) < len(everything))


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "&".join(s.values()) or "all")
def test_the_officers_list_of_the_current_state_gives_what_the_other_lists_give_of_today(
    registry: Registry, auditor: FlaskClient, selection: dict[str, str]
):
    """The officers' list reads the current-state summary, the others the status intervals
    as of the day: with the same filter, the same agreements."""
    page = auditor.get("/agreements", query_string=selection)
    assert page.status_code == 200, page.get_data(as_text=True)
    by_officers = ROW.findall(page.get_data(as_text=True))
    assert by_officers == [reference for reference, _ in api_list(auditor, **selection)]
    assert by_officers == [a["reference"] for a in cli(registry, "list", *options(selection))]


PARTY_QUERIES: list[tuple[dict[str, str], list[str]]] = [
    ({}, []),
    ({"status": "in_force"}, ["--status", "in_force"]),
    ({"sort": "-signed"}, ["--sort", "-signed"]),
]


@pytest.mark.parametrize("query, flags", PARTY_QUERIES, ids=["all", "in force", "by signature"])
def test_a_partys_agreements_are_the_same_through_the_command_the_api_and_its_page(
    registry: Registry, auditor: FlaskClient, query: dict[str, str], flags: list[str]
):
    by_cli = cli(registry, "party", "KAZ", "--as-of", AS_OF, *flags)["agreements"]
    response = auditor.get("/api/v1/parties/KAZ/agreements", query_string={"as_of": AS_OF, **query})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["agreements"] == by_cli
    form = {"as_of": AS_OF, "format": "csv", **query}
    if "sort" in query:  # the page sorts by a column and a direction
        form.update(sort=query["sort"].removeprefix("-"), dir="desc")
    page = auditor.get("/parties/KAZ", query_string=form)
    assert page.status_code == 200, page.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(page.get_data(as_text=True))))
    assert [row["reference"] for row in rows] == [a["reference"] for a in by_cli]
    assert by_cli  # KAZ takes part in the seeded agreements
