"""`registry report`: the audit report for two views of the registry, as JSON (with the bundle
that proves it: `registry verify-bundle` checks it offline) or as CSV."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from registry.cli.common import (
    filter_options,
    filters_of,
    friendly,
    opened_registry,
    parse_date,
    parse_known_at,
)

FORMATS = ("json", "csv")


@click.command(name="report")
@click.option("--from", "from_", callback=parse_date, help="The first date (default: --to).")
@click.option("--to", callback=parse_date, help="The second date (default: today).")
@click.option("--known-at", callback=parse_known_at, help="Both views as known at this instant.")
@click.option("--known-from", callback=parse_known_at, help="The first view as known at this.")
@click.option("--known-to", callback=parse_known_at, help="The second view as known at this.")
@filter_options
@click.option("--format", "format_", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File (default stdout).",
)
@friendly
def report(
    from_: date | None,
    to: date | None,
    known_at: datetime | None,
    known_from: datetime | None,
    known_to: datetime | None,
    format_: str,
    output: Path | None,
    **selection: str | None,
) -> None:
    """What changed between two dates (or two 'known at' instants), with every event, its
    signer and leaf index, pinned to the latest checkpoint."""
    from registry.store.public import AuditQuery, Registry, View

    second = to or date.today()
    later = known_to or known_at
    query = AuditQuery(
        View(from_ or second, known_from or known_at or later),
        View(second, later),
        filters_of(**selection),
    )
    with opened_registry(can_sign=False) as registry:
        if format_ == "json":
            found, document = registry.export_audit(
                query, generated=datetime.now(UTC), by=f"cli:{getpass.getuser()}"
            )
            text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        else:
            found = registry.compare_views(query)
            text = Registry.report_csv(found)
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8", newline="")
    click.echo(
        f"wrote {output}: {len(found.agreements)} agreements, {len(found.changes)} changes, "
        f"{len(found.late)} recorded late, checkpoint of {found.checkpoint_size} entries",
        err=True,
    )
