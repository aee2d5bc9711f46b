"""SIGKILL during bulk work: a rerun completes it, nothing is lost, doubled or half-served.

Each test runs the real `registry` command in a child process, kills it with SIGKILL at a
random moment (the seed is in the failure message), then checks the database with a fresh
process. Rounds are few and bounded in time: the point is every stage being reachable, which
the random delays over a small archive give.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from registry.store.settings import Settings
from tests.integration.test_transfer import env_of, same_home_other_database

ROUNDS = 2
SEED = int(os.environ.get("REGISTRY_CRASH_SEED", time.time_ns() % 1_000_000))
REGISTRY = [sys.executable, "-m", "registry.cli"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest) -> Settings:
    return request.getfixturevalue(f"{request.param}_settings")


def run(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*REGISTRY, *args],
        env=os.environ | env_of(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def killed(settings: Settings, delay: float, *args: str) -> bool:
    """Run the command and SIGKILL it after `delay` seconds; True if it was still running."""
    child = subprocess.Popen(
        [*REGISTRY, *args],
        env=os.environ | env_of(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        child.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        return True


def listed(settings: Settings) -> subprocess.CompletedProcess[str]:
    return run(settings, "list", "--json", check=False)


def other_database(settings: Settings, tmp_path: Path, name: str) -> Settings:
    if settings.is_sqlite:
        return same_home_other_database(settings, f"sqlite:///{tmp_path / name}.sqlite3")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    schema = f"{url.query['options'].split('=')[1]}_{name}"
    engine = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    moved = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return same_home_other_database(settings, moved.render_as_string(hide_password=False))


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, list[dict]]:
    (script,) = generate(tmp_path / "archive", 40, max_parties=6)
    return script, json.loads(script.read_text(encoding="utf-8"))["steps"]


def test_a_load_killed_midway_completes_on_a_rerun_with_nothing_lost_or_doubled(
    settings: Settings, archive: tuple[Path, list[dict]], tmp_path: Path
):
    script, steps = archive
    run(settings, "init")
    # Kill at a point inside the load whatever the machine's speed: first time a whole load
    # into a scratch database, then kill the real one between 20 % and 80 % of that.
    scratch = other_database(settings, tmp_path, "timing")
    run(scratch, "init")
    started = time.perf_counter()
    run(scratch, "load", "--chunk", "40", str(script))
    whole = time.perf_counter() - started
    rng = random.Random(SEED)
    kills = 0
    for _ in range(ROUNDS):
        delay = whole * rng.uniform(0.2, 0.8)
        kills += killed(settings, delay, "load", "--chunk", "40", str(script))
    finished = run(settings, "load", "--chunk", "40", str(script))
    assert "recorded" in finished.stdout
    assert kills, f"seed {SEED}: no load was still running when killed"
    agreements = {step["agreement"] for step in steps}
    rows = json.loads(listed(settings).stdout)
    assert sorted(row["reference"] for row in rows) == sorted(agreements), f"seed {SEED}"
    verified = run(settings, "verify", "--quiet", check=False)
    assert verified.returncode == 0, (SEED, verified.stderr)
    again = run(settings, "load", str(script))
    assert f"recorded 0 events ({len(steps)} steps were already recorded)" in again.stdout


def test_export_import_and_rebuild_killed_anywhere_lose_nothing_and_serve_nothing_half_built(
    settings: Settings, archive: tuple[Path, list[dict]], tmp_path: Path
):
    script, steps = archive
    run(settings, "init")
    run(settings, "load", str(script))
    references = sorted({step["agreement"] for step in steps})
    rng = random.Random(SEED)
    backup = tmp_path / "backup.jsonl"

    for _ in range(ROUNDS):  # export: the file is whole or absent, never half written
        killed(settings, rng.uniform(0.5, 2.5), "export", "-o", str(backup))
        if backup.exists():
            assert json.loads(backup.read_bytes().splitlines()[-1])["format"], f"seed {SEED}"
            backup.unlink()
    run(settings, "export", "-o", str(backup))
    events = len(backup.read_bytes().splitlines()) - 1

    target = other_database(settings, tmp_path, "restored")
    for number in range(ROUNDS):  # import: nothing, refused lists, or everything
        killed(target, rng.uniform(1.0, 5.0), "import", "--chunk", "50", str(backup))
        shown = listed(target)
        if shown.returncode == 0:
            assert [row["reference"] for row in json.loads(shown.stdout)] in ([], references)
        else:
            assert "run the same `registry import FILE` again" in shown.stderr, f"seed {SEED}"
        verified = run(target, "verify", "--quiet", check=False)
        assert verified.returncode == 0, (SEED, number, verified.stderr)
    done = run(target, "import", "--chunk", "50", str(backup), check=False)
    assert done.returncode == 0 or "holds events" in done.stderr, (SEED, done.stderr)
    assert sorted(row["reference"] for row in json.loads(listed(target).stdout)) == references
    assert run(target, "checkpoint").stdout == run(settings, "checkpoint").stdout
    assert f"intact: {events} events" in run(target, "verify").stdout

    for number in range(ROUNDS):  # rebuild-views: the old views stay until the new commit
        killed(target, rng.uniform(0.5, 3.0), "rebuild-views")
        rows = json.loads(listed(target).stdout)
        assert sorted(row["reference"] for row in rows) == references, (SEED, number)

    lines = backup.read_bytes().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")  # `head -n`
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"\n".join([*lines[:5], lines[6], lines[5], *lines[7:]]) + b"\n")
    empty = other_database(settings, tmp_path, "refusing")
    for bad, why in ((cut, "no signed trailer"), (edited, "nothing was imported")):
        refused = run(empty, "import", str(bad), check=False)
        assert refused.returncode == 1 and why in refused.stderr, refused.stderr
    assert json.loads(listed(empty).stdout) == []
