"""Atom feeds of newly recorded events: the whole registry, one agreement, one party."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask

from registry.store.accounts.users import DEMO_PASSWORD
from registry.store.application import Registry
from tests.api.conftest import Api, assert_problem
from tests.integration.helpers import signed_data

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def seeded(seeded_app: Flask) -> Api:
    return Api(seeded_app.test_client())


@pytest.fixture
def seeded_registry(seeded_app: Flask) -> Registry:
    return seeded_app.extensions["registry"]


def entries(response: object) -> list[ElementTree.Element]:
    assert response.status_code == 200, response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.mimetype == "application/atom+xml"  # type: ignore[attr-defined]
    feed = ElementTree.fromstring(response.get_data())  # type: ignore[attr-defined]
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}") is not None
    return feed.findall(f"{ATOM}entry")


def titles(found: list[ElementTree.Element]) -> list[str]:
    return [entry.findtext(f"{ATOM}title") or "" for entry in found]


def test_the_registry_feed_lists_the_newest_agreement_events_first(
    seeded: Api, seeded_registry: Registry
) -> None:
    found = entries(seeded.get("/feeds/registry.atom"))
    assert len(found) == 50
    updated = [entry.findtext(f"{ATOM}updated") for entry in found]
    assert updated == sorted(updated, reverse=True)
    assert not any("Key" in title.split(": ")[1] for title in titles(found))
    first = found[0]
    assert first.find(f"{ATOM}author/{ATOM}name") is not None
    related = first.find(f"{ATOM}link[@rel='related']")
    assert related is not None and "/api/v1/agreements/" in related.get("href", "")


def test_an_agreements_feed_holds_its_events_only(seeded: Api, seeded_registry: Registry) -> None:
    found = entries(seeded.get("/feeds/agreements/PK-KZ-2026-001.atom"))
    assert len(found) == seeded_registry.agreement("PK-KZ-2026-001").version
    assert all(title.startswith("PK-KZ-2026-001: ") for title in titles(found))
    assert titles(found)[-1].startswith("PK-KZ-2026-001: Drafted")


def test_a_partys_feed_holds_the_events_of_its_agreements(seeded: Api) -> None:
    found = titles(entries(seeded.get("/feeds/parties/uzb.atom")))
    assert found and all(t.startswith(("TETC-2022: ", "TETC-2022-P1: ")) for t in found)
    assert titles(entries(seeded.get("/feeds/parties/ISSI.atom")))[-1].startswith("PK-KZ-2026-002")


def test_a_new_event_appears_at_the_top(app: Flask, api: Api) -> None:
    api.draft()
    api.record("PK-KZ-2026-900", "Signed", "2026-02-03", signed_data("PAK"))
    newest = titles(entries(api.get("/feeds/agreements/PK-KZ-2026-900.atom")))[0]
    assert newest == "PK-KZ-2026-900: Signed, effective 2026-02-03 (day)"


def test_unknown_feeds_are_404s(seeded: Api) -> None:
    assert_problem(seeded.get("/feeds/agreements/XX-1.atom"), 404, "agreement_not_found")
    assert_problem(seeded.get("/feeds/parties/ATLANTIS.atom"), 404, "party_not_found")


def test_a_feed_answers_304_when_nothing_changed(seeded: Api) -> None:
    response = seeded.get("/feeds/registry.atom")
    again = seeded.get("/feeds/registry.atom", {"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_pages_can_link_to_the_feeds(seeded_app: Flask) -> None:
    """Templates get `atom_feeds(ref=..., party=...)` for their <link rel="alternate">."""
    context: dict[str, Any] = {}
    with seeded_app.test_request_context("/agreements/PK-KZ-2026-001"):
        seeded_app.update_template_context(context)
        links = context["atom_feeds"](ref="PK-KZ-2026-001", party="PAK")
    assert [url for _title, url in links] == [
        "/feeds/registry.atom",
        "/feeds/agreements/PK-KZ-2026-001.atom",
        "/feeds/parties/PAK.atom",
    ]


def test_web_pages_name_their_feeds_in_a_link_header(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    )
    assert token is not None
    client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": "auditor", "password": DEMO_PASSWORD},
    )
    page = client.get("/agreements/PK-KZ-2026-001")
    assert page.status_code == 200
    links = page.headers.getlist("Link")
    assert any("</feeds/registry.atom>" in link for link in links)
    assert any("</feeds/agreements/PK-KZ-2026-001.atom>" in link for link in links)
    assert all('type="application/atom+xml"' in link for link in links)
