"""The log's origin is its identity: an instance configured with another origin than its
archived checkpoints' refuses to serve, and the documented migration (export, import into a
new database under the new origin) gives a log of the new identity with the same tree."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.ledger.note import NoteVerifier
from registry.store.application import Registry
from registry.store.bulk.archive import export_lines, import_lines
from registry.store.events.log import note_verifier
from registry.store.events.origin import origin_problem, syntax_problem
from registry.store.settings import Settings
from tests.integration.helpers import draft_transit_agreement, open_registry
from tests.integration.test_transfer import env_of

NEW = "registry.example.org/api/v1/log"


@pytest.fixture
def old(sqlite_settings: Settings) -> Settings:
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
    return sqlite_settings


def test_serving_under_another_origin_than_the_archived_one_is_refused(old: Settings) -> None:
    moved = replace(old, log_origin=NEW)
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=env_of(moved))
    assert result.exit_code != 0
    assert "refusing to serve" in result.output and old.log_origin in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "origin", ["https://registry.example.org/api/v1/log", "registry.example.org/log/", "a b", ""]
)
def test_an_origin_that_is_no_scheme_less_prefix_is_refused(origin: str) -> None:
    assert syntax_problem(origin)


def test_the_migration_gives_the_same_tree_under_the_new_origin(
    old: Settings, tmp_path: Path
) -> None:
    with open_registry(old) as registry:
        lines = list(export_lines(registry))
        before = registry.checkpoint()
        anchors = registry.anchors()
    migrated = replace(old, database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}", log_origin=NEW)
    registry = Registry(migrated)
    try:
        import_lines(registry, lines)
        after = registry.checkpoint()
        with registry.transaction() as session:
            assert origin_problem(session, NEW) is None
            assert origin_problem(session, old.log_origin) is not None
    finally:
        registry.close()
    assert before is not None and after is not None
    assert (after.size, after.root_hash) == (before.size, before.root_hash)
    assert after.note.startswith(NEW + "\n")
    verifier: NoteVerifier = note_verifier(NEW, anchors)
    assert verifier.name == NEW and verifier.vkey.startswith(NEW + "+")
