"""Every figure of the archive-scale table, each beside its baseline measured in the same run.

    bench/run [--quick] [--database postgresql+psycopg://...] [--json FILE] [--agreements N]

Prints one line per figure (value, baseline, ratio, goal) and writes them as JSON objects
with `figure`, `value`, `baseline`, `ratio`, `goal`, `database`. The machine is shared and
noisy: compare ratios, never absolute times. `--quick` uses small sizes (the test suite runs
it, asserting only that every figure is produced).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
)
from sqlalchemy.engine import Engine

from bench import bulk as bulk_bench
from bench import events as append_bench
from bench import follow, writers
from bench.databases import database_url
from bench.generate import generate
from bench.list_as_of import as_of_list, current_list
from registry.ledger.dsse import Envelope, verify_envelope
from registry.ledger.keys import SigningKey
from registry.ledger.payload import EventPayload, format_instant, seal
from registry.store.application import Registry
from registry.store.bulk.archive import export_lines, import_lines
from registry.store.bulk.fixtures import load_script, read_steps
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from registry.store.setup import initialise

OFFICERS = ("officer.islamabad", "officer.astana", "officer.depositary")


@dataclass(frozen=True)
class Figure:
    figure: str
    value: float
    baseline: float
    ratio: float
    goal: str
    database: str
    unit: str = ""


@dataclass(frozen=True)
class Sizes:
    agreements: int
    one_per_transaction: int
    history: int
    requests: int
    repetitions: int
    participants: int = 190  # of the generated status table (bench/status_tables.py)


QUICK = Sizes(agreements=20, one_per_transaction=10, history=100, requests=5, repetitions=1,
              participants=20)  # fmt: skip
FULL = Sizes(agreements=2000, one_per_transaction=300, history=10_000, requests=300, repetitions=7,
             participants=190)  # fmt: skip


# -- databases -------------------------------------------------------------------------------


def settings_at(home: Path, url: str) -> Settings:
    return Settings(home, url, "bench.registry.example/log", home / "published-keys")


# -- the raw limits --------------------------------------------------------------------------


def raw_table(engine: Engine) -> Table:
    table = Table(
        "bench_raw",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("state", LargeBinary, nullable=False),
    )
    table.metadata.create_all(engine)
    return table


def batched_insert(engine: Engine, envelopes: list[bytes], chunk: int = 2000) -> None:
    table = raw_table(engine)
    for start in range(0, len(envelopes), chunk):
        with engine.begin() as connection:
            connection.execute(
                insert(table), [{"state": e} for e in envelopes[start : start + chunk]]
            )


def raw_sign_and_batched_insert(url: str, payloads: list[bytes]) -> float:
    """Events/s: Ed25519-sign the same payload bytes and insert them in batches."""
    key = SigningKey.generate()
    engine = create_engine(url)
    try:
        start = time.perf_counter()
        envelopes = [seal(EventPayload.from_bytes(p), key) for p in payloads]
        batched_insert(engine, envelopes)
        return len(payloads) / (time.perf_counter() - start)
    finally:
        engine.dispose()


def raw_verify_and_batched_insert(url: str, envelopes: list[bytes], lookup: Any) -> float:
    engine = create_engine(url)
    try:
        start = time.perf_counter()
        for envelope in envelopes:
            verify_envelope(Envelope.from_bytes(envelope), lookup)
        batched_insert(engine, envelopes)
        return len(envelopes) / (time.perf_counter() - start)
    finally:
        engine.dispose()


def _verify_all(args: tuple[list[bytes], dict[str, bytes]]) -> int:
    from registry.ledger.keys import PublicKey

    envelopes, keys = args
    table = {keyid: PublicKey(raw) for keyid, raw in keys.items()}
    for envelope in envelopes:
        verify_envelope(Envelope.from_bytes(envelope), table.get)
    return len(envelopes)


def raw_verify_on_every_core(envelopes: list[bytes], keys: dict[str, bytes]) -> float:
    cores = os.cpu_count() or 1
    parts = [envelopes[n::cores] for n in range(cores)]
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_verify_all, [([], keys)] * cores))  # start the workers first
        start = time.perf_counter()
        done = sum(pool.map(_verify_all, [(part, keys) for part in parts]))
    return done / (time.perf_counter() - start)


# -- the registry's figures ------------------------------------------------------------------


def loaded_registry(home: Path, url: str, agreements: int) -> tuple[Registry, float, int]:
    """A registry loaded with a generated archive; returns it, load events/s and events."""
    settings = settings_at(home, url)
    initialise(settings, demo_officers=OFFICERS)
    # bilateral, about 7 events each, as the table measures (see bench/README.md for
    # multilateral archives, whose interval maintenance grows with parties x history)
    scripts = generate(home / "archive", agreements, per_file=max(agreements, 1), max_parties=2)
    registry = Registry(settings)
    steps = [step for path in scripts for step in read_steps(path)]
    start = time.perf_counter()
    loaded = load_script(registry, steps)
    seconds = time.perf_counter() - start
    return registry, loaded.recorded / seconds, loaded.recorded


def median_rate(run: Callable[[], Any], count: int, repetitions: int) -> float:
    timings = []
    for _ in range(repetitions):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return count / statistics.median(timings)


def figures(sizes: Sizes, server: str | None) -> Iterator[Figure]:
    kind = "postgresql" if server else "sqlite"

    def figure(name: str, value: float, baseline: float, goal: str, unit: str = "") -> Figure:
        ratio = value / baseline if baseline else float("inf")
        return Figure(name, value, baseline, round(ratio, 4), goal, kind, unit)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with database_url(root, "load", server) as url:
            registry, load_rate, count = loaded_registry(root / "load", url, sizes.agreements)
            try:
                envelopes = [line for line in export_lines(registry)][:-1]
                payloads = [Envelope.from_bytes(e).payload for e in envelopes]
                with database_url(root, "raw1", server) as raw_url:
                    raw_load = raw_sign_and_batched_insert(raw_url, payloads)
                yield figure(
                    f"registry load, {sizes.agreements} agreements ({count} events)",
                    load_rate, raw_load, ">= 0.5", "events/s",
                )  # fmt: skip
                yield from _import_figures(registry, envelopes, root, server, figure)
                yield from follow.mirror_figures(registry, envelopes, root, server, figure)
                yield from _verify_figures(registry, envelopes, figure, sizes)
                yield from _read_figures(registry, sizes, figure)
            finally:
                registry.close()
        yield from follow.status_import_figures(root, server, sizes.participants, figure)
        yield from bulk_bench.memory_figures(sizes.agreements, server, figure)
        yield from _one_per_transaction(root, server, sizes, figure)
        yield from writers.concurrent_writers(
            lambda name: _registry_at(root, server, name), sizes.one_per_transaction, figure
        )
        yield from _domain_figures(sizes, figure)
        yield from _history_figures(root, server, sizes, figure)


def _import_figures(registry, envelopes, root, server, figure):  # type: ignore[no-untyped-def]
    lines = [*envelopes, list(export_lines(registry))[-1]]
    with database_url(root, "import", server) as url:
        target = Registry(settings_at(registry.settings.home, url))
        try:
            start = time.perf_counter()
            import_lines(target, lines)
            value = len(envelopes) / (time.perf_counter() - start)
        finally:
            target.close()
    trust = registry.trust()
    with database_url(root, "raw2", server) as raw_url:
        baseline = raw_verify_and_batched_insert(raw_url, envelopes, trust.public_key)
    yield figure("registry import of an export", value, baseline, ">= 0.5", "events/s")


def _verify_figures(registry, envelopes, figure, sizes):  # type: ignore[no-untyped-def]
    trust = registry.trust()
    keys = {}
    for envelope in envelopes:
        keyid = Envelope.from_bytes(envelope).signature.keyid
        keys[keyid] = trust.public_key(keyid).raw
    start = time.perf_counter()
    report = verify_store(registry)
    value = report.events / (time.perf_counter() - start)
    assert report.ok, report.problems
    baseline = raw_verify_on_every_core(envelopes, keys)
    yield figure(f"registry verify ({os.cpu_count()} cores)", value, baseline, ">= 0.8", "events/s")


def _read_figures(registry, sizes, figure):  # type: ignore[no-untyped-def]
    from registry.web import create_app
    from registry.web.api.access import RATE_LIMIT

    config = {"REGISTRY_SETTINGS": registry.settings, "TESTING": True, "RATELIMIT_ENABLED": False}
    config[RATE_LIMIT] = "1000000/1"  # the bench measures the server, not its limiter
    app = create_app(config)
    client = app.test_client()
    ref = registry.list_as_of(limit=1).agreements[0].reference

    def rate_of(path: str) -> float:
        def get() -> None:
            for _ in range(sizes.requests):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)

        get()  # warm
        return median_rate(get, sizes.requests, sizes.repetitions)

    health = rate_of("/health")
    yield figure(
        "GET /api/v1/agreements/{ref} / GET /health",
        rate_of(f"/api/v1/agreements/{ref}"), health, ">= 0.5", "requests/s",
    )  # fmt: skip
    yield figure(
        "GET /api/v1/agreements/{ref}/events / GET /health",
        rate_of(f"/api/v1/agreements/{ref}/events"), health, ">= 0.3", "requests/s",
    )  # fmt: skip
    as_of = date(2000, 1, 1)
    for label, filters in (("no filter", {}), ("broad search q=agreement", {"q": "agreement"})):
        reps = sizes.repetitions
        current = median_rate(lambda f=filters: current_list(registry, f, 20), 1, reps)
        past = median_rate(lambda f=filters: as_of_list(registry, as_of, None, f), 1, reps)
        # value and baseline in seconds per list: the ratio is as-of time / current time
        name = f"as-of list / current-state list, {label}"
        yield figure(name, 1 / past, 1 / current, "<= 2", "s")


def _one_per_transaction(root, server, sizes, figure):  # type: ignore[no-untyped-def]
    count = sizes.one_per_transaction
    home = root / "one"
    home.mkdir()
    with database_url(root, "one", server) as url:
        registry = _bench_registry(home, url)
        try:
            value = _record_one_per_transaction(registry, count)
        finally:
            registry.close()
    with database_url(root, "raw3", server) as raw_url:
        raw = _raw_one_per_transaction(raw_url, count)
    with database_url(root, "unsigned", server) as unsigned_url:
        unsigned = writers.eventsourcing_in_memory(unsigned_url, count)
    yield figure("one event per transaction / raw sign + INSERT + COMMIT", value, raw,
                 ">= 0.5", "events/s")  # fmt: skip
    yield figure("one event per transaction / eventsourcing, aggregate in memory", value,
                 unsigned, ">= 1.0", "events/s")  # fmt: skip


@contextmanager
def _registry_at(root: Path, server: str | None, name: str) -> Iterator[Registry]:
    with database_url(root, name, server) as url:
        registry = _bench_registry(_folder(root, name), url)
        try:
            yield registry
        finally:
            registry.close()


def _bench_registry(home: Path, url: str) -> Registry:
    settings = settings_at(home, url)
    initialise(settings, demo_officers=(append_bench.OFFICER,))
    registry = Registry(settings)
    registry.draft(
        effective=append_bench.PartialDate(2026, 1, 1),
        actor=append_bench.OFFICER,
        data=append_bench.DRAFT,
    )
    return registry


def _record_one_per_transaction(registry: Registry, count: int) -> float:
    start = time.perf_counter()
    for number in range(count):
        registry.record(
            append_bench.REF,
            "MilestoneRecorded",
            effective=append_bench.PartialDate(2026, 2, 1),
            actor=append_bench.OFFICER,
            data=append_bench.milestone(number),
        )
    return count / (time.perf_counter() - start)


def _raw_one_per_transaction(url: str, count: int) -> float:
    key = SigningKey.generate()
    engine = _same_journal_as_the_registry(create_engine(url))
    table = raw_table(engine)
    try:
        start = time.perf_counter()
        for number in range(count):
            payload = EventPayload(
                agreement="6f1d2c3b-0000-5000-8000-000000000001",
                version=number + 1,
                type="MilestoneRecorded",
                effective="2026-02-01",
                precision="day",
                recorded=format_instant(datetime.now(UTC)),
                actor=append_bench.OFFICER,
                prev="0" * 64,
                data={**append_bench.milestone(number), "source": None, "reason": None},
            )
            with engine.begin() as connection:
                connection.execute(insert(table), {"state": seal(payload, key)})
        return count / (time.perf_counter() - start)
    finally:
        engine.dispose()


def _same_journal_as_the_registry(engine: Engine) -> Engine:
    """On SQLite, the registry's journal (WAL, one fsync per commit; its datastore sets it):
    the default rollback journal syncs more per commit, which made this baseline slower."""
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def wal(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")

    return engine


def _history_figures(root, server, sizes, figure):  # type: ignore[no-untyped-def]
    timings = {}
    for events in (10, sizes.history):
        home = root / f"history{events}"
        home.mkdir()
        with database_url(root, f"history{events}", server) as url:
            registry = _bench_registry(home, url)
            try:
                append_bench.registry_batches_into(registry, events - 1)
                cold, warm = [], []
                for _ in range(sizes.repetitions):
                    fresh = Registry(registry.settings)
                    try:
                        start = time.perf_counter()
                        fresh.state(append_bench.REF, as_of=date(2026, 2, 1))
                        cold.append(time.perf_counter() - start)
                        start = time.perf_counter()
                        fresh.state(append_bench.REF, as_of=date(2026, 2, 1))
                        warm.append(time.perf_counter() - start)
                    finally:
                        fresh.close()
                timings[events] = (statistics.median(cold), statistics.median(warm))
            finally:
                registry.close()
    name = f"state as of a date, {sizes.history}-event history / 10-event history"
    large, small = timings[sizes.history], timings[10]
    yield figure(f"{name}, cold", large[0], small[0], "<= 3", "s")
    yield figure(f"{name}, warm", large[1], small[1], "<= 2", "s")


def _domain_figures(sizes, figure):  # type: ignore[no-untyped-def]
    """A correction replays the whole history (in memory, no database): how it scales. This
    was a wall-clock assertion in tests/unit/domain/test_scale.py."""
    from registry.domain.values import MilestoneStatus
    from tests.unit.domain.builders import OFFICER, day, draft_mou

    def correction_seconds(events: int) -> float:
        roadmap = draft_mou()
        for number in range(events // 2):
            roadmap.record_milestone(
                effective=day(2026, 2, 5), actor=OFFICER, milestone=f"m{number}", title="T"
            )
            roadmap.change_milestone_status(
                effective=day(2026, 3, 1), actor=OFFICER, milestone=f"m{number}",
                status=MilestoneStatus.IN_PROGRESS,
            )  # fmt: skip
        start = time.perf_counter()
        roadmap.correct(
            effective=day(2026, 9, 2), actor=OFFICER, corrects=2,
            changes={"title": "Trade target"}, reason="Title from the signed text",
        )  # fmt: skip
        return time.perf_counter() - start

    small, large = correction_seconds(10), correction_seconds(sizes.history)
    yield figure(
        f"domain correction, {sizes.history}-event history / 10-event history",
        large, small, f"<= {sizes.history // 10} (linear)", "s",
    )  # fmt: skip


def _folder(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    return path


def print_table(found: list[Figure]) -> None:
    print(f"{'figure':72s} {'value':>12s} {'baseline':>12s} {'ratio':>8s}  goal")
    for f in found:
        print(
            f"{f.figure:72s} {f.value:12.4g} {f.baseline:12.4g} {f.ratio:8.3f}  {f.goal} {f.unit}"
        )


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (the test suite's)")
    parser.add_argument("--database", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--json", type=Path, help="write the figures as JSON to this file")
    parser.add_argument("--agreements", type=int, help="agreements in the loaded archive")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.agreements:
        sizes = Sizes(args.agreements, *list(asdict(sizes).values())[1:])
    found = []
    for one in figures(sizes, args.database):
        found.append(one)
        print(
            f"  {one.figure}: {one.value:.4g} vs {one.baseline:.4g} = {one.ratio:.3f}", flush=True
        )
    print_table(found)
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in found], indent=2) + "\n")
    return found


if __name__ == "__main__":
    main()
