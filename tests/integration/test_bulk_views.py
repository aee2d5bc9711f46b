"""The bulk paths write the read models the one projection gives on a replay: a load in chunks
(aggregates kept from one chunk to the next) and an import that projects each chunk from its
verified bytes (heads kept from one chunk to the next, or read back from the tables after a
resume), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url, select, text

from bench.generate import generate
from registry.store.application import Registry
from registry.store.bulk.archive import export_lines, import_lines
from registry.store.bulk.chunks import stored_versions
from registry.store.bulk.fixtures import FixtureError, load_script, read_steps
from registry.store.bulk.parallel_load import load_in_parallel
from registry.store.events.tables import agreements
from registry.store.events.verification import verify_store
from registry.store.reads.intervals import agreement_intervals, agreement_texts, party_intervals
from registry.store.reads.rebuild import rebuild_views
from registry.store.settings import Settings
from tests.integration.helpers import open_registry


class Interrupted(Exception):
    """Stands for the process being killed at this point (see test_crashes for real kills)."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path) -> Iterator[Registry]:
    """A generated archive (multilateral, corrected and late-recorded acts among them) loaded
    in chunks of 11 events, so that many agreements straddle two chunks or more."""
    scripts = generate(tmp_path / "archive", 40, per_file=40, max_parties=4)
    steps = [step for path in scripts for step in read_steps(path)]
    with open_registry(settings) as registry:
        load_script(registry, steps, chunk=11)
        yield registry


def rows_of(registry: Registry) -> dict[str, set[tuple[Any, ...]]]:
    with registry.transaction() as session:
        return {
            table.name: {tuple(row) for row in session.execute(select(table))}
            for table in (agreement_intervals, party_intervals, agreement_texts, agreements)
        }


@pytest.fixture
def target(loaded: Registry, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Registry]:
    """The same instance keys, an empty database of the same kind (PostgreSQL: a schema of
    its own in the run's database)."""
    source = loaded.settings
    if source.database_url.startswith("sqlite"):
        url, drop = f"sqlite:///{tmp_path / 'target.sqlite3'}", None
    else:
        base = request.getfixturevalue("postgres_database")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        drop = create_engine(base, isolation_level="AUTOCOMMIT")
        with drop.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = {"options": f"-csearch_path={schema}"}
        url = make_url(base).update_query_dict(options).render_as_string(hide_password=False)
    registry = Registry(Settings(source.home, url, source.log_origin, source.keys_dir))
    try:
        yield registry
    finally:
        registry.close()
        if drop is not None:
            with drop.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            drop.dispose()


def test_a_load_in_chunks_writes_the_rows_a_rebuild_replays(loaded: Registry):
    written = rows_of(loaded)
    assert len(written[agreement_intervals.name]) > 40

    rebuild_views(loaded)

    assert rows_of(loaded) == written


def test_a_load_on_worker_processes_writes_what_a_serial_load_writes(
    settings: Settings, tmp_path: Path
):
    """Chunks of 11 events: agreements straddle chunks, and some come back to a worker after
    it let them go (their aggregates and rows are then sent from the store)."""
    scripts = generate(tmp_path / "archive", 40, per_file=40, max_parties=4)
    steps = [step for path in scripts for step in read_steps(path)]
    with open_registry(settings) as registry:
        versions = partial(stored_versions, registry)
        loaded = load_in_parallel(registry, steps, chunk=11, workers=2, stored_versions=versions)
        assert loaded == (len(steps), 0, False)  # all of it, none left to the serial load
        written = rows_of(registry)
        assert verify_store(registry).ok
        rebuild_views(registry)
        assert rows_of(registry) == written
        again = load_script(registry, steps, chunk=11, workers=2)
        assert (again.recorded, again.skipped) == (0, len(steps))


@pytest.mark.parametrize("drafted", [True, False])
def test_a_refused_step_stops_a_load_on_workers_where_a_serial_load_stops(
    settings: Settings, tmp_path: Path, drafted: bool
):
    """The chunks before the refused step's are written by the workers; the serial load then
    saves the steps before it in its chunk and names it (a refused draft: the agreement's
    later steps find no agreement; a refused act: its agreement is held by a worker)."""
    scripts = generate(tmp_path / "archive", 40, per_file=40, max_parties=4)
    steps = [step for path in scripts for step in read_steps(path)]
    refused = next(  # in the fifth chunk of 11 or after
        number
        for number, step in enumerate(steps, start=1)
        if number >= 45 and (step.type == "Drafted") == drafted
    )
    steps[refused - 1] = replace(steps[refused - 1], type="NoSuchEvent")
    with open_registry(settings) as registry:
        with pytest.raises(FixtureError, match=f"step {refused} \\(NoSuchEvent on "):
            load_script(registry, steps, chunk=11, workers=2)
        streams = {registry.resolve(step.agreement) for step in steps}
        assert sum(stored_versions(registry, streams).values()) == refused - 1
        assert verify_store(registry).ok


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_in_chunks_resumed_after_a_kill_writes_the_source_rows(
    loaded: Registry, target: Registry, workers: int
):
    lines = list(export_lines(loaded))

    def killed(position: int) -> None:
        if position == 30:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_lines(target, lines, chunk=6, progress=killed, workers=workers)
    import_lines(target, lines, chunk=6, workers=workers)  # resumed: heads from the tables

    assert rows_of(target) == rows_of(loaded)
    assert verify_store(target).ok
    rebuild_views(target)
    assert rows_of(target) == rows_of(loaded)
