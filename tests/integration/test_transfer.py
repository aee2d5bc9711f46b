"""Export and import: the exact signed bytes travel, and a broken file writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.store.application import Registry
from registry.store.bulk.archive import TransferError, export_lines, import_lines
from registry.store.events.keystore import KeyStore
from registry.store.events.verification import count_events, verify_store
from registry.store.settings import Settings
from tests.conftest import settings_for
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)


def env_of(settings: Settings) -> dict[str, str]:
    return {
        "REGISTRY_HOME": str(settings.home),
        "REGISTRY_DATABASE_URL": settings.database_url,
        "REGISTRY_LOG_ORIGIN": settings.log_origin,
        "REGISTRY_KEYS_DIR": str(settings.keys_dir),
    }


@pytest.fixture
def source(sqlite_settings: Settings):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, "PK-KZ-2026-900")
        yield registry


def same_home_other_database(settings: Settings, database_url: str) -> Settings:
    """The same instance keys, a new database: how a registry moves from SQLite to PostgreSQL."""
    return Settings(settings.home, database_url, settings.log_origin, settings.keys_dir)


def test_an_export_imported_into_an_empty_database_gives_the_same_log(
    source: Registry, tmp_path: Path
):
    lines = list(export_lines(source))
    target_settings = same_home_other_database(
        source.settings, f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    )
    target = Registry(target_settings)
    try:
        assert import_lines(target, lines) == len(lines) - 1  # all but the trailer
        assert list(export_lines(target)) == lines
        assert target.checkpoint().root_hash == source.checkpoint().root_hash
        assert verify_store(target).ok
        assert target.state("PK-KZ-2026-900") == source.state("PK-KZ-2026-900")
    finally:
        target.close()


@pytest.mark.postgres
def test_a_sqlite_registry_moves_to_postgres_intact(source: Registry, postgres_url: str):
    lines = list(export_lines(source))
    target = Registry(same_home_other_database(source.settings, postgres_url))
    try:
        import_lines(target, lines)
        assert target.checkpoint().root_hash == source.checkpoint().root_hash
        assert verify_store(target).ok
    finally:
        target.close()


def edited_signature(line: bytes) -> bytes:
    return line.replace(b'"sig":"', b'"sig":"AA', 1)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda lines: lines[:2] + lines[3:], id="a-dropped-line"),
        pytest.param(lambda lines: [lines[1], lines[0], *lines[2:]], id="swapped-lines"),
        pytest.param(
            lambda lines: [*lines[:-2], edited_signature(lines[-2]), lines[-1]],
            id="an-edited-signature",
        ),
        pytest.param(lambda lines: [*lines, b"{not json"], id="trailing-garbage"),
        pytest.param(lambda lines: lines[:-1], id="no-trailer"),
        pytest.param(lambda lines: [*lines[:-3], lines[-1]], id="the-last-events-dropped"),
        pytest.param(lambda lines: lines[:4], id="cut-short-like-head-n"),
        pytest.param(
            lambda lines: [*lines[:-1], lines[-1].replace(b"\\n\\n", b"\\n\\nx", 1)],
            id="an-edited-trailer",
        ),
    ],
)
def test_a_broken_export_is_refused_and_nothing_is_written(
    source: Registry, tmp_path: Path, damage
):  # type: ignore[no-untyped-def]
    lines = damage(list(export_lines(source)))
    target = Registry(
        same_home_other_database(source.settings, f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    )
    try:
        with pytest.raises(TransferError, match="nothing was imported"):
            import_lines(target, lines)
        assert count_events(target) == 0
    finally:
        target.close()


def test_import_refuses_a_store_that_already_holds_events(source: Registry):
    with pytest.raises(Exception, match="empty event store"):
        import_lines(source, list(export_lines(source)))


def test_the_cli_exports_and_imports_and_says_what_went_wrong(source: Registry, tmp_path: Path):
    runner = CliRunner()
    export_file = tmp_path / "registry.jsonl"
    result = runner.invoke(main, ["export", "-o", str(export_file)], env=env_of(source.settings))
    assert result.exit_code == 0, result.output
    assert export_file.read_bytes().count(b"\n") == count_events(source) + 1  # the trailer

    target = same_home_other_database(source.settings, f"sqlite:///{tmp_path / 'b.sqlite3'}")
    result = runner.invoke(main, ["import", str(export_file)], env=env_of(target))
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["verify"], env=env_of(target)).exit_code == 0

    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(export_file.read_bytes().replace(b'"payloadType"', b'"payloadTipe"', 1))
    other = same_home_other_database(source.settings, f"sqlite:///{tmp_path / 'c.sqlite3'}")
    result = runner.invoke(main, ["import", str(broken)], env=env_of(other))
    assert result.exit_code == 1
    assert result.output.startswith("registry: line 1:")
    assert "Traceback" not in result.output


def test_an_instance_with_other_trust_anchors_refuses_the_export(source: Registry, tmp_path: Path):
    lines = list(export_lines(source))
    stranger_settings = settings_for(tmp_path / "elsewhere")
    KeyStore(stranger_settings.private_keys_dir).create()  # its own keys, no events yet
    stranger = Registry(stranger_settings)
    try:
        with pytest.raises(TransferError, match="no trusted key"):
            import_lines(stranger, lines)
        assert count_events(stranger) == 0
    finally:
        stranger.close()
