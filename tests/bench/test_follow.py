"""bench.status_tables writes a realistic UN status table, the same bytes for the same seed;
bench.follow runs to its end at small sizes (no time is asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.status_tables import status_table
from registry.domain.values import ConsentKind
from registry.store.bulk.status_table import parse_status, parse_treaty
from tests.bench.runner import run_bench


def test_a_generated_table_is_deterministic_and_reads_as_a_real_one() -> None:
    table, treaty = status_table(190, seed=5)
    assert (table, treaty) == status_table(190, seed=5)
    assert table != status_table(190, seed=6)[0]
    parsed = parse_status(table, parse_treaty(treaty))
    assert len(parsed.rows) == 190
    kinds = {row.consent.kind for row in parsed.rows if row.consent is not None}
    assert kinds >= {
        ConsentKind.RATIFICATION,
        ConsentKind.ACCEPTANCE,
        ConsentKind.APPROVAL,
        ConsentKind.ACCESSION,
        ConsentKind.SUCCESSION,
    }
    assert any(row.signature is not None and row.consent is None for row in parsed.rows)
    marks = {note.mark for row in parsed.rows for note in row.notes}
    assert {"Declarations and reservations", "Objections", "Withdrawal"} <= marks
    assert any(mark.isdigit() for mark in marks)  # footnote numbers after names
    days = [row.signature for row in parsed.rows if row.signature is not None]
    assert days != sorted(days)  # table order is not the order the acts took effect


def test_bench_follow_runs_to_its_end(tmp_path: Path) -> None:
    ran = run_bench("bench.follow", "--participants", "12", "--agreements", "4")
    assert "registry import-status" in ran.stdout
    assert "JSON API" in ran.stdout and "C2SP tiles" in ran.stdout
