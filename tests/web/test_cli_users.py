"""`registry users`: add, list, set-password, disable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from registry.cli import main
from registry.store.accounts.users import Accounts, Role
from registry.store.application import Registry
from registry.store.settings import Settings


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {
        "REGISTRY_HOME": str(settings.home),
        "REGISTRY_KEYS_DIR": str(settings.keys_dir),
        "REGISTRY_LOG_ORIGIN": settings.log_origin,
    }


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def accounts(settings: Settings) -> list[tuple[str, Role, bool]]:
    registry = Registry(settings, can_sign=False)
    try:
        return [(a.username, a.role, a.disabled) for a in Accounts(registry).all()]
    finally:
        registry.close()


def test_users_are_added_listed_changed_and_disabled(
    settings: Settings, env: dict[str, str]
) -> None:
    added = run(
        env,
        "users",
        "add",
        "clerk",
        "--role",
        "auditor",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.exit_code == 0, added.output
    assert "added auditor clerk" in added.output
    listed = run(env, "users", "list")
    assert "clerk\tauditor" in listed.output
    assert "officer.islamabad\tofficer" in listed.output
    changed = run(
        env, "users", "set-password", "clerk", "--password-stdin", stdin="another-long-one\n"
    )
    assert changed.exit_code == 0
    disabled = run(env, "users", "disable", "clerk")
    assert disabled.exit_code == 0
    assert ("clerk", Role.AUDITOR, True) in accounts(settings)
    assert run(env, "users", "disable", "clerk", "--enable").exit_code == 0
    assert ("clerk", Role.AUDITOR, False) in accounts(settings)


def test_the_password_prompt_asks_twice(env: dict[str, str]) -> None:
    added = run(env, "users", "add", "officer.new", stdin="a-long-password\na-long-password\n")
    assert added.exit_code == 0, added.output
    assert "has no signing key" in added.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("users", "add", "Bad Name", "--password-stdin"),
            "a-long-password\n",
            "not a usable username",
        ),
        (("users", "add", "clerk", "--password-stdin"), "short\n", "at least 12 characters"),
        (("users", "add", "admin", "--password-stdin"), "a-long-password\n", "already a user"),
        (("users", "set-password", "ghost", "--password-stdin"), "a-long-password\n", "no user"),
        (("users", "disable", "ghost"), None, "no user"),
    ],
)
def test_refusals_are_one_line_errors(
    env: dict[str, str], args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = run(env, *args, stdin=stdin)
    assert result.exit_code == 1
    assert message in result.output


def test_demo_users_are_created_by_init_with_the_demo_password(settings: Settings) -> None:
    found = accounts(settings)
    assert ("auditor", Role.AUDITOR, False) in found
    assert ("admin", Role.ADMIN, False) in found
    assert ("officer.astana", Role.OFFICER, False) in found
