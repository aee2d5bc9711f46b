"""`registry users`: web accounts (passwords and roles), which are rows, not signed events.

An officer's signing key is managed with `registry officer`; an officer account of the same
name signs with it.
"""

from __future__ import annotations

import sys

import click

from registry.cli.common import friendly, opened_registry
from registry.store.public import COMMAND_LINE, Accounts, Role


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def users() -> None:
    """Web accounts: officers, auditors and admins."""


@users.command(name="add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.OFFICER.value,
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly
def add(username: str, role: str, password_stdin: bool) -> None:
    """Add user USERNAME (an officer's username is their signing officer name)."""
    password = _password(password_stdin)
    with opened_registry(can_sign=False) as registry:
        account = Accounts(registry).add(username, password, role, by=COMMAND_LINE)
        has_key = username in registry.trust().officers()
    click.echo(f"added {account.role.value} {account.username}")
    if account.role is Role.OFFICER and not has_key:
        click.echo(
            f"note: {username} has no signing key yet: run `registry officer add {username}`"
        )


@users.command(name="list")
@friendly
def list_() -> None:
    """Users, their roles and whether they are disabled."""
    with opened_registry(can_sign=False) as registry:
        accounts = Accounts(registry).all()
    for account in accounts:
        state = " (disabled)" if account.disabled else ""
        click.echo(f"{account.username}\t{account.role.value}{state}")


@users.command(name="set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@friendly
def set_password(username: str, password_stdin: bool) -> None:
    """Give USERNAME a new password (their open sessions end)."""
    password = _password(password_stdin)
    with opened_registry(can_sign=False) as registry:
        Accounts(registry).set_password(username, password, by=COMMAND_LINE)
    click.echo(f"changed the password of {username}")


@users.command()
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@friendly
def disable(username: str, enable: bool) -> None:
    """Stop USERNAME from logging in (their open sessions end)."""
    with opened_registry(can_sign=False) as registry:
        Accounts(registry).set_disabled(username, not enable, by=COMMAND_LINE)
    click.echo(f"{'enabled' if enable else 'disabled'} {username}")
