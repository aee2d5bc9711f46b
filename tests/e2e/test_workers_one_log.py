"""Scale-out over real HTTP: `registry serve --workers 3` (gunicorn) on one PostgreSQL, twelve
clients recording at once through the JSON API, some on their own agreements and some on one
they all share (retrying a 409 or 412 as a client does). Afterwards the log is ONE log: leaf
indexes dense in commit order, checkpoints issued in increasing sizes, every event there once,
and `registry verify` passes. Bounded: 12 x 8 requests, a timeout on each; loopback only."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.conftest import settings_for
from tests.e2e.servers import registry_command, serving
from tests.e2e.test_api_mirror import call, make_token
from tests.integration.helpers import (
    ISLAMABAD,
    OFFICERS,
    assert_one_dense_log,
    drafted_data,
    open_registry,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
WORKERS = 3
CLIENTS = 12
EACH = 8
SHARED = "PK-KZ-2026-500"
RETRIES = 60


@pytest.fixture
def server_settings(tmp_path: Path, postgres_url: str) -> Settings:
    settings = settings_for(tmp_path / "server", postgres_url)
    initialise(settings, demo_officers=OFFICERS)
    return settings


def own(client: int) -> str:
    return f"PK-KZ-2026-6{client:02d}"


def milestone(client: int, number: int) -> dict[str, object]:
    return {
        "type": "MilestoneRecorded",
        "effective": "2026-03-01",
        "data": {
            "milestone": f"c{client}-{number}",
            "title": f"Milestone {number} of client {client}",
            "status": "planned",
        },
    }


def post_until_recorded(url: str, body: dict[str, object], bearer: str) -> int:
    """201 once; a 409/412 (another worker recorded first) is retried, anything else fails."""
    for _ in range(RETRIES):
        status, _, answer = call(url, "POST", body, Authorization=f"Bearer {bearer}")
        if status == 201:
            return status
        assert status in (409, 412), (status, answer[:300])
    pytest.fail(f"lost the race {RETRIES} times on {url}")


def client_work(url: str, client: int, bearer: str) -> int:
    agreements = f"{url}/api/v1/agreements"
    recorded = 0
    for number in range(EACH):
        ref = SHARED if number % 2 else own(client)
        recorded += (
            post_until_recorded(f"{agreements}/{ref}/events", milestone(client, number), bearer)
            == 201
        )
    return recorded


def serving_processes(url: str) -> int:
    """How many processes run `registry serve` on the port of `url` (the arbiter and its
    forked workers share its command line; the cosigner does not)."""
    port = url.rsplit(":", 1)[1].encode()
    count = 0
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0") if entry.name.isdigit() else []
        except OSError:
            continue
        if b"serve" in argv and b"--port" in argv and argv[argv.index(b"--port") + 1] == port:
            count += 1
    return count


def test_three_gunicorn_workers_on_one_postgresql_keep_one_dense_log(
    server_settings: Settings,
) -> None:
    bearer = make_token(server_settings, ISLAMABAD)
    with serving(server_settings, workers=WORKERS) as url:
        assert serving_processes(url) == 1 + WORKERS  # the arbiter and its workers
        agreements = f"{url}/api/v1/agreements"
        for ref in (SHARED, *(own(c) for c in range(CLIENTS))):
            body = {"effective": "2026-02-01", "data": drafted_data(ref)}
            status, _, answer = call(agreements, "POST", body, Authorization=f"Bearer {bearer}")
            assert status == 201, answer[:300]
        _, _, health = call(f"{url}/health")
        before = json.loads(health)["log_size"]  # the keyring's entries and the drafts
        with ThreadPoolExecutor(CLIENTS) as pool:
            done = list(pool.map(lambda c: client_work(url, c, bearer), range(CLIENTS)))
        assert done == [EACH] * CLIENTS
        status, _, shared = call(f"{agreements}/{SHARED}/events")
        served = json.loads(shared)
        assert status == 200 and served["version"] == 1 + CLIENTS * EACH // 2
        assert len({e["index"] for e in served["events"]}) == len(served["events"])

    total = before + CLIENTS * EACH  # every milestone once, none lost, none doubled
    with open_registry(server_settings, init=False) as registry:
        assert_one_dense_log(registry, total)
        assert registry.agreement(SHARED).version == 1 + CLIENTS * EACH // 2
        for client in range(CLIENTS):
            assert registry.agreement(own(client)).version == 1 + EACH // 2
    verified = registry_command(server_settings, "verify", "--quiet")
    assert verified.returncode == 0, verified.stdout + verified.stderr
