"""Proof generation from stored nodes at 1,000 vs 1,000,000 leaves, and append with the tree on/off.

    .venv/bin/python -m bench.merkle [--large 1000000] [--small 1000] [--appends 300]

1. Inclusion and consistency proofs read O(log n) stored perfect-subtree nodes in one query, so
   going from 10^3 to 10^6 leaves should cost about log2(10^6)/log2(10^3) = 2x, not 1000x. The
   stored trees live in the registry's own node table on a SQLite file (built directly from leaf
   hashes with the same `append_leaves` the recorder uses; no events are signed for it).
2. Append throughput through the real registry with the tree maintained (leaf index, Merkle
   nodes, signed checkpoint per transaction) vs a registry whose log keeps only the leaf index,
   in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

from bench.events import OFFICER, REF, fresh_registry, milestone
from registry.domain.dates import PartialDate
from registry.ledger import merkle
from registry.store.events.log import NewLeaf, PlannedAppend, SqlNodeReader, TransparencyLog
from registry.store.events.tables import merkle_nodes, metadata

BATCH = 20_000


def build_tree(path: Path, size: int) -> Session:
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine, tables=[merkle_nodes])
    session = Session(engine)
    reader = SqlNodeReader(session)
    done = 0
    while done < size:
        count = min(BATCH, size - done)
        leaves = [sha256(b"leaf %d" % i).digest() for i in range(done, done + count)]
        nodes = merkle.append_leaves(reader, done, leaves)
        session.execute(
            insert(merkle_nodes), [{"level": lv, "idx": ix, "hash": h} for lv, ix, h in nodes]
        )
        session.commit()
        done += count
    return session


def time_proofs(session: Session, size: int, samples: int = 400) -> tuple[float, float]:
    """Median seconds per inclusion proof and per consistency proof (random arguments)."""
    rng = random.Random(size)
    reader = SqlNodeReader(session)
    inclusion, consistency = [], []
    for _ in range(samples):
        index = rng.randrange(size)
        start = time.perf_counter()
        merkle.inclusion_proof(reader, index, size)
        inclusion.append(time.perf_counter() - start)
        old = rng.randrange(1, size)
        start = time.perf_counter()
        merkle.consistency_proof(reader, old, size)
        consistency.append(time.perf_counter() - start)
    return statistics.median(inclusion), statistics.median(consistency)


def check_a_proof(session: Session, size: int) -> None:
    """The timed proofs are real: one of them verifies against the stored root."""
    reader = SqlNodeReader(session)
    root = merkle.root_at(reader, size)
    proof = merkle.inclusion_proof(reader, size // 3, size)
    merkle.verify_inclusion(sha256(b"leaf %d" % (size // 3)).digest(), size // 3, size, proof, root)


class IndexOnlyLog(TransparencyLog):
    """The baseline: the dense leaf index is kept, no Merkle nodes stored, no checkpoint. The
    writer's right edge of the tree is still computed in memory (a few hashes per leaf), as the
    writer keeps it between commits."""

    def plan(self, leaves: Sequence[NewLeaf], issued: str, size: int, edge: Any) -> PlannedAppend:
        entries = [
            (size + n, x.stream_id, x.version, x.type, x.recorded, sha256(x.envelope).hexdigest())
            for n, x in enumerate(leaves)
        ]
        nodes = merkle.append_leaves(edge, size, [merkle.leaf_hash(x.envelope) for x in leaves])
        return PlannedAppend(entries, nodes, None, issued, store_nodes=False)


def appends_per_second(folder: Path, count: int, *, tree: bool) -> float:
    registry = fresh_registry(folder)
    if not tree:
        registry.signed_recorder.log = IndexOnlyLog(registry.settings.log_origin, None)
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
        return count / (time.perf_counter() - start)
    finally:
        registry.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=300)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        results = {}
        for size in (args.small, args.large):
            start = time.perf_counter()
            session = build_tree(root / f"tree-{size}.sqlite3", size)
            built = time.perf_counter() - start
            check_a_proof(session, size)
            results[size] = (*time_proofs(session, size), built)
            session.close()
        (root / "on").mkdir()
        (root / "off").mkdir()
        off = appends_per_second(root / "off", args.appends, tree=False)
        on = appends_per_second(root / "on", args.appends, tree=True)
    small, large = results[args.small], results[args.large]
    print("proofs from stored nodes on SQLite (median of 400 random proofs)")
    for size, (inc, con, built) in results.items():
        print(
            f"  {size:>9,} leaves: inclusion {inc * 1e6:7.0f} µs, consistency "
            f"{con * 1e6:7.0f} µs (tree built in {built:.1f} s)"
        )
    print(
        f"  ratio {args.large:,} / {args.small:,}: inclusion {large[0] / small[0]:.2f}x, "
        f"consistency {large[1] / small[1]:.2f}x (log2 ratio "
        f"{_log2(args.large) / _log2(args.small):.2f}x; linear would be "
        f"{args.large / args.small:.0f}x)"
    )
    print(
        f"append, 1 signed event per transaction, {args.appends} events: tree on {on:.1f}/s, "
        f"tree off (leaf index only) {off:.1f}/s, ratio {on / off:.2f}"
    )


def _log2(n: int) -> float:
    return n.bit_length() - 1 + (n / (1 << (n.bit_length() - 1)) - 1)


if __name__ == "__main__":
    main()
