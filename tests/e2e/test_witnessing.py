"""End to end: Islamabad's and Astana's registries witness each other over real HTTP.

Two instances (two REGISTRY_HOMEs), each served by `registry serve` (gunicorn, with the
cosigning loop beside it) on a free loopback port. Each witnesses the other's log; a bundle
and a mirror verify under a witness policy; Astana's server goes down and Islamabad keeps
writing, then Astana comes back and the cosignature catches up; a forked Islamabad (same log
key, another history) is refused by Astana's witness with the protocol's 422.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from contextlib import AbstractContextManager
from pathlib import Path

from registry.ledger.cosignature import CosignatureVerifier, check_cosignatures
from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.conftest import settings_for
from tests.e2e.servers import free_port, registry_command, serving, wait_until
from tests.integration.helpers import OFFICERS, draft_transit_agreement

WAIT_SECONDS = 60


def instance(home: Path, origin: str) -> Settings:
    base = settings_for(home)
    settings = Settings(base.home, base.database_url, origin, base.keys_dir)
    initialise(settings, demo_officers=OFFICERS)
    return settings


COSIGN_EVERY = {"REGISTRY_COSIGN_INTERVAL": "0.3"}


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return registry_command(settings, *args, env=COSIGN_EVERY)


def serving_cosigning(settings: Settings, port: int) -> AbstractContextManager[str]:
    """`registry serve` with its cosigning loop beside it, asking every 0.3 s."""
    return serving(settings, port=port, **COSIGN_EVERY)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode()


def cosigned_size(url: str, witness: CosignatureVerifier) -> tuple[int, bool]:
    """The served checkpoint's size, and whether `witness` validly cosigned it."""
    note = get(f"{url}/api/v1/log/checkpoint")
    return int(note.split("\n")[1]), witness.label in check_cosignatures(note, [witness]).valid


def wait_for_cosignature(url: str, witness: CosignatureVerifier, size: int) -> None:
    wait_until(
        lambda: cosigned_size(url, witness) == (size, True),
        f"no cosignature of size {size} from {witness.name}",
        WAIT_SECONDS,
    )


def record(settings: Settings, reference: str) -> int:
    registry = Registry(settings)
    try:
        return draft_transit_agreement(registry, reference).checkpoint.size
    finally:
        registry.close()


def witness_vkey(settings: Settings) -> str:
    return (settings.keys_dir / "witness.vkey").read_text().strip()


def log_vkey(settings: Settings) -> str:
    return (settings.keys_dir / "log.vkey").read_text().strip()


def test_two_registries_witness_each_other(tmp_path: Path) -> None:
    islamabad = instance(tmp_path / "islamabad", "islamabad.test/registry")
    astana = instance(tmp_path / "astana", "astana.test/registry")
    ports = {"islamabad": free_port(), "astana": free_port()}
    by_astana = CosignatureVerifier.from_vkey(witness_vkey(astana))
    by_islamabad = CosignatureVerifier.from_vkey(witness_vkey(islamabad))
    for me, other, name in ((islamabad, astana, "astana"), (astana, islamabad, "islamabad")):
        done = run(me, "witness", "add-log", other.log_origin, log_vkey(other))
        assert done.returncode == 0, done.stderr
        url = f"http://127.0.0.1:{ports[name]}/witness"
        done = run(me, "log", "add-witness", name, url, witness_vkey(other))
        assert done.returncode == 0, done.stderr

    with serving_cosigning(islamabad, ports["islamabad"]) as i_url:
        with serving_cosigning(astana, ports["astana"]) as a_url:
            size = record(islamabad, "PK-KZ-2026-801")
            wait_for_cosignature(i_url, by_astana, size)
            wait_for_cosignature(a_url, by_islamabad, record(astana, "KZ-PK-2026-001"))
            policy = tmp_path / "policy.txt"
            policy.write_text(
                f"log {log_vkey(islamabad)}\nwitness astana {witness_vkey(astana)}\nquorum astana\n"
            )
            checked_under_policy(islamabad, i_url, policy, tmp_path)

        # Astana is down: Islamabad keeps writing; its witness state says what went wrong.
        size = record(islamabad, "PK-KZ-2026-802")
        wait_until(
            lambda: witness_state(islamabad, "astana")["last_error"],
            "the failure was never recorded",
            WAIT_SECONDS,
        )
        assert cosigned_size(i_url, by_astana) == (size, False)
        mirror_home = settings_for(tmp_path / "mirror-while-down")
        refused = run(
            mirror_home, "mirror", i_url, "--keys", str(islamabad.keys_dir), "--policy", str(policy)
        )
        assert refused.returncode == 3 and "missing: astana" in refused.stderr

        with serving_cosigning(astana, ports["astana"]):  # back: the loop catches up
            wait_for_cosignature(i_url, by_astana, size)
            assert witness_state(islamabad, "astana")["last_error"] is None
            forked_is_refused(islamabad, astana, ports["astana"], tmp_path)


def checked_under_policy(islamabad: Settings, url: str, policy: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(get(f"{url}/api/v1/agreements/PK-KZ-2026-801/bundle"))
    keys = str(islamabad.keys_dir)
    checked = run(islamabad, "verify-bundle", str(bundle), "--keys", keys, "--policy", str(policy))
    assert checked.returncode == 0, checked.stderr
    stricter = tmp_path / "stricter.txt"
    other = CosignatureVerifier("almaty.test/witness", b"\x11" * 32).vkey
    stricter.write_text(
        policy.read_text().replace("quorum astana\n", "")
        + f"witness almaty {other}\ngroup both all astana almaty\nquorum both\n"
    )
    refused = run(
        islamabad, "verify-bundle", str(bundle), "--keys", keys, "--policy", str(stricter)
    )
    assert refused.returncode == 1 and "missing: almaty" in refused.stderr
    mirror_home = settings_for(tmp_path / "mirror")
    mirrored = run(mirror_home, "mirror", url, "--keys", keys, "--policy", str(policy))
    assert mirrored.returncode == 0, mirrored.stderr


def witness_state(settings: Settings, name: str) -> dict[str, object]:
    listed = run(settings, "log", "witnesses", "--json")
    assert listed.returncode == 0, listed.stderr
    return next(state for state in json.loads(listed.stdout) if state["name"] == name)


def forked_is_refused(islamabad: Settings, astana: Settings, port: int, tmp_path: Path) -> None:
    """Same log key, another history: Astana's witness answers 422 and keeps its view."""
    base = settings_for(tmp_path / "forked-islamabad")
    fork = Settings(base.home, base.database_url, islamabad.log_origin, base.keys_dir)
    shutil.copytree(islamabad.private_keys_dir, fork.private_keys_dir)
    initialise(fork, demo_officers=OFFICERS)
    for n in range(5):
        record(fork, f"PK-KZ-2026-9{n:02}")
    before = witnessed(astana, islamabad.log_origin)
    added = run(
        fork,
        "log",
        "add-witness",
        "astana",
        f"http://127.0.0.1:{port}/witness",
        witness_vkey(astana),
    )
    assert added.returncode == 0, added.stderr
    refused = run(fork, "log", "cosign")
    assert refused.returncode == 1
    assert "HTTP 422" in refused.stdout, refused.stdout
    after = witnessed(astana, islamabad.log_origin)
    assert after["size"] == before["size"] and after["root_hash"] == before["root_hash"]
    assert "consistency proof does not verify" in str(after["refused_why"])


def witnessed(settings: Settings, origin: str) -> dict[str, object]:
    listed = run(settings, "witness", "logs", "--json")
    assert listed.returncode == 0, listed.stderr
    return next(log for log in json.loads(listed.stdout) if log["origin"] == origin)
