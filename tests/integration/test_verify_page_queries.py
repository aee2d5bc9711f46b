"""`registry verify` compares the log index and the stored tree a page at a time, in one query
each; from the first page in doubt it reads row by row. Whatever was edited, it reports exactly
what reading every row from the start reports. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import delete, insert, select, text, update

from registry.store.application import Registry
from registry.store.events import verification, verify_log
from registry.store.events.tables import log_entries, merkle_nodes
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    OnPostgres,
    OnSQLite,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)

Edit = Callable[[Registry, int], None]


def edited_digest(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        session.execute(
            update(log_entries)
            .where(log_entries.c.leaf_index == leaf)
            .values(envelope_sha256="0" * 64)
        )


def deleted_entry(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        session.execute(delete(log_entries).where(log_entries.c.leaf_index == leaf))


def negative_entry(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        row = session.execute(select(log_entries).where(log_entries.c.leaf_index == leaf)).one()
        values = {**row._mapping, "leaf_index": -1, "notification_id": 10**9, "version": 10**6}
        session.execute(insert(log_entries).values(values))


def extra_entry(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        row = session.execute(select(log_entries).where(log_entries.c.leaf_index == leaf)).one()
        values = {**row._mapping, "leaf_index": 10**6, "notification_id": 10**9, "version": 10**6}
        session.execute(insert(log_entries).values(values))


def edited_node(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        session.execute(
            update(merkle_nodes)
            .where(merkle_nodes.c.level == 0, merkle_nodes.c.idx == leaf)
            .values(hash=b"\1" * 32)
        )


def deleted_node(registry: Registry, leaf: int) -> None:
    with registry.transaction(commit=True) as session:
        session.execute(
            delete(merkle_nodes).where(merkle_nodes.c.level == 1, merkle_nodes.c.idx == leaf // 2)
        )


EDITS = [edited_digest, deleted_entry, negative_entry, extra_entry, edited_node, deleted_node]


class PageQueriesScenario:
    @pytest.fixture
    def registry(self, settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(verification, "PAGE", 4)
        with open_registry(settings) as registry:
            for number in range(2):
                reference = f"PK-KZ-2026-{900 + number}"
                draft_transit_agreement(registry, reference)
                record_signatures_and_ratification(registry, reference)
            yield registry

    def test_an_intact_store_is_read_in_page_queries_alone(
        self, registry: Registry, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        read: list[object] = []
        original = verify_log.StreamedLogCheck._index_row

        def counted(check: verify_log.StreamedLogCheck, event: tuple[int, str, int, str]) -> None:
            read.append(event)
            original(check, event)

        monkeypatch.setattr(verify_log.StreamedLogCheck, "_index_row", counted)
        assert verify_store(registry, workers=1).ok
        assert read == []

    @pytest.mark.parametrize("edit", EDITS, ids=[edit.__name__ for edit in EDITS])
    def test_an_edit_is_reported_as_reading_every_row_reports_it(
        self, registry: Registry, monkeypatch: pytest.MonkeyPatch, edit: Edit
    ) -> None:
        total = verification.count_events(registry)
        edit(registry, total // 2 + 1)  # in a middle page
        paged = verify_store(registry, workers=1)
        monkeypatch.setattr(verify_log, "_JOINED", {})  # no page queries: every row read
        every_row = verify_store(registry, workers=1)
        assert not paged.ok
        assert paged.problems == every_row.problems


class TestOnSQLite(OnSQLite, PageQueriesScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, PageQueriesScenario):
    pass


def test_a_row_filed_under_text_instead_of_its_id_bytes_is_reported(sqlite_settings: Settings):
    """SQLite's column holds any type: the id spelled as text is not the row's 16 bytes."""
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction(commit=True) as session:
            row = session.execute(select(cls.id).order_by(cls.id.desc())).first()
            assert row is not None
            session.execute(
                text("UPDATE registry_events SET originator_id = :t WHERE id = :id"),
                {"t": str(registry.resolve("PK-KZ-2026-900")), "id": row.id},
            )
        problems = "\n".join(verify_store(registry, workers=1).problems)
    assert f"notification {row.id}" in problems
    assert "row is filed under" in problems
