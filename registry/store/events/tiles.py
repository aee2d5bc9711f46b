"""The log's tiles (C2SP tlog-tiles), read from the stored Merkle nodes: nothing is rehashed.

A full tile exists once the latest checkpoint covers it. A partial tile of width W exists when a
checkpoint was issued for a size that needs it (`floor(size / 256**L) = N*256 + W`): it is kept
after the full tile exists too, since its bytes never change and a client holding that older
checkpoint may still ask for it. Any other path, partial or beyond the tree, is not found.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.ledger.tiles import TILE_HEIGHT, TILE_WIDTH, TileRef
from registry.store.errors import StoreError
from registry.store.events.tables import checkpoints, log_entries, merkle_nodes


class TileNotFound(StoreError):
    """No checkpoint issued so far makes this tile exist."""


def check_exists(session: Session, tile: TileRef) -> None:
    """Raise TileNotFound unless an issued checkpoint needs `tile` (at its width)."""
    shift = TILE_HEIGHT * tile.level
    count = tile.index * TILE_WIDTH + tile.width  # hashes at this level the tile ends at
    low, high = count << shift, (count + 1) << shift
    if tile.full:
        latest = session.execute(select(func.max(checkpoints.c.size))).scalar() or 0
        found = latest >= low
    else:
        found = (
            session.execute(
                select(checkpoints.c.size)
                .where(checkpoints.c.size >= low, checkpoints.c.size < high)
                .limit(1)
            ).first()
            is not None
        )
    if not found:
        what = "full" if tile.full else f"{tile.width} wide"
        raise TileNotFound(
            f"{tile.path}: no checkpoint was issued for a tree in which this tile is {what}"
        )


def tile_hashes(session: Session, tile: TileRef) -> list[bytes]:
    """The hashes of hash tile `tile` (or of level-0 tile for a bundle), in one range read."""
    check_exists(session, tile)
    keys = tile.node_keys()
    level, first, last = keys[0][0], keys[0][1], keys[-1][1]
    rows = session.execute(
        select(merkle_nodes.c.idx, merkle_nodes.c.hash)
        .where(merkle_nodes.c.level == level, merkle_nodes.c.idx.between(first, last))
        .order_by(merkle_nodes.c.idx)
    ).all()
    if [row.idx for row in rows] != [key[1] for key in keys]:
        raise RuntimeError(f"{tile.path}: the stored tree lacks nodes a checkpoint covers")
    return [bytes(row.hash) for row in rows]


def bundle_notifications(session: Session, bundle: TileRef) -> list[int]:
    """The event store's notification ids of the leaves of entry bundle `bundle`, in order."""
    check_exists(session, bundle)
    first = bundle.index * TILE_WIDTH
    ids = session.execute(
        select(log_entries.c.notification_id)
        .where(log_entries.c.leaf_index.between(first, first + bundle.width - 1))
        .order_by(log_entries.c.leaf_index)
    ).scalars()
    found = [int(i) for i in ids]
    if len(found) != bundle.width:
        raise RuntimeError(f"{bundle.path}: the log index lacks leaves a checkpoint covers")
    return found
