"""A list is few statements: without a search one (the counts, the page, its parties'
standings and whether the read models are complete), with a search two; and an
unfinished import still stops every list, whichever statement carries the check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from registry.domain.values import AgreementKind, AgreementStatus
from registry.store.application import Registry
from registry.store.events import unfinished
from registry.store.events.unfinished import ViewsIncomplete
from registry.store.settings import Settings
from tests.integration.helpers import OnPostgres, OnSQLite
from tests.web.audit_story import build_story

AS_OF = date(2026, 6, 1)
WITHOUT_A_SEARCH: list[dict[str, Any]] = [
    {},
    {"party": "KAZ"},
    {"kind": AgreementKind.ROADMAP, "status": AgreementStatus.IN_FORCE},
    {"sort": "signed", "descending": True},
]
SEARCHES = ["transit", "a", "pk-kz"]


class ListStatementsScenario:
    @pytest.fixture
    def registry(self, settings: Settings) -> Iterator[Registry]:
        registry = Registry(build_story(settings))
        yield registry
        registry.close()

    @staticmethod
    def statements(registry: Registry, **selection: Any) -> list[str]:
        engine = registry.signed_recorder.datastore.engine
        seen: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            page = registry.list_as_of(AS_OF, **selection)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert page.counts, selection  # the story has agreements then
        return [s for s in seen if s.split()[0].upper() not in ("BEGIN", "ROLLBACK", "COMMIT")]

    @pytest.mark.parametrize("selection", WITHOUT_A_SEARCH)
    def test_a_list_without_a_search_is_one_statement(
        self, registry: Registry, selection: dict[str, Any]
    ) -> None:
        assert len(self.statements(registry, **selection)) == 1

    @pytest.mark.parametrize("q", SEARCHES)
    def test_a_search_is_two_statements(self, registry: Registry, q: str) -> None:
        assert len(self.statements(registry, q=q)) == 2

    def test_an_unfinished_import_stops_every_list(self, registry: Registry) -> None:
        with registry.transaction(commit=True) as session:
            unfinished.begin(session, unfinished.IMPORT, {}, "run the import again")
        for selection in [*WITHOUT_A_SEARCH, *({"q": q} for q in SEARCHES)]:
            with pytest.raises(ViewsIncomplete, match="run the import again"):
                registry.list_as_of(AS_OF, **selection)


class TestOnSQLite(OnSQLite, ListStatementsScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, ListStatementsScenario):
    pass
