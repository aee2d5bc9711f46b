"""Backups that vouch for themselves, imports that finish, loads that a rerun completes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.store.application import Registry
from registry.store.bulk.archive import TransferError, export_lines, import_lines, import_path
from registry.store.events.unfinished import ViewsIncomplete
from registry.store.events.verification import count_events, verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    OFFICERS,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)
from tests.integration.test_transfer import env_of, same_home_other_database

REFERENCES = [f"PK-KZ-2026-{n:03d}" for n in range(900, 906)]


class Interrupted(Exception):
    """Stands for the process being killed at this point (see test_crashes for real kills)."""


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def source(sqlite_settings: Settings):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        for reference in REFERENCES:
            draft_transit_agreement(registry, reference)
            record_signatures_and_ratification(registry, reference)
        yield registry


@pytest.fixture
def target(source: Registry, settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An empty database under the source's instance keys (SQLite or PostgreSQL)."""
    if settings.is_sqlite:
        url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    else:
        url = settings.database_url
    registry = Registry(same_home_other_database(source.settings, url))
    yield registry
    registry.close()


def test_an_export_ends_with_the_logs_signed_checkpoint_of_exactly_its_events(source: Registry):
    lines = list(export_lines(source))
    trailer = json.loads(lines[-1])
    assert trailer["format"] == "agreement-registry-export/v1"
    assert trailer["checkpoint"] == source.checkpoint().note
    assert trailer["checkpoint"].split("\n")[1] == str(len(lines) - 1)


def test_a_restored_backup_serves_the_sources_own_signed_checkpoint(
    source: Registry, target: Registry
):
    import_lines(target, list(export_lines(source)), chunk=5)
    assert target.checkpoint().note == source.checkpoint().note
    assert verify_store(target).ok
    listed = target.list_as_of(limit=None).agreements
    assert [a.reference for a in listed] == REFERENCES


def test_an_import_killed_between_chunks_refuses_lists_and_a_rerun_finishes_it(
    source: Registry, target: Registry, tmp_path: Path
):
    path = tmp_path / "backup.jsonl"
    path.write_bytes(b"\n".join(export_lines(source)) + b"\n")

    def killed_after_two_chunks(position: int) -> None:
        if position == 10:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_path(target, path, chunk=5, progress=killed_after_two_chunks)
    assert count_events(target) == 10
    with pytest.raises(ViewsIncomplete, match=r"run the same `registry import FILE` again"):
        target.list_as_of()
    assert verify_store(target).ok  # what is stored is a whole, signed log of 10 events

    finished = import_path(target, path, chunk=5)
    assert (finished.already, finished.events) == (10, count_events(source) - 10)
    assert count_events(target) == count_events(source)
    assert target.checkpoint().note == source.checkpoint().note
    assert verify_store(target).ok
    assert len(target.list_as_of(limit=None).agreements) == len(REFERENCES)


def test_an_import_killed_before_its_views_is_finished_by_rebuild_views(
    source: Registry, target: Registry, tmp_path: Path
):
    lines = list(export_lines(source))
    total = len(lines) - 1

    def killed_after_the_last_chunk(position: int) -> None:
        if position == total:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_lines(target, lines, chunk=7, progress=killed_after_the_last_chunk)
    assert count_events(target) == total
    with pytest.raises(ViewsIncomplete):
        target.agreement_ids()
    runner = CliRunner()
    result = runner.invoke(main, ["rebuild-views"], env=env_of(target.settings))
    assert result.exit_code == 0, result.output
    assert len(target.agreement_ids()) == len(REFERENCES)


def test_rebuild_views_refuses_to_complete_an_import_whose_events_are_not_all_stored(
    source: Registry, target: Registry
):
    def killed(position: int) -> None:
        if position == 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_lines(target, list(export_lines(source)), chunk=5, progress=killed)
    result = CliRunner().invoke(main, ["rebuild-views"], env=env_of(target.settings))
    assert result.exit_code == 1
    assert "5 of its" in result.output and "registry import FILE" in result.output
    with pytest.raises(ViewsIncomplete):
        target.list_as_of()


def test_a_different_file_cannot_finish_an_unfinished_import(source: Registry, target: Registry):
    lines = list(export_lines(source))

    def killed(position: int) -> None:
        if position == 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        import_lines(target, lines, chunk=5, progress=killed)
    shorter = [*lines[:-4], lines[-1]]
    with pytest.raises(TransferError):
        import_lines(target, shorter, chunk=5, allow_partial=True)
    assert count_events(target) == 5


def test_the_cli_refuses_a_cut_backup_naming_what_is_missing_unless_told_loudly(
    source: Registry, tmp_path: Path
):
    runner = CliRunner()
    backup = tmp_path / "backup.jsonl"
    result = runner.invoke(main, ["export", "-o", str(backup)], env=env_of(source.settings))
    assert result.exit_code == 0, result.output
    lines = backup.read_bytes().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"\n".join([*lines[:10], lines[-1]]) + b"\n")
    other = same_home_other_database(source.settings, f"sqlite:///{tmp_path / 'c.sqlite3'}")
    result = runner.invoke(main, ["import", str(cut)], env=env_of(other))
    assert result.exit_code == 1
    missing = len(lines) - 1 - 10
    assert f"{missing} are missing (events 11 to {len(lines) - 1})" in result.output
    assert "nothing was imported" in result.output

    head = tmp_path / "head.jsonl"
    head.write_bytes(b"\n".join(lines[:10]) + b"\n")
    result = runner.invoke(main, ["import", "--allow-partial", str(head)], env=env_of(other))
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "no trailer" in result.output
    assert runner.invoke(main, ["verify"], env=env_of(other)).exit_code == 0


def test_a_fixture_load_that_stopped_midway_completes_on_a_rerun_with_nothing_doubled(
    sqlite_settings: Settings, tmp_path: Path
):
    from bench.generate import generate

    (script,) = generate(tmp_path / "archive", 12, max_parties=5)
    steps = json.loads(script.read_text(encoding="utf-8"))["steps"]
    first_part = tmp_path / "first-part.json"
    first_part.write_text(json.dumps({"steps": steps[: len(steps) // 2]}), encoding="utf-8")
    with open_registry(sqlite_settings):
        pass
    runner, env = CliRunner(), env_of(sqlite_settings)
    result = runner.invoke(main, ["load", "--chunk", "7", str(first_part)], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["load", "--chunk", "7", str(script)], env=env)
    assert result.exit_code == 0, result.output
    assert f"({len(steps) // 2} steps were already recorded)" in result.output
    with open_registry(sqlite_settings, init=False) as registry:
        assert count_events(registry) == len(steps) + 1 + len(OFFICERS)  # and the keyring's
        assert verify_store(registry).ok
        assert len(registry.agreement_ids()) == len({s["agreement"] for s in steps})


def test_accounts_are_backed_up_to_a_private_file_and_restored_into_a_new_registry(
    source: Registry, target: Registry, tmp_path: Path
):
    from registry.store.accounts.users import Accounts

    runner = CliRunner()
    accounts = tmp_path / "accounts.json"
    result = runner.invoke(
        main, ["export-accounts", "-o", str(accounts)], env=env_of(source.settings)
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(accounts.stat().st_mode) == 0o600
    document = json.loads(accounts.read_text(encoding="utf-8"))
    assert "NOT signed history" in document["notice"]
    assert {u["username"] for u in document["users"]} >= set(OFFICERS)

    result = runner.invoke(main, ["import-accounts", str(accounts)], env=env_of(target.settings))
    assert result.exit_code == 0, result.output
    assert Accounts(target).all() == Accounts(source).all()
    again = runner.invoke(main, ["import-accounts", str(accounts)], env=env_of(target.settings))
    assert again.exit_code == 1 and "nothing was restored" in again.output


def test_the_instance_folder_and_the_sqlite_files_are_private(source: Registry):
    home = source.settings.home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    database = home / "registry.sqlite3"
    for path in (database, database.with_name("registry.sqlite3-wal")):
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert database.exists()
