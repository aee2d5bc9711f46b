"""Two more bulk paths against their raw limits: the status import and the mirror.

    .venv/bin/python -m bench.follow [--participants 190] [--agreements 400]
        [--database postgresql+psycopg://...] [--profile DIR]

- status import: `import_status` of a generated UN status table (bench/status_tables.py,
  up to 190 participants, rows in alphabetical order) into an empty registry, events/s,
  against Ed25519 signing of the same payloads plus a batched raw insert of the envelopes
  (bench.bulk.raw_sign_and_insert: COPY on PostgreSQL);
- mirror: `registry.mirror.mirror` of a loaded registry's whole log into an empty store,
  through its JSON API (pages of entries, consistency proofs) and through its C2SP tiles,
  entries/s, against Ed25519 verification of the same envelope bytes plus a batched raw
  insert of them (bench.bulk.raw_verify_and_insert). The server's answers (Flask's test
  client) are recorded by a first, untimed mirror and replayed to the timed one: the
  figure is the mirror's own work, as the import's is from a file already read.

bench/run prints both with the other figures. Compare ratios, never absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.bulk import raw_sign_and_insert, raw_verify_and_insert
from bench.databases import database_url
from bench.status_tables import status_table
from registry.ledger.bundle import load_anchors
from registry.ledger.dsse import Envelope
from registry.ledger.keys import PublicKey
from registry.mirror import SourceError, mirror, pin_anchors
from registry.store.application import Registry
from registry.store.bulk.status_import import import_status
from registry.store.settings import Settings
from registry.store.setup import initialise

OFFICER = "officer.depositary"
ORIGIN = "bench.registry.example/log"


def _settings(home: Path, url: str, origin: str = ORIGIN) -> Settings:
    return Settings(home, url, origin, home / "published-keys")


@contextmanager
def _profiled(profile: Path | None) -> Iterator[None]:
    if profile is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


# -- the status import -------------------------------------------------------------------------


def status_import_rates(
    root: Path, server: str | None, participants: int, profile: Path | None = None
) -> tuple[float, float, int]:
    """(import events/s, raw sign + insert events/s, events) for one generated table."""
    table, treaty = status_table(participants)
    home = root / "status"
    home.mkdir(parents=True)
    with database_url(root, "status", server) as url:
        settings = _settings(home, url)
        initialise(settings, demo_officers=(OFFICER,))
        registry = Registry(settings)
        try:
            with _profiled(profile):
                start = time.perf_counter()
                outcome = import_status(registry, table, treaty, officer=OFFICER)
                value = len(outcome.plan.acts) / (time.perf_counter() - start)
            stream = registry.agreement(outcome.reference).id
            envelopes = [bytes(e.state) for e in registry.recorder.select_events(stream)]
        finally:
            registry.close()
    assert len(envelopes) == len(outcome.plan.acts)
    with database_url(root, "status-raw", server) as raw:
        baseline = raw_sign_and_insert(raw, envelopes)
    return value, baseline, len(envelopes)


def status_import_figures(root: Path, server: str | None, participants: int, figure: Any):  # type: ignore[no-untyped-def]
    value, baseline, events = status_import_rates(root, server, participants)
    yield figure(
        f"registry import-status, {participants} participants ({events} events)",
        value, baseline, ">= 0.5", "events/s",
    )  # fmt: skip


# -- the mirror ----------------------------------------------------------------------------


class ClientSource:
    """A registry's API (or, with `prefix`, its tiles) through Flask's test client; each
    answer kept, so that a second mirror of the same log is served them as recorded."""

    def __init__(self, client: Any, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix
        self.answers: dict[str, bytes] = {}

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        response = self.client.get(self.prefix + path, query_string=params)
        if response.status_code != 200:
            raise SourceError(f"GET {path}: {response.status_code}")
        self.answers[_key(path, params)] = body = bytes(response.get_data())
        return body


class Replay:
    """The answers a ClientSource recorded: the server's work (reading its store, verifying
    what it serves, building pages and tiles) is not the mirror's, and on a real deployment
    it runs in another process, on another machine."""

    def __init__(self, answers: dict[str, bytes]) -> None:
        self.answers = answers

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        try:
            return self.answers[_key(path, params)]
        except KeyError:
            raise SourceError(f"GET {path} {params}: not recorded") from None


def _key(path: str, params: dict[str, Any] | None) -> str:
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted((params or {}).items()))


def served(source: Registry) -> Any:
    """The source registry's web application, rate limits off (the bench measures the
    mirror, not the server's limiter)."""
    from registry.web import create_app
    from registry.web.api.access import RATE_LIMIT

    config = {"REGISTRY_SETTINGS": source.settings, "TESTING": True, "RATELIMIT_ENABLED": False}
    config[RATE_LIMIT] = "1000000/1"
    return create_app(config)


def mirror_rate(
    app: Any, source: Registry, root: Path, server: str | None, name: str, tiles: bool,
    profile: Path | None = None,
) -> tuple[float, int]:  # fmt: skip
    """Entries/s of a mirror of the whole log into an empty store, the server's answers
    replayed (recorded by a first mirror of the same log into another empty store)."""
    recording = ClientSource(app.test_client(), "/api/v1/log" if tiles else "")
    _mirror_into(source, root, server, f"{name}-recording", recording, tiles, None)
    return _mirror_into(source, root, server, name, Replay(recording.answers), tiles, profile)


def _mirror_into(
    source: Registry, root: Path, server: str | None, name: str, feed: Any, tiles: bool,
    profile: Path | None,
) -> tuple[float, int]:  # fmt: skip
    anchors, verifier = load_anchors(source.settings.keys_dir)
    home = root / name
    home.mkdir(parents=True)
    with database_url(root, name, server) as url:
        settings = _settings(home, url, verifier.name)
        pin_anchors(home / "public", anchors, verifier)
        local = Registry(settings, can_sign=False)
        try:
            with _profiled(profile):
                start = time.perf_counter()
                result = mirror(local, feed, anchors, verifier, tiles=tiles)
                value = result.fetched / (time.perf_counter() - start)
        finally:
            local.close()
    return value, result.fetched


def signers(source: Registry, envelopes: list[bytes]) -> dict[str, PublicKey]:
    trust = source.trust()
    keyids = {Envelope.from_bytes(e).signature.keyid for e in envelopes}
    return {keyid: key for keyid in keyids if (key := trust.public_key(keyid)) is not None}


def mirror_figures(  # type: ignore[no-untyped-def]
    source: Registry, envelopes: list[bytes], root: Path, server: str | None, figure: Any
):
    """The mirror of `source` (whose log's leaves are `envelopes`), by its API and its tiles."""
    app = served(source)
    with database_url(root, "mirror-raw", server) as raw:
        baseline = raw_verify_and_insert(raw, envelopes, signers(source, envelopes))
    for tiles in (False, True):
        how = "C2SP tiles" if tiles else "JSON API"
        value, count = mirror_rate(app, source, root, server, f"mirror-{int(tiles)}", tiles)
        yield figure(
            f"registry mirror of a whole log ({count} entries), {how}",
            value, baseline, ">= 0.5", "events/s",
        )  # fmt: skip


# -- alone ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from bench.run import Figure, loaded_registry
    from registry.store.bulk.archive import export_lines

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=190)
    parser.add_argument("--agreements", type=int, default=400)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    parser.add_argument("--skip-status", action="store_true")
    parser.add_argument("--skip-mirror", action="store_true")
    args = parser.parse_args(argv)
    kind = "postgresql" if args.database else "sqlite"

    def figure(name: str, value: float, baseline: float, goal: str, unit: str = "") -> Figure:
        return Figure(name, value, baseline, round(value / baseline, 4), goal, kind, unit)

    def show(found: Iterator[Figure]) -> None:
        for one in found:
            print(f"{one.figure}: {one.value:.4g} vs {one.baseline:.4g} = {one.ratio:.3f} "
                  f"({one.goal})", flush=True)  # fmt: skip

    def prof(name: str) -> Path | None:
        return None if args.profile is None else args.profile / f"{name}.prof"

    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if not args.skip_status:
            value, baseline, events = status_import_rates(
                root, args.database, args.participants, prof("status-import")
            )
            show(iter([figure(f"registry import-status ({events} events)", value, baseline,
                              ">= 0.5")]))  # fmt: skip
        if args.skip_mirror:
            return
        with database_url(root, "source", args.database) as url:
            source, _rate, _count = loaded_registry(root / "source", url, args.agreements)
            try:
                envelopes = list(export_lines(source))[:-1]
                if args.profile:
                    app = served(source)
                    for tiles in (False, True):
                        name = f"mirror-{'tiles' if tiles else 'api'}"
                        mirror_rate(app, source, root, args.database, f"p{name}", tiles,
                                    prof(name))  # fmt: skip
                show(mirror_figures(source, envelopes, root, args.database, figure))
            finally:
                source.close()


if __name__ == "__main__":
    main()
