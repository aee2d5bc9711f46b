"""End to end, over real HTTP: gunicorn serves a registry on a loopback port, events are recorded
through the JSON API, `registry mirror` copies the log into a second database and both verify
with the same root; a bundle fetched from the API verifies offline with `registry
verify-bundle`; and a server that rewrote history (same keys, another log) is refused.

Every command runs as its own process, with the environment a user would give it.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.conftest import settings_for
from tests.e2e.servers import registry_command, serving
from tests.integration.helpers import ASTANA, OFFICERS, drafted_data, signed_data

REFERENCE = "PK-KZ-2026-777"


def call(url: str, method: str = "GET", body: Any = None, **headers: str) -> tuple[int, Any, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def make_token(settings: Settings, officer: str) -> str:
    made = registry_command(
        settings,
        "tokens",
        "create",
        f"portal of {officer}",
        "--scope",
        "write",
        "--officer",
        officer,
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip().splitlines()[-1]


def record_through_the_api(url: str, islamabad: str, astana: str) -> None:
    bearer = {"Authorization": f"Bearer {islamabad}"}
    agreements = f"{url}/api/v1/agreements"
    draft = {"effective": "2026-02-01", "data": drafted_data(REFERENCE)}
    status, headers, _ = call(agreements, "POST", draft, **bearer, **{"Idempotency-Key": "d-777"})
    assert status == 201
    again, _, _ = call(agreements, "POST", draft, **bearer, **{"Idempotency-Key": "d-777"})
    assert again == 201  # the retry is answered from the first response, not recorded twice
    events = f"{agreements}/{REFERENCE}/events"
    sign = {"type": "Signed", "effective": "2026-02-03", "data": signed_data("PAK")}
    status, headers, _ = call(events, "POST", sign, **bearer, **{"If-Match": headers["ETag"]})
    assert status == 201
    kaz = {"type": "Signed", "effective": "2026-02-03", "data": signed_data("KAZ")}
    stale, _, _ = call(events, "POST", kaz, Authorization=f"Bearer {astana}", **{"If-Match": '"1"'})
    assert stale == 412
    status, _, _ = call(events, "POST", kaz, Authorization=f"Bearer {astana}")
    assert status == 201
    ratify = {"type": "ConsentExpressed", "effective": "2026-02-15"}
    ratify["data"] = {"party": "PAK", "instrument": "ratification"}
    status, _, _ = call(events, "POST", ratify, **bearer)
    assert status == 201


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    database = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    settings = settings_for(tmp_path / "server", database)
    initialise(settings, demo_officers=OFFICERS)
    return settings


@pytest.mark.slow
def test_a_mirror_of_a_live_server_has_the_same_root_and_refuses_a_rewritten_one(
    server_settings: Settings, tmp_path: Path
) -> None:
    mirror_settings = settings_for(tmp_path / "mirror")
    keys = str(server_settings.keys_dir)
    islamabad = make_token(server_settings, "officer.islamabad")
    astana = make_token(server_settings, ASTANA)
    with serving(server_settings) as url:
        record_through_the_api(url, islamabad, astana)
        mirrored = registry_command(mirror_settings, "mirror", url, "--keys", keys, "--page", "3")
        assert mirrored.returncode == 0, mirrored.stderr
        _, _, served = call(f"{url}/api/v1/log/checkpoint")
        status, _, bundle = call(f"{url}/api/v1/agreements/{REFERENCE}/bundle")
        assert status == 200
        again = registry_command(mirror_settings, "mirror", url, "--keys", keys)
        assert again.returncode == 0 and "mirrored 0 new entries" in again.stdout

    for settings in (server_settings, mirror_settings):
        verified = registry_command(settings, "verify", "--quiet")
        assert verified.returncode == 0, verified.stdout + verified.stderr
    local = Registry(mirror_settings, can_sign=False)
    try:
        checkpoint = local.checkpoint()
        assert checkpoint is not None and checkpoint.note == served.decode()
        assert local.state(REFERENCE).party("PAK").consented is not None  # type: ignore[union-attr]
    finally:
        local.close()

    path = tmp_path / "bundle.json"
    path.write_bytes(bundle)
    checked = registry_command(mirror_settings, "verify-bundle", str(path), "--keys", keys)
    assert checked.returncode == 0, checked.stderr
    assert "verified: 4 events" in checked.stdout

    rewritten = rewritten_history(server_settings, tmp_path / "rewritten")
    with serving(rewritten) as url:
        refused = registry_command(mirror_settings, "mirror", url, "--keys", keys)
    assert refused.returncode == 3
    assert "rewrote history" in refused.stderr and "nothing was written" in refused.stderr
    local = Registry(mirror_settings, can_sign=False)
    try:
        assert local.checkpoint() == checkpoint
    finally:
        local.close()


def rewritten_history(original: Settings, home: Path) -> Settings:
    """The same registry keys, a log of its own: longer, and not an extension of the original."""
    home.mkdir(parents=True)
    shutil.copytree(original.home / "keys", home / "keys")
    settings = settings_for(home)
    initialise(settings, demo_officers=OFFICERS)
    registry = Registry(settings)
    try:
        for number in range(30):
            registry.draft(
                effective=_day("2026-02-01"),
                actor="officer.islamabad",
                data=drafted_data(f"PK-KZ-2026-{number:03}"),
            )
    finally:
        registry.close()
    return settings


def _day(text: str) -> Any:
    from registry.domain.dates import PartialDate

    return PartialDate.parse(text)
