"""Rate limits hold across workers (finding 7): real gunicorn with four workers, the login and
API limits counted once for all of them, in the embedded SQLite-file storage and in Redis (a
redis-server of the test's own on a loopback port)."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.conftest import settings_for
from tests.e2e.servers import free_port, serving
from tests.integration.helpers import OFFICERS

pytestmark = pytest.mark.slow
LIMIT = 5
ATTEMPTS = 16
WORKERS = 4


@contextmanager
def redis_server(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


def status_of(request: urllib.request.Request | str, opener: urllib.request.OpenerDirector) -> int:
    try:
        with opener.open(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wrong_login(url: str) -> int:
    """One failed login from a fresh browser (its own cookie and CSRF token)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        _NoRedirect(),
    )
    with opener.open(f"{url}/login", timeout=30) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
    assert token is not None
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": "admin", "password": "not the password"}
    ).encode()
    return status_of(urllib.request.Request(f"{url}/login", data=body), opener)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def server_settings(tmp_path: Path) -> Settings:
    settings = settings_for(tmp_path / "instance")
    initialise(settings, demo_officers=OFFICERS)
    return settings


@pytest.mark.parametrize("storage", ["embedded", "redis"])
def test_the_limits_hold_across_four_workers(
    server_settings: Settings, tmp_path: Path, storage: str
) -> None:
    env = {
        "REGISTRY_LOGIN_RATE_LIMIT": f"{LIMIT} per hour",
        "REGISTRY_API_RATE_LIMIT": f"{LIMIT}/3600",
    }
    with redis_server(tmp_path) if storage == "redis" else _nothing() as redis_url:
        if redis_url:
            env["REGISTRY_RATELIMIT_STORAGE_URL"] = redis_url
        with serving(server_settings, workers=WORKERS, **env) as url, ThreadPoolExecutor(8) as pool:
            logins = list(pool.map(lambda _: wrong_login(url), range(ATTEMPTS)))
            opener = urllib.request.build_opener()
            reads = list(
                pool.map(lambda _: status_of(f"{url}/api/v1/agreements", opener), range(ATTEMPTS))
            )
    assert sorted(logins) == [401] * LIMIT + [429] * (ATTEMPTS - LIMIT), logins
    assert sorted(reads) == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT), reads
    if storage == "embedded":
        counts = server_settings.home / "ratelimits.sqlite3"
        assert counts.stat().st_mode & 0o777 == 0o600


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""
