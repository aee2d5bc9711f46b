"""The statements of a small commit, pinned to what they replace, on SQLite and PostgreSQL.

A commit's read-model rows go through intervals.py's driver statements (a multi-row INSERT
on PostgreSQL where a bulk load takes COPY, one upsert of the list rows where a bulk load
deletes and inserts them, one executemany to close rows), and a writer that finds rows of
other writers under the lock grows the tree's right edge from their envelopes instead of
reading it back. Each is checked against the slow path it stands for: the rows a rebuild
makes, the rows SQLAlchemy's own INSERT stores, the edge the node table holds.

`StatementScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, insert, select

from registry.domain.dates import PartialDate
from registry.ledger.merkle import read_nodes
from registry.store.application import Registry
from registry.store.events.head import frontier_keys
from registry.store.events.log import SqlNodeReader
from registry.store.events.tables import agreements
from registry.store.reads.intervals import (
    OPEN,
    SMALL_BATCH,
    agreement_intervals,
    agreement_texts,
    close_rows,
    insert_rows,
    party_intervals,
    upsert_rows,
)
from registry.store.reads.rebuild import rebuild_views
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    KAZAKHSTAN,
    PAKISTAN,
    OnPostgres,
    OnSQLite,
    assert_one_dense_log,
    drafted_data,
    open_registry,
    roadmap_data,
    signed_data,
)

FEB = PartialDate(2026, 2, 1)
READ_MODELS = (agreement_intervals, party_intervals, agreement_texts, agreements)


def every_row(registry: Registry) -> dict[str, set[tuple[Any, ...]]]:
    with registry.transaction() as session:
        return {
            table.name: {tuple(row) for row in session.execute(select(table))}
            for table in READ_MODELS
        }


def interval_row(number: int, recorded_to: int = OPEN) -> dict[str, Any]:
    return {
        "agreement_id": f"00000000-0000-5000-8000-{number:012d}",
        "valid_from": date(2026, 1, 1 + number % 28),
        "valid_until": date.max,
        "recorded_from": 1_700_000_000_000_000 + number,
        "recorded_to": recorded_to,
        "status": "signed",
        "reference": f"PK-KZ-{number:05d}",
        "title": f"Agreement {number} — «транзит»",
        "titles": '{"en": "Agreement"}',
        "titles_key": 2**62 + number,
        "kind": "agreement",
        "character": "binding",
        "parties": '["PAK", "KAZ"]',
        "signed": "2026-02" if number % 2 else None,
        "in_force": None,
    }


def list_row(number: int, version: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-5000-8000-{number:012d}",
        "reference": f"PK-KZ-{number:05d}",
        "title": f"Agreement {number}",
        "titles_text": f"pk-kz-{number:05d}\nagreement {number}",
        "kind": "agreement",
        "character": "binding",
        "status": "in_force" if version > 2 else "drafted",
        "parties": "PAK,KAZ",
        "version": version,
        "last_recorded": f"2026-02-01T09:00:00.{version:06d}Z",
        "signed": None,
        "in_force": "2026-03-01" if version > 2 else None,
    }


def stored(registry: Registry, table: Any) -> set[tuple[Any, ...]]:
    with registry.transaction() as session:
        return {tuple(row) for row in session.execute(select(table))}


def as_sqlalchemy_stores(registry: Registry, table: Any, rows: list[dict[str, Any]]) -> set[Any]:
    """The rows SQLAlchemy's own INSERT stores (written, read back, then removed)."""
    with registry.transaction(commit=True) as session:
        session.execute(insert(table), rows)
    found = stored(registry, table)
    with registry.transaction(commit=True) as session:
        session.execute(delete(table))
    return found


class StatementScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            yield registry

    @pytest.mark.parametrize("count", [1, 3, SMALL_BATCH, SMALL_BATCH + 1])
    def test_a_small_or_large_batch_stores_the_rows_sqlalchemys_insert_stores(
        self, registry: Registry, count: int
    ):
        rows = [interval_row(n) for n in range(count)]
        expected = as_sqlalchemy_stores(registry, agreement_intervals, rows)
        with registry.transaction(commit=True) as session:
            insert_rows(session, agreement_intervals, rows)
        assert stored(registry, agreement_intervals) == expected
        assert len(expected) == count

    @pytest.mark.parametrize("count", [1, 4, SMALL_BATCH + 3])
    def test_an_upsert_stores_what_a_delete_and_an_insert_store(
        self, registry: Registry, count: int
    ):
        first = [list_row(n, 1) for n in range(count)]
        again = [list_row(n, 3) for n in range(0, count, 2)] + [list_row(count + 1, 1)]
        by_id = {row["id"]: row for row in first + again}
        expected = as_sqlalchemy_stores(registry, agreements, list(by_id.values()))
        with registry.transaction(commit=True) as session:
            upsert_rows(session, agreements, first)
        with registry.transaction(commit=True) as session:
            upsert_rows(session, agreements, again)
        assert stored(registry, agreements) == expected

    def test_closing_rows_sets_recorded_to_on_exactly_the_rows_named(self, registry: Registry):
        closed = {1: 43, 4: 46}
        expected = as_sqlalchemy_stores(
            registry,
            agreement_intervals,
            [interval_row(n, closed.get(n, OPEN)) for n in range(6)],
        )
        rows = [interval_row(n) for n in range(6)]
        with registry.transaction(commit=True) as session:
            insert_rows(session, agreement_intervals, rows)
        keys = ("agreement_id", "valid_from", "recorded_from")
        closing = [{f"k_{k}": rows[n][k] for k in keys} | {"to": to} for n, to in closed.items()]
        with registry.transaction(commit=True) as session:
            close_rows(session, agreement_intervals, closing)
        assert stored(registry, agreement_intervals) == expected

    def test_commits_one_event_each_leave_the_rows_a_rebuild_makes(self, registry: Registry):
        """Events that close and open intervals (signatures, consent, entry into force) and
        events that change none (milestones), each its own commit: every read-model row,
        the list row whole, is what a rebuild from the log writes."""
        ref = "PK-KZ-2026-950"
        registry.draft(effective=FEB, actor=ISLAMABAD, data=drafted_data(ref))
        for party in (PAKISTAN, KAZAKHSTAN):
            registry.record(
                ref, "Signed", effective=PartialDate(2026, 2, 3), actor=ISLAMABAD,
                data=signed_data(party["code"]),
            )  # fmt: skip
        registry.draft(effective=FEB, actor=ISLAMABAD, data=roadmap_data("PK-KZ-2026-951"))
        for number in range(3):
            registry.record(
                "PK-KZ-2026-951", "MilestoneRecorded", effective=FEB, actor=ISLAMABAD,
                data={"milestone": f"m-{number}", "title": f"M {number}", "status": "planned"},
            )  # fmt: skip
        maintained = every_row(registry)
        assert all(maintained.values())
        rebuild_views(registry)
        assert every_row(registry) == maintained

    def test_a_writer_grows_the_right_edge_by_the_rows_of_others_as_the_table_holds_it(
        self, registry: Registry, settings: Settings
    ):
        other = Registry(settings)
        try:
            registry.draft(effective=FEB, actor=ISLAMABAD, data=roadmap_data("PK-KZ-2026-A"))
            other.draft(effective=FEB, actor=ISLAMABAD, data=roadmap_data("PK-KZ-2026-B"))
            for number in range(5):  # the other writes 1, 2, ... rows between two of ours
                for extra in range(number + 1):
                    other.record(
                        "PK-KZ-2026-B", "MilestoneRecorded", effective=FEB, actor=ISLAMABAD,
                        data={"milestone": f"m-{number}-{extra}", "title": "M",
                              "status": "planned"},
                    )  # fmt: skip
                registry.record(
                    "PK-KZ-2026-A", "MilestoneRecorded", effective=FEB, actor=ISLAMABAD,
                    data={"milestone": f"m-{number}", "title": "M", "status": "planned"},
                )  # fmt: skip
                head = registry.signed_recorder._head
                assert head is not None
                with registry.transaction() as session:
                    table = read_nodes(SqlNodeReader(session), frontier_keys(head.size))
                assert head.frontier == table
            total = head.size
            assert_one_dense_log(registry, total)
        finally:
            other.close()


class TestOnSQLite(OnSQLite, StatementScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, StatementScenario):
    pass
