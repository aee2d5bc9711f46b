"""End to end, over real HTTP: `registry mirror --tiles` follows a registry served by gunicorn
through its C2SP tiles alone, then follows a static copy of those tiles on a plain file server
(python -m http.server), and refuses that copy once one of its tiles is rewritten.

Every command runs as its own process, with the environment a user would give it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry.ledger.tiles import bundles_for, tiles_for
from registry.store.application import Registry
from registry.store.settings import Settings
from tests.conftest import settings_for
from tests.e2e.servers import free_port, registry_command, running, serving
from tests.e2e.test_api_mirror import call, make_token, record_through_the_api, server_settings
from tests.integration.helpers import ASTANA, drafted_data

__all__ = ["server_settings"]  # the fixture, shared with test_api_mirror

LOG = "/api/v1/log"


def copy_tiles(url: str, directory: Path) -> int:
    """A static copy of the log at `url`: its checkpoint and every tile it needs."""
    status, _, note = call(f"{url}{LOG}/checkpoint")
    assert status == 200
    size = int(note.decode().splitlines()[1])
    for tile in tiles_for(size) + bundles_for(size):
        status, _, data = call(f"{url}{LOG}/{tile.path}")
        assert status == 200, tile.path
        target = directory / tile.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (directory / "checkpoint").write_bytes(note)
    return size


@contextmanager
def static_files(directory: Path) -> Iterator[str]:
    """A plain file server on a loopback port, serving `directory`."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/checkpoint", cwd=directory):
        yield url


def checkpoint_note(settings: Settings) -> str | None:
    registry = Registry(settings, can_sign=False)
    try:
        checkpoint = registry.checkpoint()
        return checkpoint.note if checkpoint else None
    finally:
        registry.close()


@pytest.mark.slow
def test_a_mirror_follows_a_log_through_its_tiles_and_refuses_a_rewritten_tile(
    server_settings: Settings, tmp_path: Path
) -> None:
    keys = str(server_settings.keys_dir)
    live, static = settings_for(tmp_path / "live"), settings_for(tmp_path / "static")
    islamabad = make_token(server_settings, "officer.islamabad")
    astana = make_token(server_settings, ASTANA)
    first, second = tmp_path / "copy-1", tmp_path / "copy-2"
    with serving(server_settings) as url:
        record_through_the_api(url, islamabad, astana)
        followed = registry_command(live, "mirror", f"{url}{LOG}", "--keys", keys, "--tiles")
        assert followed.returncode == 0, followed.stderr
        size = copy_tiles(url, first)
        bearer = {"Authorization": f"Bearer {islamabad}"}
        draft = {"effective": "2026-03-01", "data": drafted_data("PK-KZ-2026-778")}
        status, _, _ = call(f"{url}/api/v1/agreements", "POST", draft, **bearer)
        assert status == 201
        again = registry_command(live, "mirror", f"{url}{LOG}", "--keys", keys, "--tiles")
        assert again.returncode == 0 and "mirrored 1 new entries" in again.stdout, again.stderr
        later = copy_tiles(url, second)
        _, _, served = call(f"{url}{LOG}/checkpoint")
    assert later == size + 1
    assert checkpoint_note(live) == served.decode()
    verified = registry_command(live, "verify", "--quiet")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    with static_files(first) as host:
        copied = registry_command(static, "mirror", host, "--keys", keys, "--tiles")
    assert copied.returncode == 0, copied.stderr
    assert f"the log holds {size}" in copied.stdout
    held = checkpoint_note(static)

    rewritten = second / f"tile/0/000.p/{later}"
    data = bytearray(rewritten.read_bytes())
    data[32 * (later - 1) + 5] ^= 1  # the new leaf, which this mirror does not hold yet
    rewritten.write_bytes(bytes(data))
    with static_files(second) as host:
        refused = registry_command(static, "mirror", host, "--keys", keys, "--tiles")
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "tiles do not verify" in refused.stderr and "nothing was written" in refused.stderr
    assert checkpoint_note(static) == held
