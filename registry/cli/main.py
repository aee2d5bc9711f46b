"""The `registry` command. Every error is one line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from registry.cli.common import (
    Failure,
    filter_options,
    filters_of,
    friendly,
    opened_registry,
    parse_date,
    parse_known_at,
)
from registry.store.public import COMMAND_LINE, AdminAction, AdminTrail, Settings

DEMO_OFFICERS = ("officer.islamabad", "officer.astana", "officer.depositary")


@click.group()
@click.version_option(package_name="agreement-registry")
def main() -> None:
    """The Agreement Registry: signed, replayable records of international agreements."""


@main.command()
@click.option(
    "--demo/--no-demo",
    default=True,
    show_default=True,
    help="Register the demo officers and their keys.",
)
@friendly
def init(demo: bool) -> None:
    """Create the instance folder, keys, database and keyring (safe to run again)."""
    from registry.store.public import Registry

    settings = Settings.from_env()
    created = Registry.initialise(settings, demo_officers=DEMO_OFFICERS if demo else ())
    for line in created:
        click.echo(line)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@friendly
def serve(host: str, port: int, workers: int) -> None:
    """Run the web application under gunicorn (a production WSGI server)."""
    from registry.wsgi import serve as run_server

    settings = Settings.from_env()
    if settings.is_sqlite and not (settings.home / "keys" / "log.key").exists():
        raise Failure(f"no registry at {settings.home}: run `registry init` first")
    _check_origin()
    from registry.cli.witness import start_cosigner

    cosigner = start_cosigner()  # cosignatures are collected beside, never inside, a write
    try:
        run_server(host=host, port=port, workers=workers)
    finally:
        cosigner.terminate()
        cosigner.wait(timeout=10)


def _check_origin() -> None:
    with opened_registry(can_sign=False) as registry:
        problem = registry.served_origin_problem()
    if problem:
        raise Failure(f"refusing to serve: {problem}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--if-empty", is_flag=True, help="Load only into a registry with no agreements.")
@click.option(
    "--chunk",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Events per transaction (each with its own checkpoint).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    help="Processes that share the work (default: one per core for a large load; 0: none).",
)
@friendly
def load(files: tuple[Path, ...], if_empty: bool, chunk: int, workers: int | None) -> None:
    """Record the steps of fixture FILES, in order, CHUNK events per transaction.

    A load that was interrupted completes when run again: the steps the registry already
    holds are skipped, none is recorded twice."""
    with opened_registry() as registry:
        if if_empty and registry.agreement_ids():
            click.echo("the registry already holds agreements: fixtures not loaded")
            return
        for path in files:
            loaded = registry.load_script_file(path, chunk=chunk, workers=workers)
            skipped = f" ({loaded.skipped} steps were already recorded)" if loaded.skipped else ""
            click.echo(f"{path}: recorded {loaded.recorded} events{skipped}")


@main.command(name="list")
@click.option("--as-of", callback=parse_date, help="State of the world on this date.")
@click.option("--known-at", callback=parse_known_at, help="Using only what was recorded by then.")
@filter_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def list_(as_of: date | None, known_at: datetime | None, as_json: bool, **selection: Any) -> None:
    """List agreements with their status."""
    from registry.presentation import print_list

    filters = replace(filters_of(**selection), as_of=as_of, known_at=known_at)
    with opened_registry(can_sign=False) as registry:
        listed = registry.list_agreements(filters).agreements
    if as_json:
        click.echo(json.dumps([a.to_dict() for a in listed], indent=2, ensure_ascii=False))
    else:
        print_list(listed, as_of=as_of, known_at=known_at)


@main.command(name="rebuild-views")
@friendly
def rebuild_views() -> None:
    """Recompute the read models (lists, status intervals) from the verified events.

    One transaction: killed midway, the old read models stay as they were."""
    with opened_registry(can_sign=False) as registry:
        rebuilt = registry.rebuild_all_views()
    click.echo(
        f"rebuilt the views of {rebuilt.agreements} agreements: "
        f"{rebuilt.agreement_rows} agreement and {rebuilt.party_rows} party intervals"
    )


@main.command()
@click.argument("ref")
@click.option("--as-of", callback=parse_date, help="State of the world on this date.")
@click.option("--known-at", callback=parse_known_at, help="Using only what was recorded by then.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def state(ref: str, as_of: date | None, known_at: datetime | None, as_json: bool) -> None:
    """Show agreement REF (id or reference) as of a date, as known at an instant."""
    from registry.presentation import print_state

    with opened_registry(can_sign=False) as registry:
        found = registry.state(ref, as_of=as_of, known_at=known_at)
        history = [
            {
                "version": e.payload.version,
                "type": e.payload.type,
                "effective": str(e.payload.effective),
                "recorded": e.payload.recorded,
                "actor": e.payload.actor,
            }
            for e in registry.opened_events(ref)
        ]
    if as_json:
        # Every signed event with its recorded instant: what --known-at is compared with.
        document = {**found.to_dict(), "history": history}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_state(found)


@main.command()
@click.option("--quiet", is_flag=True, help="Print only problems.")
@friendly
def verify(quiet: bool) -> None:
    """Verify every signature, key, chain, the log index, tree and checkpoints."""
    from registry.presentation import progress_bar

    with opened_registry(can_sign=False) as registry:
        total = registry.count_events()
        with progress_bar(total, enabled=not quiet) as advance:
            report = registry.verify_store(progress=advance)
    for check in report.checks:
        if not quiet:
            mark = "ok" if check.ok else f"FAILED ({len(check.problems)})"
            click.echo(f"{check.name}: {mark}")
        for problem in check.problems:
            click.echo(f"  - {problem}", err=not quiet)
    if not report.ok:
        click.echo(f"registry: verification failed with {len(report.problems)} problems", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(
            f"intact: {report.events} events, {report.agreements} agreements, "
            f"checkpoint size {report.checkpoint_size}"
        )


@main.command()
@friendly
def checkpoint() -> None:
    """Print the latest checkpoint: a C2SP signed note over the log's size and root."""
    with opened_registry(can_sign=False) as registry:
        latest = registry.checkpoint()
    if latest is None:
        raise Failure("no checkpoint has been issued yet: record an event first")
    click.echo(latest.note, nl=False)


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    default="-",
    help="File (default stdout); written beside it and renamed into place when complete.",
)
@friendly
def export(output: Path) -> None:
    """Write every envelope, in log order, as JSON lines (the exact signed bytes), then a
    trailer: the log's signed checkpoint of exactly those events."""
    with opened_registry(can_sign=False) as registry:
        if str(output) == "-":
            stream = click.get_binary_stream("stdout")
            for line in registry.export_lines():
                stream.write(line + b"\n")
            return
        count = registry.write_export(output)
    click.echo(f"exported {count} events and their signed checkpoint to {output}", err=True)


@main.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Import a file whose trailer is missing or does not match (a truncated backup).",
)
@click.option(
    "--chunk",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Events per transaction; a rerun must use the same.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    help="Processes that share the work (default: one per core for a large file; 0: none).",
)
@friendly
def import_(file: Path, allow_partial: bool, chunk: int, workers: int | None) -> None:
    """Verify FILE (from `registry export`) completely, then store it into an empty registry.

    Refused unless its signed trailer vouches for every event. Stored in chunks: an import
    that was interrupted finishes when run again with the same file."""
    with opened_registry() as registry:
        imported = registry.import_path(
            file, allow_partial=allow_partial, chunk=chunk, workers=workers
        )
    if imported.partial:
        click.echo(
            f"registry: WARNING: {file} has no trailer that vouches for it; imported its "
            f"{imported.total} events as they are. Events missing from the end of the file "
            "are missing from this registry, and nothing can tell.",
            err=True,
        )
    resumed = f" (continuing after {imported.already} stored earlier)" if imported.already else ""
    click.echo(
        f"imported {imported.events} events{resumed}; {imported.total} in all; "
        "run `registry verify` to check the result"
    )


@main.command(name="export-accounts")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True)
@friendly
def export_accounts(output: Path) -> None:
    """Back up users, roles and API token hashes to a private file (not signed history)."""
    with opened_registry(can_sign=False) as registry:
        counts = registry.export_accounts(output)
    click.echo(f"wrote {counts['users']} users and {counts['api_tokens']} tokens to {output}")


@main.command(name="import-accounts")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@friendly
def import_accounts(file: Path) -> None:
    """Restore users, roles and API tokens from `export-accounts` into a registry without any."""
    with opened_registry(can_sign=False) as registry:
        counts = registry.import_accounts(file)
    click.echo(f"restored {counts['users']} users and {counts['api_tokens']} tokens")


@main.group()
def officer() -> None:
    """Officers' signing keys: registration, rotation, revocation (signed events)."""


@officer.command(name="add")
@click.argument("name")
@click.option("--reason", help="Why (recorded in the signed keyring event).")
@friendly
def officer_add(name: str, reason: str | None) -> None:
    """Create a key pair for officer NAME and register it."""
    with opened_registry() as registry:
        keyid = registry.register_officer(name, reason=reason)
        AdminTrail(registry).note(COMMAND_LINE, AdminAction.KEY_REGISTERED, name, f"key {keyid}")
    click.echo(f"registered key {keyid} for {name}")


@officer.command(name="rotate")
@click.argument("name")
@click.option("--reason", help="Why (recorded in the signed keyring event).")
@friendly
def officer_rotate(name: str, reason: str | None) -> None:
    """Give officer NAME a new key; the old one stops being valid now."""
    with opened_registry() as registry:
        keyid = registry.rotate_officer_key(name, reason=reason)
        AdminTrail(registry).note(COMMAND_LINE, AdminAction.KEY_ROTATED, name, f"now key {keyid}")
    click.echo(f"rotated {name} to key {keyid}")


@officer.command(name="revoke")
@click.argument("name")
@click.argument("keyid")
@click.option("--reason", required=True, help="Why (mandatory).")
@click.option(
    "--invalid-from",
    callback=parse_known_at,
    help="Compromised since this instant: later events signed by it fail verification.",
)
@friendly
def officer_revoke(name: str, keyid: str, reason: str, invalid_from: datetime | None) -> None:
    """Revoke officer NAME's key KEYID."""
    with opened_registry() as registry:
        registry.revoke_officer_key(name, keyid, reason=reason, invalid_from=invalid_from)
        AdminTrail(registry).note(
            COMMAND_LINE, AdminAction.KEY_REVOKED, name, f"key {keyid}: {reason}"
        )
    click.echo(f"revoked key {keyid} of {name}")


@officer.command(name="list")
@friendly
def officer_list() -> None:
    """Officers and their keys."""
    with opened_registry(can_sign=False) as registry:
        officers = registry.trust().officers()
    for name, keys in sorted(officers.items()):
        click.echo(f"{name}: {', '.join(k.keyid for k in keys)}")


from registry.cli.users import users  # noqa: E402 - it uses the helpers above

main.add_command(users)

from registry.cli.api import mirror, prove, tokens, verify_bundle  # noqa: E402

main.add_command(tokens)
main.add_command(mirror)
main.add_command(prove)
main.add_command(verify_bundle)

from registry.cli.audit import report  # noqa: E402

main.add_command(report)

from registry.cli.witness import log_group, witness_group  # noqa: E402

main.add_command(log_group)
main.add_command(witness_group)

from registry.cli.status import import_status, party  # noqa: E402

main.add_command(import_status)
main.add_command(party)


if __name__ == "__main__":  # pragma: no cover
    main()
