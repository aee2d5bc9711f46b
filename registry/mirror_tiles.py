"""The tile client of `registry mirror --tiles`: a log read through its C2SP tiles alone.

The source is the log's prefix (e.g. `https://registry.example.org/api/v1/log`, or a static
file host or CDN holding a copy of `checkpoint` and `tile/…`): no API, no /api/v1/keys. The
pinned log key checks the checkpoint. Every hash tile is fetched first and tied to the
checkpoint's root, and every hash of the part already mirrored to the nodes held here
(`registry.ledger.tiles.check_tiles`: a log that rewrote history is refused before anything is
stored). The entry bundles are then read one at a time as the mirror takes its chunks, each
entry checked against its leaf hash in tile/0, so memory holds the leaf hashes (32 bytes an
entry) and one chunk of envelopes, not the whole log. The envelopes then go through the
mirror's usual checks and into the store a chunk per transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from registry.ledger.checkpoint import Checkpoint
from registry.ledger.merkle import HASH_SIZE, MemoryNodeStore, leaf_hash
from registry.ledger.tiles import (
    TILE_WIDTH,
    TileError,
    bundles_for,
    check_tiles,
    decode_bundle,
    decode_hashes,
    held_keys,
    tiles_for,
)
from registry.store.public import Registry

if TYPE_CHECKING:
    from registry.mirror import Source


def envelopes_from_tiles(
    registry: Registry, source: Source, before: int, remote: Checkpoint
) -> Iterator[bytes]:
    """Leaves `[before, remote.size)` from the tiles, verified. TileError at once if a hash
    tile fails; the leaves are then yielded bundle by bundle, TileError at the first entry
    that is not its leaf."""
    size = remote.size
    if not 0 <= before <= size:
        raise TileError(f"cannot read leaves {before} to {size}")
    held = MemoryNodeStore()
    keys = held_keys(size, before)
    if keys:
        for (level, index), digest in registry.held_nodes(keys).items():
            held.put(level, index, digest)

    def fetch(path: str) -> bytes:
        return source.get(f"/{path}")

    tiles = {tile: decode_hashes(fetch(tile.path), tile) for tile in tiles_for(size, before)}
    check_tiles(tiles, size, remote.root_hash, before, held if before else None)
    # 32 bytes a leaf, as the tiles hold them (a list of bytes objects is about 100)
    leaves = {tile.index: b"".join(hashes) for tile, hashes in tiles.items() if tile.level == 0}
    del tiles
    return _entries(fetch, leaves, size, before)


def _entries(
    fetch: Callable[[str], bytes], leaves: dict[int, bytes], size: int, start: int
) -> Iterator[bytes]:
    for bundle in bundles_for(size, start):
        expected = leaves.pop(bundle.index)  # held no longer than its bundle needs it
        found = decode_bundle(fetch(bundle.path), bundle)
        for i, entry in enumerate(found):
            if leaf_hash(entry) != expected[i * HASH_SIZE : (i + 1) * HASH_SIZE]:
                raise TileError(f"{bundle.path}: entry {i} does not hash to its leaf in tile/0")
        yield from found[max(0, start - bundle.index * TILE_WIDTH) :]
