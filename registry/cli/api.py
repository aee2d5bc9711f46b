"""Commands for other systems: API tokens, following a registry, offline proof bundles.

`registry tokens` makes, lists and revokes API tokens; `registry mirror URL` follows another
registry's log into this instance's database, verifying everything; `registry prove REF`
writes an agreement's offline bundle and `registry verify-bundle FILE --keys DIR` checks one
with the published keys alone (no database).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from registry.cli.common import Failure, friendly, opened_registry
from registry.store.public import Scope, Settings

KEYS_HELP = "A keys directory (keyring.json and log.vkey), as `registry init` publishes it."
POLICY_OPTION = click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A witness policy (C2SP tlog-policy): refuse a checkpoint without its quorum.",
)


def load_policy(path: Path | None) -> Any:
    """The parsed policy of PATH, or None; a malformed policy is a one-line error."""
    if path is None:
        return None
    from registry.ledger.policy import PolicyError, parse_policy

    try:
        return parse_policy(path.read_bytes())
    except PolicyError as error:
        raise Failure(f"{path}: {error}") from None


class Refused(Failure):
    """The other side cannot be trusted: exit code 3, so scripts can tell."""

    exit_code = 3


@click.group()
def tokens() -> None:
    """API tokens: read, or write as an officer (only a hash of each is kept)."""


@tokens.command(name="create")
@click.argument("name")
@click.option(
    "--scope", type=click.Choice([s.value for s in Scope]), default="read", show_default=True
)
@click.option("--officer", help="The officer account a write token records as.")
@click.option("--by", "created_by", default="cli", show_default=True, help="Who makes it.")
@friendly
def tokens_create(name: str, scope: str, officer: str | None, created_by: str) -> None:
    """Make a token NAME; its secret is printed once, on standard output."""
    from registry.store.public import ApiTokens

    with opened_registry(can_sign=False) as registry:
        token, secret = ApiTokens(registry).create(
            name, scope, officer=officer, created_by=created_by
        )
    click.echo(f"made {token.scope.value} token {token.id} ({token.name})", err=True)
    click.echo(secret)


@tokens.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def tokens_list(as_json: bool) -> None:
    """Every token: scope, officer, made, last used, revoked."""
    from dataclasses import asdict

    from registry.store.public import ApiTokens

    with opened_registry(can_sign=False) as registry:
        found = ApiTokens(registry).all()
    if as_json:
        click.echo(json.dumps([asdict(t) for t in found], indent=2))
        return
    for token in found:
        state = f"revoked {token.revoked}" if token.revoked else "active"
        officer = f" as {token.officer}" if token.officer else ""
        used = token.last_used or "never"
        click.echo(
            f"{token.id}  {token.scope.value}{officer}  {state}  last used {used}  {token.name}"
        )


@tokens.command(name="revoke")
@click.argument("token_id")
@click.option("--by", "revoked_by", default="cli", show_default=True, help="Who revokes it.")
@friendly
def tokens_revoke(token_id: str, revoked_by: str) -> None:
    """Revoke token TOKEN_ID: it stops working at once."""
    from registry.store.public import ApiTokens

    with opened_registry(can_sign=False) as registry:
        token = ApiTokens(registry).revoke(token_id, revoked_by=revoked_by)
    click.echo(f"revoked token {token.id} ({token.name})")


@click.command()
@click.argument("url")
@click.option(
    "--keys",
    "keys_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help=KEYS_HELP,
)
@click.option("--token", envvar="REGISTRY_MIRROR_TOKEN", help="A read token, if reads need one.")
@click.option("--page", default=500, show_default=True, type=click.IntRange(1, 1000))
@click.option(
    "--tiles",
    is_flag=True,
    help="URL is the log's prefix (…/api/v1/log, or a static copy of it): read its C2SP tiles.",
)
@click.option(
    "--chunk",
    default=2000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Entries per transaction; a run cut off continues after its last whole chunk.",
)
@POLICY_OPTION
@friendly
def mirror(
    url: str,
    keys_dir: Path,
    token: str | None,
    page: int,
    tiles: bool,
    chunk: int,
    policy_file: Path | None,
) -> None:
    """Follow the registry at URL into this instance's database, verifying everything.

    Run it again to catch up. It refuses (exit 3, nothing written) a server whose keys are not
    the pinned ones, whose checkpoint is not signed by them, or whose log does not extend the
    log this mirror already holds. With --tiles it reads only the checkpoint and the tiles
    under URL, each tile checked against its parent and the checkpoint's root.
    """
    from registry.ledger.bundle import load_anchors
    from registry.mirror import HttpSource, MirrorRefused, SourceError, pin_anchors
    from registry.mirror import mirror as follow
    from registry.store.public import Registry

    anchors, verifier = load_anchors(keys_dir)
    policy = load_policy(policy_file)
    settings = replace(Settings.from_env(), log_origin=verifier.name)
    settings.home.mkdir(parents=True, exist_ok=True)
    try:
        pin_anchors(settings.home / "public", anchors, verifier)
        registry = Registry(settings, can_sign=False)
        try:
            result = follow(
                registry,
                HttpSource(url, token),
                anchors,
                verifier,
                page=page,
                tiles=tiles,
                policy=policy,
                chunk=chunk,
            )
        finally:
            registry.close()
    except MirrorRefused as error:
        raise Refused(f"refused {url}: {error}; nothing was written") from None
    except SourceError as error:
        raise Failure(f"{error}; nothing was written") from None
    click.echo(
        f"mirrored {result.fetched} new entries from {url}: the log holds {result.after}, "
        f"checkpoint verified ({verifier.name})"
    )
    if os.environ.get("REGISTRY_LOG_ORIGIN") != verifier.name:
        click.echo(f"to verify this store: REGISTRY_LOG_ORIGIN={verifier.name} registry verify")


@click.command()
@click.argument("ref")
@click.option("--output", "-o", type=click.File("w"), default="-", help="File (default stdout).")
@friendly
def prove(ref: str, output: Any) -> None:
    """Write the offline proof bundle of agreement REF (its events, the keyring, proofs)."""
    with opened_registry(can_sign=False) as registry:
        bundle = registry.agreement_bundle(ref)
    output.write(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")


@click.command(name="verify-bundle")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--keys",
    "keys_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help=KEYS_HELP,
)
@POLICY_OPTION
@friendly
def verify_bundle(file: Any, keys_dir: Path, policy_file: Path | None) -> None:
    """Verify a bundle FILE offline, with the keys in DIR only (no database, no network).

    With --policy, its checkpoint must also carry the witnesses' cosignatures the policy asks.
    """
    from registry.ledger.bundle import load_anchors
    from registry.ledger.bundle import verify_bundle as check

    anchors, verifier = load_anchors(keys_dir)
    policy = load_policy(policy_file)
    try:
        document = json.loads(file.read())
    except (ValueError, UnicodeDecodeError) as error:
        raise Failure(f"{file.name}: not a JSON bundle: {error}") from None
    audit_report = isinstance(document, dict) and set(document) == {"report", "bundle"}
    if audit_report:  # its bundle, then the report recomputed from the bundle's events
        from registry.store.public import Registry

        check = Registry.verify_report
    report = check(document, anchors, verifier, policy)
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    if not report.ok:
        click.echo(f"registry: the bundle FAILED with {len(report.problems)} problems", err=True)
        sys.exit(1)
    size = report.checkpoint.size if report.checkpoint else 0
    click.echo(
        f"verified: {report.events} events of {len(report.agreements)} agreements and "
        f"{report.keyring} keyring events, in the log of {size} entries signed by {verifier.name}"
    )
    if audit_report:
        click.echo("the report's states, changes and events are what these signed events give")
