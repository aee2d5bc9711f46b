"""The tile client of `registry mirror --tiles`: a log read through its C2SP tiles alone.

The source is the log's prefix (e.g. `https://registry.example.org/api/v1/log`, or a static
file host or CDN holding a copy of `checkpoint` and `tile/…`): no API, no /api/v1/keys. The
pinned log key checks the checkpoint; `registry.ledger.tiles.read_log` ties every tile to the
checkpoint's root and every hash of the part already mirrored to the nodes held here (a log
that rewrote history is refused), and checks each entry against its leaf hash. The envelopes
then go through the mirror's usual checks and into the store in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.ledger.checkpoint import Checkpoint
from registry.ledger.merkle import MemoryNodeStore
from registry.ledger.tiles import held_keys, read_log
from registry.store.public import Registry, held_nodes

if TYPE_CHECKING:
    from registry.mirror import Source


def envelopes_from_tiles(
    registry: Registry, source: Source, before: int, remote: Checkpoint
) -> list[bytes]:
    """Leaves `[before, remote.size)` from the tiles, verified; TileError if any tile fails."""
    held = MemoryNodeStore()
    keys = held_keys(remote.size, before)
    if keys:
        for (level, index), digest in held_nodes(registry, keys).items():
            held.put(level, index, digest)
    return read_log(
        lambda path: source.get(f"/{path}"),
        remote.size,
        remote.root_hash,
        start=before,
        held=held if before else None,
    )
