"""`registry log …` (this log's witnesses) and `registry witness …` (witnessing other logs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict

import click

from registry.cli.common import Failure, friendly, opened_registry

COSIGN_INTERVAL_ENV = "REGISTRY_COSIGN_INTERVAL"
PARENT_ENV = "REGISTRY_COSIGN_PARENT"  # set for the loop `registry serve` starts beside it


@click.group(name="log")
def log_group() -> None:
    """This log's witnesses: configure them, see their state, collect cosignatures."""


@log_group.command(name="add-witness")
@click.argument("name")
@click.argument("url")
@click.argument("vkey")
@friendly
def add_witness(name: str, url: str, vkey: str) -> None:
    """Ask the witness at URL (its tlog-witness submission prefix), key VKEY, to cosign."""
    with opened_registry(can_sign=False) as registry:
        state = registry.add_witness(name, url, vkey)
    click.echo(f"added witness {state.name} ({state.vkey}) at {state.url}")


@log_group.command(name="remove-witness")
@click.argument("name")
@friendly
def remove_witness(name: str) -> None:
    """Stop asking witness NAME (the cosignatures it gave are kept)."""
    with opened_registry(can_sign=False) as registry:
        registry.remove_witness(name)
    click.echo(f"removed witness {name}")


@log_group.command(name="witnesses")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def list_witnesses(as_json: bool) -> None:
    """Every configured witness and its state."""
    with opened_registry(can_sign=False) as registry:
        states = list(registry.witness_states().values())
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in states], indent=2))
        return
    if not states:
        click.echo("no witnesses configured: `registry log add-witness NAME URL VKEY`")
    for state in states:
        click.echo(_state_line(state))


@log_group.command(name="witness")
@click.argument("name")
@friendly
def show_witness(name: str) -> None:
    """Witness NAME: its URL, key, last size cosigned, last error and when."""
    with opened_registry(can_sign=False) as registry:
        state = registry.witness_states().get(name)
    if state is None:
        raise Failure(f"no witness named {name!r}")
    for key, value in state.to_dict().items():
        click.echo(f"{key}: {'' if value is None else value}")


@log_group.command(name="cosign")
@click.option("--watch", is_flag=True, help="Keep going, a round every --interval seconds.")
@click.option(
    "--interval",
    type=click.FloatRange(0.2, 3600),
    default=lambda: float(os.environ.get(COSIGN_INTERVAL_ENV) or 2),
    show_default="2, or REGISTRY_COSIGN_INTERVAL",
)
@friendly
def cosign(watch: bool, interval: float) -> None:
    """Send the latest checkpoint to every witness and keep their cosignatures."""
    parent = os.environ.get(PARENT_ENV)
    with opened_registry(can_sign=False) as registry:
        while True:
            if parent and str(os.getppid()) != parent:
                return  # the server that started this loop is gone
            try:
                outcome = registry.cosign()
            except Exception as error:  # the loop outlives a bad round
                if not watch:
                    raise
                click.echo(f"registry: cosigning round failed: {error}", err=True)
                outcome = {}
            if not watch:
                for name, what in outcome.items():
                    click.echo(f"{name}: {what}")
                failed = [n for n, what in outcome.items() if what.startswith("failed")]
                if failed:
                    raise Failure(f"{len(failed)} witness(es) did not cosign: {', '.join(failed)}")
                return
            time.sleep(interval)


def start_cosigner() -> subprocess.Popen[bytes]:
    """`registry log cosign --watch` beside the web server (`registry serve`)."""
    env = {**os.environ, PARENT_ENV: str(os.getpid())}
    command = [sys.executable, "-m", "registry.cli", "log", "cosign", "--watch"]
    return subprocess.Popen(command, env=env)


def _state_line(state: object) -> str:
    data = asdict(state)  # type: ignore[call-overload]
    size = data["cosigned_size"]
    cosigned = f"cosigned size {size} at {data['cosigned_at']}" if size is not None else "none yet"
    error = (
        f"; last error at {data['last_error_at']}: {data['last_error']}"
        if data["last_error"]
        else ""
    )
    return f"{data['name']}  {data['url']}  {cosigned}{error}"


@click.group(name="witness")
def witness_group() -> None:
    """This instance as a witness (C2SP tlog-witness) of other registries' logs."""


@witness_group.command(name="add-log")
@click.argument("origin")
@click.argument("vkey")
@friendly
def add_log(origin: str, vkey: str) -> None:
    """Witness the log ORIGIN, whose checkpoints its key VKEY signs."""
    with opened_registry(can_sign=False) as registry:
        log = registry.add_log(origin, vkey)
    click.echo(f"witnessing {log.origin} ({log.vkey})")


@witness_group.command(name="remove-log")
@click.argument("origin")
@friendly
def remove_log(origin: str) -> None:
    """Stop witnessing ORIGIN (and forget the checkpoint last cosigned)."""
    with opened_registry(can_sign=False) as registry:
        registry.remove_log(origin)
    click.echo(f"no longer witnessing {origin}")


@witness_group.command(name="logs")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def list_logs(as_json: bool) -> None:
    """Every log witnessed, with the size last cosigned and the last refusal."""
    with opened_registry(can_sign=False) as registry:
        logs = list(registry.witnessed().values())
    if as_json:
        rows = [{**asdict(log), "root_hash": log.root_hash.hex()} for log in logs]
        click.echo(json.dumps(rows, indent=2))
        return
    for log in logs:
        refused = f"; refused at {log.refused_at}: {log.refused_why}" if log.refused_why else ""
        click.echo(f"{log.origin}  size {log.size}  updated {log.updated or 'never'}{refused}")


@witness_group.command(name="key")
@friendly
def key() -> None:
    """Print this witness's verifier key (give it to the logs it witnesses)."""
    from registry.store.public import Registry, Settings

    click.echo(Registry.witness_signer(Settings.from_env()).verifier().vkey)


@witness_group.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32))
@friendly
def serve(host: str, port: int, workers: int) -> None:
    """Serve only the witness (add-checkpoint at the root) under gunicorn."""
    from registry.store.public import Registry, Settings
    from registry.wsgi import RegistryServer

    settings = Settings.from_env()
    if settings.is_sqlite and not settings.home.exists():
        raise Failure(f"no registry at {settings.home}: run `registry init` first")
    Registry.witness_signer(settings)  # created before the workers start, never by two at once
    server = RegistryServer(
        {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "timeout": 60}
    )
    server.load = _witness_app  # type: ignore[method-assign]
    server.run()


def _witness_app() -> object:
    from registry.web.witness import create_witness_app

    return create_witness_app()
