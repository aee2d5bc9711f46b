"""`registry log …` and `registry witness …`: what they print, and one-line errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.ledger.cosignature import CosignatureVerifier
from registry.store.application import Registry
from tests.e2e.servers import REGISTRY, environment, free_port, running
from tests.integration.helpers import open_registry
from tests.integration.test_transfer import env_of


@pytest.fixture
def registry(sqlite_settings):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        yield registry


def run(registry: Registry, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env_of(registry.settings))


WITNESS = CosignatureVerifier("astana.example/witness", b"\x07" * 32).vkey


def test_a_witness_is_added_listed_shown_and_removed(registry: Registry) -> None:
    added = run(registry, "log", "add-witness", "astana", "https://astana.example/witness", WITNESS)
    assert added.exit_code == 0 and "added witness astana" in added.output
    listed = run(registry, "log", "witnesses", "--json")
    [state] = json.loads(listed.output)
    assert (state["name"], state["cosigned_size"], state["last_error"]) == ("astana", None, None)
    shown = run(registry, "log", "witness", "astana")
    assert "url: https://astana.example/witness" in shown.output
    assert run(registry, "log", "remove-witness", "astana").exit_code == 0
    assert "no witnesses configured" in run(registry, "log", "witnesses").output


def test_a_cosign_round_with_an_unreachable_witness_fails_in_one_line(registry: Registry) -> None:
    url = f"http://127.0.0.1:{free_port()}/witness"  # nothing listens there
    run(registry, "log", "add-witness", "astana", url, WITNESS)
    done = run(registry, "log", "cosign")
    assert done.exit_code == 1
    assert "astana: failed:" in done.output
    assert json.loads(run(registry, "log", "witnesses", "--json").output)[0]["last_error"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "add-witness", "astana", "ftp://x", WITNESS), "http(s) submission prefix"),
        (("log", "add-witness", "a b", "http://x", WITNESS), "a witness name is"),
        (("log", "add-witness", "astana", "http://x", "nonsense"), "malformed witness key"),
        (("log", "witness", "nobody"), "no witness named 'nobody'"),
        (("log", "remove-witness", "nobody"), "no witness named 'nobody'"),
        (("witness", "add-log", "x.example/log", "nonsense"), "log key: malformed"),
        (("witness", "add-log", "x.example/log", WITNESS), "unknown signature type 0x04"),
        (("witness", "remove-log", "x.example/log"), "not witnessing 'x.example/log'"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    registry: Registry, args: tuple[str, ...], message: str
) -> None:
    done = run(registry, *args)
    assert done.exit_code == 1
    assert message in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1


def test_witness_serve_answers_the_protocol_alone(registry: Registry) -> None:
    key = run(registry, "witness", "key").output.strip()
    port = free_port()
    command = [REGISTRY, "witness", "serve", "--port", str(port), "--workers", "1"]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/", env=environment(registry.settings)):
        with urllib.request.urlopen(f"{url}/", timeout=5) as answer:
            about = json.loads(answer.read())
        assert about["vkey"] == key and about["logs"] == []
        request = urllib.request.Request(
            f"{url}/add-checkpoint", data=b"old 0\n\nx\n1\n", method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 400
        refused.value.close()
