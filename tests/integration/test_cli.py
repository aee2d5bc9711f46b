"""The `registry` command as a person uses it: readable output, one-line errors, no tracebacks."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.store.application import Registry
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)
from tests.integration.test_transfer import env_of

REF = "PK-KZ-2026-900"


@pytest.fixture
def registry(sqlite_settings):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        yield registry


def run(registry: Registry, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), env=env_of(registry.settings))


def test_state_shows_the_status_of_each_party(registry: Registry) -> None:
    result = run(registry, "state", REF, "--as-of", "2026-02-20")
    assert result.exit_code == 0, result.output
    assert "Status by party" in result.output
    assert "(PAK)" in result.output and "(KAZ)" in result.output
    assert "ratificat" in result.output and "2026-02-15" in result.output


def test_state_and_list_as_json_say_the_same(registry: Registry) -> None:
    state = json.loads(run(registry, "state", REF, "--json").output)
    listed = json.loads(run(registry, "list", "--json").output)
    assert state["reference"] == REF
    assert [item["reference"] for item in listed] == [REF]
    assert listed[0]["status"] == state["status"] == "signed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("state", "PK-KZ-1999-000"), "registry: no agreement with id or reference PK-KZ-1999-000"),
        (("state", REF, "--known-at", "2000-01-01"), "nothing about it was known"),
        (("state", REF, "--as-of", "20 Feb"), "is not a date like 2026-02-20"),
        (("state", REF, "--known-at", "9999-12-31T23:59:59-14:00"), "is not an instant"),
        (("load", "no-such-file.json"), "cannot read a JSON fixture"),
        (("verify-bundle", "missing.json", "--keys", "."), "No such file or directory"),
    ],
)
def test_mistakes_get_one_clear_line_and_a_non_zero_exit(
    registry: Registry, args: tuple[str, ...], message: str
) -> None:
    result = run(registry, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["abc", "-1", "2.5"])
def test_a_bad_bulk_workers_setting_is_one_clear_line_and_stores_nothing(
    registry: Registry, value: str
) -> None:
    before = registry.checkpoint()
    env = env_of(registry.settings) | {"REGISTRY_BULK_WORKERS": value}
    result = CliRunner().invoke(main, ["load", "fixtures/multilateral-treaty.json"], env=env)
    assert result.exit_code != 0
    assert (
        f"REGISTRY_BULK_WORKERS must be a whole number of processes, not {value!r}" in result.output
    )
    assert "Traceback" not in result.output
    assert registry.checkpoint() == before
