"""One `Filters`, parsed by one schema, answered by one query module (store/reads/filters.py,
queries.py): the SQL list, the current-state list and `Filters.matches` agree, on SQLite
and PostgreSQL, for every filter, every sort and any page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter
from registry.store.application import Registry
from registry.store.reads.filters import (
    AS_OF_SORTS,
    CURRENT_SORTS,
    Filters,
    FiltersSchema,
    parse_filters,
)
from registry.store.settings import Settings
from tests.integration.helpers import OnPostgres, OnSQLite
from tests.web.audit_story import build_story

DAYS = (date(2026, 2, 20), date(2026, 6, 1), None)
SELECTIONS = (
    Filters(),
    Filters(party="KAZ"),
    Filters(kind=AgreementKind.ROADMAP),
    Filters(character=LegalCharacter.BINDING),
    Filters(status=AgreementStatus.IN_FORCE),
    Filters(q="TRANSIT"),
    Filters(q="e", status=AgreementStatus.SIGNED),
    Filters(q="a", party="PAK"),
)


class FiltersScenario:
    @pytest.fixture
    def registry(self, settings: Settings) -> Iterator[Registry]:
        registry = Registry(build_story(settings))
        yield registry
        registry.close()

    def test_the_list_selects_what_filters_match_selects(self, registry: Registry) -> None:
        for selection, as_of in ((s, d) for s in SELECTIONS for d in DAYS):
            wanted = [
                state.reference
                for state in registry.list_states(as_of=as_of)
                if selection.matches(state)
            ]
            listed = registry.list_agreements(replace(selection, as_of=as_of, limit=None))
            assert [a.reference for a in listed.agreements] == wanted, (selection, as_of)
            assert listed.total == len(wanted)

    def test_a_search_sorts_and_pages_as_the_whole_list_does(self, registry: Registry) -> None:
        """A search's page comes from SQL over its hits, the list's from an index walk."""
        for sort, descending in ((s, d) for s in AS_OF_SORTS for d in (False, True)):
            self.search_pages(registry, sort, descending)

    def search_pages(self, registry: Registry, sort: str, descending: bool) -> None:
        every = Filters(q="", sort=sort, descending=descending, limit=None)
        searched = replace(every, q="a")  # most agreements have an "a" in the reference or title
        whole = [a.reference for a in registry.list_agreements(every).agreements]
        hits = {a.reference for a in registry.list_agreements(searched).agreements}
        wanted = [reference for reference in whole if reference in hits]
        pages = [
            a.reference
            for page in (1, 2, 3)
            for a in registry.list_agreements(replace(searched, limit=2, page=page)).agreements
        ]
        assert pages == wanted[:6], (sort, descending)
        assert len(hits) >= 3

    def test_the_current_state_list_takes_the_same_filters(self, registry: Registry) -> None:
        for selection in SELECTIONS:
            wanted = [s.reference for s in registry.list_states() if selection.matches(s)]
            for sort in CURRENT_SORTS:
                found = registry.current_agreements(replace(selection, sort=sort, limit=100))
                assert sorted(row["reference"] for row in found.rows) == sorted(wanted)


class TestOnSQLite(OnSQLite, FiltersScenario):
    pass


class TestOnPostgres(OnPostgres, FiltersScenario):
    pass


def test_one_schema_parses_every_entry_points_text_alike() -> None:
    schema = FiltersSchema()
    filters = schema.load(
        {
            "q": " Transit ",
            "party": "KAZ",
            "kind": "roadmap",
            "status": "in_force",
            "as_of": "2026-02-20",
            "known_at": "2026-03-01",
            "sort": "-signed",
            "page": "2",
            "character": "",
        }
    )
    assert filters == Filters(
        party="KAZ",
        kind=AgreementKind.ROADMAP,
        status=AgreementStatus.IN_FORCE,
        q="Transit",
        as_of=date(2026, 2, 20),
        known_at=datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC),
        sort="signed",
        descending=True,
        page=2,
    )
    assert filters.offset == 50


def test_bad_filters_are_named_and_the_defaults_used() -> None:
    filters, problems = parse_filters(
        FiltersSchema(), {"kind": "poem", "as_of": "20 Feb", "sort": "title"}
    )
    assert filters == Filters()
    assert sorted(p.split(":")[0] for p in problems) == ["as_of", "kind", "sort"]
