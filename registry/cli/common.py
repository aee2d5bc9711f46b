"""What every `registry` command shares: one-line errors, date options, an opened registry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar

import click

from registry.domain.dates import InvalidDate, parse_moment
from registry.store.public import Settings

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An expected failure: printed as one line, exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"registry: {self.format_message()}", err=True)


def friendly(command: F) -> F:
    """Turn the registry's own errors into one clear line, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from registry.errors import USER_ERRORS

        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            raise Failure(str(error)) from None

    return wrapper  # type: ignore[return-value]


def parse_date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-02-20") from None


def parse_known_at(_ctx: Any, _param: Any, value: str | None) -> datetime | None:
    """An instant: a full timestamp (UTC unless it says otherwise), or a date = end of that day."""
    if value is None:
        return None
    try:
        return parse_moment(value)
    except InvalidDate as error:
        raise click.BadParameter(str(error)) from None


@contextmanager
def opened_registry(*, can_sign: bool = True) -> Iterator[Any]:
    from registry.store.public import Registry

    settings = Settings.from_env()
    if not settings.home.exists() and settings.is_sqlite:
        raise Failure(f"no registry at {settings.home}: run `registry init` first")
    registry = Registry(settings, can_sign=can_sign)
    try:
        yield registry
    finally:
        registry.close()


def filter_options(command: F) -> F:
    """--party, --kind, --character, --status, --q: the list filters (see `filters_of`)."""
    from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter

    options = [
        click.option("--party", help="Agreements this party (a code, e.g. KAZ) is a party to."),
        click.option("--kind", type=click.Choice([k.value for k in AgreementKind])),
        click.option("--character", type=click.Choice([c.value for c in LegalCharacter])),
        click.option("--status", type=click.Choice([s.value for s in AgreementStatus])),
        click.option("--q", help="Text in the reference or a title (ignoring case and marks)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def filters_of(schema: Any = None, **values: Any) -> Any:
    """A `Filters` from the options' text, through the one schema every entry point uses
    (`schema`: a subclass of it, e.g. a party's); a bad value is a usage error naming its
    option."""
    from marshmallow import ValidationError

    from registry.store.public import FiltersSchema

    class CommandLineFilters(schema or FiltersSchema):  # type: ignore[misc]
        page_size = None  # a command lists everything

    given = {name: value for name, value in values.items() if value is not None}
    try:
        return CommandLineFilters().load(given)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        problems = [
            f"--{name.replace('_', '-')}: {' '.join(map(str, m))}" for name, m in messages.items()
        ]
        raise click.UsageError("; ".join(problems)) from None
