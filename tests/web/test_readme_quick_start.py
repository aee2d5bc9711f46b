"""The README's quick start, exactly as written, on a fresh copy of the repository.

The block between `<!-- quick-start -->` markers is run by bash in a copy of the tracked
files; `.venv` is linked to this checkout's, so `make install` finds it built (a fresh machine
builds it the same way, only slower)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def quick_start() -> str:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- quick-start -->\n```sh\n(.*?)```\n<!-- /quick-start -->", readme, re.S)
    assert found, "README.md has no quick-start block"
    return found.group(1)


def fresh_copy(target: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix))
    os.utime(target / "pyproject.toml", (0, 0))  # the linked .venv counts as built from it


@pytest.mark.slow
def test_the_readme_quick_start_runs_as_written(tmp_path: Path) -> None:
    if not (Path(sys.prefix) / "bin" / "registry").exists():
        pytest.skip("the tests do not run from the project's .venv")
    clone = tmp_path / "clone"
    clone.mkdir()
    fresh_copy(clone)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # no registry on the PATH until activated
    script = "set -euo pipefail\n" + quick_start()
    done = subprocess.run(
        ["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "PK-KZ-2026-001" in out
    assert re.search(r"^reg_[0-9a-f]{16}_\S+$", out, re.M)  # the write token's secret
    known_before = out[out.rindex("PK-KZ-2026-001") :]
    assert "2026-02-04" in known_before  # the signature as first recorded
    assert "intact:" in out
