"""`registry import-status` (a UN-style status table in) and `registry party` (a party's
agreements as of a date, known at an instant)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import click

from registry.cli.common import (
    Failure,
    filters_of,
    friendly,
    opened_registry,
    parse_date,
    parse_known_at,
)

DEFAULT_OFFICER = "officer.depositary"


@contextmanager
def _bar(enabled: bool) -> Iterator[Callable[[int, int], None]]:
    if not enabled:
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("checking and signing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("import", total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@click.command(name="import-status")
@click.argument("status", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--treaty",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The treaty's description (TREATY.json).",
)
@click.option(
    "--officer",
    default=lambda: os.environ.get("REGISTRY_OFFICER", DEFAULT_OFFICER),
    show_default=f"$REGISTRY_OFFICER or {DEFAULT_OFFICER}",
    help="The importing officer, whose key signs every event.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be recorded; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@friendly
def import_status(status: Path, treaty: Path, officer: str, dry_run: bool, as_json: bool) -> None:
    """Record a UN status table (STATUS.csv) of the treaty described by --treaty."""
    from registry.presentation_status import print_outcome
    from registry.store.public import ImportRefused

    with opened_registry(can_sign=not dry_run) as registry, _bar(not as_json) as advance:
        try:
            outcome = registry.import_status(
                status.read_bytes(),
                treaty.read_bytes(),
                officer=officer,
                dry_run=dry_run,
                progress=advance,
            )
        except ImportRefused as refused:
            for problem in refused.problems:
                click.echo(f"  {status.name}: {problem}", err=True)
            raise Failure(
                f"{status}: refused with {len(refused.problems)} problems; nothing was recorded"
            ) from None
    if as_json:
        click.echo(json.dumps(outcome.summary(), indent=2, ensure_ascii=False))
    else:
        print_outcome(outcome)


@click.command(name="party")
@click.argument("code")
@click.option("--as-of", callback=parse_date, help="Standings on this date.")
@click.option("--known-at", callback=parse_known_at, help="Using only what was recorded by then.")
@click.option("--status", help="Only the agreements where the party has this status.")
@click.option("--sort", default="reference", show_default=True, help="Column to sort by.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@friendly
def party(
    code: str,
    as_of: date | None,
    known_at: datetime | None,
    status: str | None,
    sort: str,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Every agreement party CODE (e.g. KAZ) takes part in, with its acts and standing."""
    from registry.presentation_status import print_party
    from registry.store.public import PartyFiltersSchema, Registry

    filters = filters_of(PartyFiltersSchema, status=status, sort=sort)
    filters = replace(filters, party=code, as_of=as_of, known_at=known_at)
    with opened_registry(can_sign=False) as registry:
        found = registry.party_agreements(filters)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    elif as_csv:
        click.echo(Registry.party_csv(found), nl=False)
    else:
        print_party(found)
