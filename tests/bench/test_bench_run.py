"""`bench/run --quick` produces every figure of the archive-scale table (no time is asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.run import main

FIGURES = [
    "registry load",
    "registry import of an export",
    "registry import-status",
    "registry mirror of a whole log (",  # and its tiles, below
    "registry verify",
    "GET /api/v1/agreements/{ref} / GET /health",
    "GET /api/v1/agreements/{ref}/events / GET /health",
    "as-of list / current-state list, no filter",
    "as-of list / current-state list, broad search",
    "one event per transaction / raw sign + INSERT + COMMIT",
    "one event per transaction / eventsourcing, aggregate in memory",
    "8 concurrent writers / 1 writer",
    "state as of a date",
    "domain correction",
    "peak RSS of registry load",
]


def run_quick(tmp_path: Path, *database: str) -> list[dict]:
    output = tmp_path / "figures.json"
    main(["--quick", "--json", str(output), *database])
    return json.loads(output.read_text())


def check(figures: list[dict], database: str) -> None:
    for name in FIGURES:
        assert any(f["figure"].startswith(name) for f in figures), name
    mirrors = [f["figure"] for f in figures if f["figure"].startswith("registry mirror")]
    assert [m.rsplit(", ", 1)[1] for m in mirrors] == ["JSON API", "C2SP tiles"]
    for figure in figures:
        assert set(figure) >= {"figure", "value", "baseline", "ratio", "goal", "database"}
        assert figure["database"] == database
        assert figure["value"] > 0 and figure["baseline"] > 0


def test_every_figure_is_produced_on_sqlite(tmp_path: Path) -> None:
    check(run_quick(tmp_path), "sqlite")


@pytest.mark.postgres
def test_every_figure_is_produced_on_postgres(tmp_path: Path, postgres_database: str) -> None:
    check(run_quick(tmp_path, "--database", postgres_database), "postgresql")
