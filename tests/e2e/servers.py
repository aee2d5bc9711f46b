"""The processes the end-to-end tests start: `registry` commands with the environment a user
would give them, and servers on loopback ports (`registry serve`, a plain file server, `make
run` on a fresh clone), each answering before its block starts and stopped when it ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry.store.settings import Settings

REGISTRY = str(Path(sys.executable).with_name("registry"))  # the console script, as installed
STARTUP_SECONDS = 60
STOP_SECONDS = 30


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """This process's environment with the instance of `settings` (and `extra`) named."""
    return {
        **os.environ,
        "REGISTRY_HOME": str(settings.home),
        "REGISTRY_KEYS_DIR": str(settings.keys_dir),
        "REGISTRY_LOG_ORIGIN": settings.log_origin,
        "REGISTRY_DATABASE_URL": settings.database_url,
        **extra,
    }


def registry_command(
    settings: Settings, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [REGISTRY, *args],
        env=environment(settings, **(env or {})),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    startup_seconds: float = STARTUP_SECONDS,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` in a process group of its own, once `ready_url` answers 200; the whole group
    (a server's workers, the children of `make`) is stopped when the block ends."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            list(command),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + startup_seconds
            while not _answers(ready_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    said = errors.read().decode(errors="replace")[-3000:]
                    state = "stopped" if process.poll() is not None else "did not answer"
                    pytest.fail(f"{command[0]} {state} ({ready_url}): {said}")
                time.sleep(0.2)
            yield process
        finally:
            _stop(process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def serving(
    settings: Settings, *, port: int | None = None, workers: int = 2, **env: str
) -> Iterator[str]:
    """`registry serve` (gunicorn) for `settings` on a loopback port: its URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [REGISTRY, "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    with running(command, f"{url}/health", env=environment(settings, **env)):
        yield url


def wait_until(condition: Callable[[], object], what: str, seconds: float) -> None:
    """Poll `condition` until it holds; fail with `what` if it has not within `seconds` (a bound
    on waiting for another process, not a measure of speed)."""
    give_up = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= give_up:
            pytest.fail(f"{what} within {seconds:.0f} s")
        time.sleep(0.3)
