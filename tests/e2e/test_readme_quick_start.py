"""The README's quick start, exactly as written, on a fresh clone with a fresh virtual
environment (issue 14): what a new user types on a new machine.

The current commit is cloned into a temporary folder; the block between the README's
`<!-- quick-start -->` markers is run there by bash, as the README gives it (its `make install`
builds a new `.venv` from nothing; pip's cache makes that a few minutes); then the README's
`make run` serves that clone on a free loopback port (`PORT`, as the README says), which is
read over HTTP and stopped. Nothing is restated here: the commands are read from README.md."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.servers import free_port, running

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
INSTALL_SECONDS = 1500  # a fresh .venv on a busy machine, the fixtures and a verify
SERVE_SECONDS = 600  # `make run`: init, load --if-empty, the UNTC status tables, then gunicorn


def quick_start() -> str:
    found = re.search(r"<!-- quick-start -->\n```sh\n(.*?)```\n<!-- /quick-start -->", README, re.S)
    assert found, "README.md has no quick-start block"
    return found.group(1)


def serve_command() -> str:
    """The README's command that serves the registry (its "Two commands" block)."""
    block = re.search(r"## Two commands\n.*?```sh\n(.*?)```", README, re.S)
    assert block, "README.md has no 'Two commands' block"
    command = next(line for line in block.group(1).splitlines() if line.startswith("make run"))
    return command.split("#")[0].strip()


def fresh_clone(target: Path) -> str:
    """A clone of this checkout's current commit in `target`; the commit's id."""
    commit = git("rev-parse", "HEAD", cwd=ROOT)
    git("clone", "--quiet", "--no-checkout", str(ROOT), str(target), cwd=ROOT)
    git("checkout", "--quiet", "--detach", commit, cwd=target)
    return commit


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def new_users_environment() -> dict[str, str]:
    """This environment without the registry's settings or any virtual environment, and no
    `registry` on the PATH until the quick start activates its own."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REGISTRY_", "VIRTUAL_ENV", "PYTHON")) and k != "MAKEFLAGS"
    }
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.read()


def test_the_readme_quick_start_runs_as_written_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    fresh_clone(clone)
    assert not (clone / ".venv").exists() and not (clone / "instance").exists()
    env = new_users_environment()
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + quick_start()],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (clone / ".venv" / "bin" / "registry").exists()  # built here, from nothing
    out = done.stdout
    assert "PK-KZ-2026-001" in out
    assert re.search(r"^reg_[0-9a-f]{16}_\S+$", out, re.M)  # the write token's secret
    known_before = out[out.rindex("PK-KZ-2026-001") :]
    assert "2026-02-04" in known_before  # the signature as first recorded
    assert "intact:" in out

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = ["bash", "-c", serve_command()]
    with running(
        serve, f"{url}/health", env={**env, "PORT": str(port)}, cwd=clone,
        startup_seconds=SERVE_SECONDS,
    ):  # fmt: skip
        status, body = get(f"{url}/api/v1/agreements/PK-KZ-2026-001")
        assert status == 200 and json.loads(body)["reference"] == "PK-KZ-2026-001"
        status, note = get(f"{url}/api/v1/log/checkpoint")
        assert status == 200 and note.decode().startswith("127.0.0.1:8000/api/v1/log\n")
        status, page = get(f"{url}/login")
        assert status == 200 and b'name="password"' in page
    with pytest.raises(OSError):
        get(f"{url}/health")  # stopped with its block
