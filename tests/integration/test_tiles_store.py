"""The store's tiles, property-tested: for random trees appended in random batches (a checkpoint
issued after each, as the recorder does), the tiles read from the stored nodes reproduce the
stored root of every checkpoint, every partial tile width a checkpoint needs is served (and
no other), and a client reading only tiles reaches each checkpoint's root.

Runs on the real node, leaf-index and checkpoint tables in SQLite (and PostgreSQL where set).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from registry.ledger.keys import SigningKey
from registry.ledger.merkle import leaf_hash, root_from_leaf_hashes
from registry.ledger.tiles import (
    TILE_WIDTH,
    TileRef,
    bundles_for,
    encode_bundle,
    encode_hashes,
    read_log,
    tiles_for,
)
from registry.store.events.log import NewLeaf, TransparencyLog
from registry.store.events.tables import checkpoints, log_entries, merkle_nodes, metadata
from registry.store.events.tiles import TileNotFound, check_exists, tile_hashes

KEY = SigningKey.generate()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else "sqlite://"
    made = create_engine(url)
    metadata.create_all(made, tables=[log_entries, merkle_nodes, checkpoints])
    yield made
    made.dispose()


def leaves(count: int, start: int) -> list[NewLeaf]:
    return [
        NewLeaf(i + 1, "0" * 36, i + 1, "Drafted", f"{i:027d}", hashlib.sha256(b"%d" % i).digest())
        for i in range(start, start + count)
    ]


def hash_tile(session: Session, tile: TileRef) -> bytes:
    return encode_hashes(tile_hashes(session, tile))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(1, 180), min_size=1, max_size=5))
def test_the_stored_tiles_of_random_trees_give_every_checkpoints_root(
    engine: Engine, batches: list[int]
) -> None:
    log = TransparencyLog("test.example/api/v1/log", KEY)
    with Session(engine) as session, session.begin():
        for table in (log_entries, merkle_nodes, checkpoints):
            session.execute(delete(table))
        size, sizes, envelopes = 0, [], []
        for count in batches:
            batch = leaves(count, size)
            issued = log.append(session, batch, issued=f"{size:027d}")
            envelopes += [leaf.envelope for leaf in batch]
            size += count
            sizes.append(size)
            assert issued.root_hash == root_from_leaf_hashes([leaf_hash(e) for e in envelopes])
        for checkpoint_size in sizes:
            root = TransparencyLog.root_at(session, checkpoint_size)
            for tile in tiles_for(checkpoint_size):
                check_exists(session, tile)  # served: this checkpoint needs it
                if not tile.full:
                    assert tile.width == (checkpoint_size // 256**tile.level) % 256
            hashes_only = {t.path: hash_tile(session, t) for t in tiles_for(checkpoint_size)}
            bundles = {
                b.path: encode_bundle(envelopes[b.index * TILE_WIDTH :][: b.width])
                for b in bundles_for(checkpoint_size)
            }
            got = read_log({**hashes_only, **bundles}.__getitem__, checkpoint_size, root)
            assert got == envelopes[:checkpoint_size]
        for width in range(1, TILE_WIDTH):  # a partial width no checkpoint needs is not served
            tile = TileRef(0, size // TILE_WIDTH, width)
            needed = any(s // TILE_WIDTH == tile.index and s % TILE_WIDTH == width for s in sizes)
            if not needed:
                with pytest.raises(TileNotFound):
                    check_exists(session, tile)
        with pytest.raises(TileNotFound):
            check_exists(session, TileRef(0, size // TILE_WIDTH + 1, TILE_WIDTH))
