"""Append throughput of signed events, against baselines measured in the same run, and replay time.

    .venv/bin/python -m bench.events [--events 300] [--replay 10000]

Every figure is printed next to its baseline, because the machine is shared and absolute
times drift; the ratios are what to compare between runs:
  - raw limit: Ed25519 signing of the same envelope bytes plus a plain sqlite3 INSERT + COMMIT
    per event (no eventsourcing, no SQLAlchemy, no Merkle tree);
  - unsigned eventsourcing: eventsourcing + eventsourcing-sqlalchemy on a SQLite file, the same
    aggregate event shape, one event per transaction, the aggregate kept in memory (not
    reloaded before each append, which made this baseline weak);
  - the registry: signed envelopes, the chain, the log index, the Merkle tree and a signed
    checkpoint per transaction, one event per transaction and in batches of 50.
Replay: an agreement with N events read back (every signature and the chain verified) and its
state computed as of a date.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from registry.domain.dates import PartialDate
from registry.ledger.keys import SigningKey
from registry.ledger.payload import EventPayload, format_instant, seal
from registry.store.application import Registry
from registry.store.settings import Settings
from registry.store.setup import initialise

OFFICER = "officer.islamabad"
REF = "BENCH-0001"
DRAFT = {
    "reference": REF,
    "titles": {"en": "Benchmark roadmap"},
    "kind": "roadmap",
    "character": "non_binding",
    "multilateral": False,
    "parties": [
        {"code": "PAK", "name": "Pakistan", "type": "state"},
        {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
    ],
}


def milestone(number: int) -> dict[str, Any]:
    return {"milestone": f"m-{number}", "title": f"Milestone {number}", "status": "planned"}


def fresh_registry(folder: Path) -> Registry:
    settings = Settings.from_env(
        {"REGISTRY_HOME": str(folder), "REGISTRY_KEYS_DIR": str(folder / "public-keys")}
    )
    initialise(settings, demo_officers=(OFFICER,))
    registry = Registry(settings)
    registry.draft(effective=PartialDate(2026, 1, 1), actor=OFFICER, data=DRAFT)
    return registry


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def registry_one_per_transaction(folder: Path, count: int) -> float:
    registry = fresh_registry(folder)
    try:
        start = time.perf_counter()
        for number in range(count):
            registry.record(
                REF,
                "MilestoneRecorded",
                effective=PartialDate(2026, 2, 1),
                actor=OFFICER,
                data=milestone(number),
            )
        return rate(count, time.perf_counter() - start)
    finally:
        registry.close()


def registry_batches(folder: Path, count: int, batch: int = 50) -> float:
    registry = fresh_registry(folder)
    try:
        start = time.perf_counter()
        done = 0
        while done < count:
            agreement = registry.agreement(REF)
            for number in range(done, min(done + batch, count)):
                agreement.record_milestone(
                    effective=PartialDate(2026, 2, 1),
                    actor=OFFICER,
                    milestone=f"m-{number}",
                    title=f"Milestone {number}",
                )
            registry.commit(agreement)
            done = min(done + batch, count)
        return rate(count, time.perf_counter() - start)
    finally:
        registry.close()


def raw_sign_and_insert(folder: Path, count: int) -> float:
    """The floor: sign the same kind of envelope and INSERT + COMMIT it with plain sqlite3."""
    key = SigningKey.generate()
    connection = sqlite3.connect(folder / "raw.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, state BLOB NOT NULL)")
    try:
        start = time.perf_counter()
        for number in range(count):
            payload = EventPayload(
                agreement="6f1d2c3b-0000-5000-8000-000000000001",
                version=number + 1,
                type="MilestoneRecorded",
                effective="2026-02-01",
                precision="day",
                recorded=format_instant(_now()),
                actor=OFFICER,
                prev="0" * 64,
                data={**milestone(number), "source": None, "reason": None},
            )
            envelope = seal(payload, key)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO events (state) VALUES (?)", (envelope,))
            connection.execute("COMMIT")
        return rate(count, time.perf_counter() - start)
    finally:
        connection.close()


class Roadmap(Aggregate):
    @event("Created")
    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.milestones: list[str] = []

    @event("MilestoneRecorded")
    def record_milestone(self, milestone: str, title: str, status: str) -> None:
        self.milestones.append(milestone)


class Unsigned(Application[Any]):
    pass


def unsigned_eventsourcing(folder: Path, count: int) -> float:
    app = Unsigned(
        env={
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": f"sqlite:///{folder / 'unsigned.sqlite3'}",
        }
    )
    try:
        roadmap = Roadmap(REF)
        app.save(roadmap)
        start = time.perf_counter()
        for number in range(count):  # the aggregate stays in memory, as a writer keeps it
            roadmap.record_milestone(**milestone(number))
            app.save(roadmap)
        return rate(count, time.perf_counter() - start)
    finally:
        app.close()


def replay(folder: Path, count: int) -> tuple[float, float]:
    """Seconds to read back (verifying) and compute the state as of a date; and to write them."""
    registry = fresh_registry(folder)
    try:
        start = time.perf_counter()
        registry_batches_into(registry, count)
        written = time.perf_counter() - start
        timings = []
        for _ in range(3):
            cold = Registry(registry.settings)  # nothing cached: every envelope is read and checked
            try:
                start = time.perf_counter()
                state = cold.state(REF, as_of=date(2026, 2, 1))
                timings.append(time.perf_counter() - start)
            finally:
                cold.close()
        assert len(state.milestones) == count
        return statistics.median(timings), written
    finally:
        registry.close()


def registry_batches_into(registry: Registry, count: int, batch: int = 500) -> None:
    agreement = registry.agreement(REF)
    for number in range(count):
        agreement.record_milestone(
            effective=PartialDate(2026, 2, 1),
            actor=OFFICER,
            milestone=f"m-{number}",
            title=f"Milestone {number}",
        )
        if (number + 1) % batch == 0 or number + 1 == count:
            registry.commit(agreement)


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300, help="events per append measurement")
    parser.add_argument(
        "--replay", type=int, default=10_000, help="events in the replayed agreement"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        figures = {
            "raw limit (Ed25519 sign + sqlite3 INSERT/COMMIT)": raw_sign_and_insert(
                _dir(root, "raw"), args.events
            ),
            "unsigned eventsourcing (SQLite, 1 per transaction)": unsigned_eventsourcing(
                _dir(root, "unsigned"), args.events
            ),
            "registry, 1 signed event per transaction": registry_one_per_transaction(
                _dir(root, "one"), args.events
            ),
            "registry, batches of 50 signed events": registry_batches(
                _dir(root, "batch"), args.events
            ),
        }
        seconds, written = replay(_dir(root, "replay"), args.replay)
    raw = figures["raw limit (Ed25519 sign + sqlite3 INSERT/COMMIT)"]
    unsigned = figures["unsigned eventsourcing (SQLite, 1 per transaction)"]
    print(f"append throughput, {args.events} events each (events/s; ratio to raw; to unsigned)")
    for name, value in figures.items():
        print(f"  {name:55s} {value:9.0f}/s  {value / raw:6.2f}x  {value / unsigned:6.2f}x")
    print(
        f"replay of an agreement with {args.replay} events as of a date "
        f"(read, verify every signature and the chain, fold): {seconds:.2f} s "
        f"({args.replay / seconds:.0f} events/s); writing them in batches of 500 took "
        f"{written:.1f} s"
    )


def _dir(root: Path, name: str) -> Path:
    path = root / name
    path.mkdir()
    return path


if __name__ == "__main__":
    main()
