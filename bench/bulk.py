"""The bulk paths at archive scale: rates against their raw limits, and peak memory.

    .venv/bin/python -m bench.bulk --agreements 5000 [--database postgresql+psycopg://...]
        [--profile DIR] [--max-parties 2]

Each path runs as the real `registry` command in a child process, so its peak RSS is its
own (`ru_maxrss` from wait4): `load` of the generated archive, `export`, `import` of that
export into an empty store, `verify`. Beside them, in the same run, the raw limits over the
same bytes: Ed25519 sign (load) or verify (import) plus a batched insert of the envelopes
(COPY on PostgreSQL), and raw verify on every core (verify). With `--profile DIR` each child
runs under cProfile and leaves DIR/<path>.prof. Compare ratios, never absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.databases import database_url
from bench.generate import generate
from registry.ledger.dsse import Envelope, verify_envelope
from registry.ledger.keys import PublicKey, SigningKey
from registry.ledger.payload import EventPayload, seal

REGISTRY = [sys.executable, "-m", "registry.cli"]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str
    cpu_seconds: float = 0.0  # user + system, the child's and its workers' (a busy machine
    # stretches `seconds`, not this)


def command(home: Path, url: str, *args: str, profile: Path | None = None) -> Run:
    """Run `registry ARGS` in a child; its wall time and its own peak RSS."""
    env = os.environ | {
        "REGISTRY_HOME": str(home),
        "REGISTRY_DATABASE_URL": url,
        "REGISTRY_LOG_ORIGIN": "bench.registry.example/log",
        "REGISTRY_KEYS_DIR": str(home / "published-keys"),
    }
    argv = [*REGISTRY, *args]
    if profile is not None:
        argv = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "registry.cli", *args]
        workers = profile.with_suffix("")  # each bulk worker leaves its own profile there
        workers.mkdir(exist_ok=True)
        env["REGISTRY_BULK_PROFILE"] = str(workers)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode != 0:
        raise RuntimeError(f"registry {' '.join(args)} failed: {stderr[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime)


def envelopes_of(export: Path) -> list[bytes]:
    lines = export.read_bytes().splitlines()
    return [line for line in lines[:-1] if line.strip()]


def _insert(url: str, envelopes: list[bytes], chunk: int = 2000) -> None:
    """The raw bulk insert: executemany on SQLite, COPY on PostgreSQL, `chunk` per commit."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, state BYTEA)")
                if engine.dialect.name == "postgresql"
                else text("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, state BLOB)")
            )
        for start in range(0, len(envelopes), chunk):
            part = envelopes[start : start + chunk]
            with engine.begin() as connection:
                if engine.dialect.name == "postgresql":
                    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                    with cursor.copy("COPY bench_raw (id, state) FROM STDIN") as copy:
                        for offset, envelope in enumerate(part, start=start):
                            copy.write_row((offset, envelope))
                else:
                    connection.exec_driver_sql(
                        "INSERT INTO bench_raw (id, state) VALUES (?, ?)",
                        [(offset, e) for offset, e in enumerate(part, start=start)],
                    )
    finally:
        engine.dispose()


def raw_sign_and_insert(url: str, envelopes: list[bytes]) -> float:
    """Events/s: sign the same payload bytes, then insert the envelopes in batches."""
    key = SigningKey.generate()
    payloads = [Envelope.from_bytes(e).payload for e in envelopes]
    start = time.perf_counter()
    sealed = [seal(EventPayload.from_bytes(p), key) for p in payloads]
    _insert(url, sealed)
    return len(sealed) / (time.perf_counter() - start)


def raw_verify_and_insert(url: str, envelopes: list[bytes], keys: dict[str, PublicKey]) -> float:
    start = time.perf_counter()
    for envelope in envelopes:
        verify_envelope(Envelope.from_bytes(envelope), keys.get)
    _insert(url, envelopes)
    return len(envelopes) / (time.perf_counter() - start)


def public_keys(home: Path, url: str, envelopes: list[bytes]) -> dict[str, PublicKey]:
    """The signers' public keys, as the source registry's keyring gives them."""
    from registry.store.application import Registry
    from registry.store.settings import Settings

    settings = Settings(home, url, "bench.registry.example/log", home / "published-keys")
    registry = Registry(settings)
    try:
        trust = registry.trust()
        keyids = {Envelope.from_bytes(e).signature.keyid for e in envelopes}
        return {keyid: key for keyid in keyids if (key := trust.public_key(keyid)) is not None}
    finally:
        registry.close()


def bulk_figures(agreements: int, server: str | None, max_parties: int, profile: Path | None):  # type: ignore[no-untyped-def]
    """Yield (figure, value, baseline, goal, peak RSS, CPU seconds) for each bulk path."""
    from bench.run import raw_verify_on_every_core

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scripts = generate(root / "archive", agreements, per_file=5000, max_parties=max_parties)
        files = [str(s) for s in scripts]

        def prof(name: str) -> Path | None:
            return None if profile is None else profile / f"{name}.prof"

        home = root / "source"
        with (
            database_url(root, "source", server) as url,
            database_url(root, "target", server) as url2,
        ):
            command(home, url, "init")
            load = command(home, url, "load", *files, profile=prof("load"))
            export = root / "export.jsonl"
            command(home, url, "export", "-o", str(export))
            envelopes = envelopes_of(export)
            count = len(envelopes)
            keys = public_keys(home, url, envelopes)
            # each limit right after its path, so that a shared machine's load, which comes
            # and goes, weighs on both sides of a ratio alike
            with database_url(root, "raw1", server) as raw:
                sign_limit = raw_sign_and_insert(raw, envelopes)
            imported = command(home, url2, "import", str(export), profile=prof("import"))
            with database_url(root, "raw2", server) as raw:
                verify_limit = raw_verify_and_insert(raw, envelopes, keys)
            verified = command(home, url, "verify", "--quiet", profile=prof("verify"))
            cores = raw_verify_on_every_core(envelopes, {k: v.raw for k, v in keys.items()})
        yield (f"registry load ({count} events)", count / load.seconds, sign_limit,
               ">= 0.5", load.peak_rss_mb, load.cpu_seconds)  # fmt: skip
        yield ("registry import of an export", count / imported.seconds, verify_limit,
               ">= 0.5", imported.peak_rss_mb, imported.cpu_seconds)  # fmt: skip
        yield (f"registry verify ({os.cpu_count()} cores)", count / verified.seconds, cores,
               ">= 0.8", verified.peak_rss_mb, verified.cpu_seconds)  # fmt: skip


def peak_rss_of_load(root: Path, agreements: int, server: str | None) -> float:
    """MB: the peak RSS of `registry load` of a generated archive, in a child process."""
    folder = root / f"rss{agreements}"
    scripts = generate(folder / "archive", agreements, per_file=5000, max_parties=2)
    with database_url(folder, f"rss{agreements}", server) as url:
        command(folder / "home", url, "init")
        return command(folder / "home", url, "load", *map(str, scripts)).peak_rss_mb


def memory_figures(agreements: int, server: str | None, figure):  # type: ignore[no-untyped-def]
    """For bench/run: the load's peak RSS at `agreements` over a quarter of them (flat: 1)."""
    with tempfile.TemporaryDirectory() as tmp:
        small = peak_rss_of_load(Path(tmp), max(agreements // 4, 1), server)
        large = peak_rss_of_load(Path(tmp), agreements, server)
    yield figure(f"peak RSS of registry load, {agreements} / {max(agreements // 4, 1)} "
                 "agreements", large, small, "<= 1.2 (flat)", "MB")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=2000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--max-parties", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="write cProfile files here")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, value, baseline, goal, rss, cpu in bulk_figures(
        args.agreements, args.database, args.max_parties, args.profile
    ):
        ratio = value / baseline
        print(f"{name:45s} {value:9.0f}/s vs {baseline:9.0f}/s = {ratio:6.3f} ({goal}); "
              f"peak RSS {rss:6.0f} MB; {cpu:5.1f} CPU s", flush=True)  # fmt: skip
        rows.append({"figure": name, "value": value, "baseline": baseline, "ratio": ratio,
                     "goal": goal, "peak_rss_mb": rss, "cpu_seconds": cpu})  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
