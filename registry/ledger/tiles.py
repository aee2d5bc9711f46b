"""C2SP tlog-tiles: tile paths, hash tiles, entry bundles, and a client that checks every tile.

The tile at level L, index N holds, for i < its width, the Merkle Tree Hash of leaves
`[(N*256 + i) * 256**L, (N*256 + i + 1) * 256**L)`: in the stored tree's terms, node
`(8*L, N*256 + i)`. A full tile is 256 hashes wide; a partial one (path suffix `.p/W`) holds the
first W. Entry bundles are the leaves themselves, each a big-endian uint16 length and the bytes.

`read_log` follows a log through its tiles alone. Every tile it fetches is checked: each full
tile hashes to its place in its parent, every partial tile on the right edge goes into the root,
which must be the checkpoint's, and every hash of a subtree the reader already holds must equal
the one it holds. (Old golang.org/x/mod/sumdb/tlog left up to two tiles unchecked against their
parents; here no fetched tile is trusted before it is tied to the root.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from registry.ledger.errors import LedgerError
from registry.ledger.merkle import (
    HASH_SIZE,
    NodeKey,
    NodeReader,
    _perfect_subtrees,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_LEVEL = 63
MAX_ENTRY_SIZE = 0xFFFF
"""An entry's length is a uint16: no envelope the log holds may be longer."""

_GROUP = r"(?:x\d{3}/)*\d{3}"
_WIDTH = r"(?:\.p/(?P<width>[1-9]\d{0,2}))?"
_PATH = re.compile(
    rf"tile/(?:(?P<level>0|[1-9]\d?)|(?P<entries>entries))/(?P<index>{_GROUP}){_WIDTH}"
)


class TileError(LedgerError, ValueError):
    """A tile path that is not one, or tile bytes that do not verify."""


@dataclass(frozen=True, order=True)
class TileRef:
    """A hash tile (`entries=False`) or an entry bundle (level 0) of a given width."""

    level: int
    index: int
    width: int = TILE_WIDTH
    entries: bool = False

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def path(self) -> str:
        kind = "entries" if self.entries else str(self.level)
        suffix = "" if self.full else f".p/{self.width}"
        return f"tile/{kind}/{format_index(self.index)}{suffix}"

    def node_keys(self) -> list[NodeKey]:
        """The stored-tree nodes this tile's hashes are (level-0 leaf hashes for a bundle)."""
        first = self.index * TILE_WIDTH
        return [(TILE_HEIGHT * self.level, first + i) for i in range(self.width)]

    def covers(self, i: int) -> tuple[int, int]:
        """Leaves `[start, end)` under hash `i` of this tile."""
        span = 1 << (TILE_HEIGHT * self.level)
        start = (self.index * TILE_WIDTH + i) * span
        return start, start + span


def format_index(index: int) -> str:
    """N in 3-digit groups, all but the last prefixed with `x`: 1234067 -> x001/x234/067."""
    if index < 0:
        raise TileError(f"a tile index is not negative, got {index}")
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def parse_path(path: str) -> TileRef:
    """The tile a path (relative to the log prefix) names; TileError if it names none."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise TileError(
            f"{path!r} is not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], "
            "N in 3-digit groups (x001/x234/067)"
        )
    level = 0 if match["entries"] else int(match["level"])
    if level > MAX_LEVEL:
        raise TileError(f"tile level {level} is above {MAX_LEVEL}")
    width = int(match["width"]) if match["width"] else TILE_WIDTH
    if match["width"] and width >= TILE_WIDTH:
        raise TileError(f"a partial tile is 1 to {TILE_WIDTH - 1} wide, not {width}")
    index = int(match["index"].replace("x", "").replace("/", ""))
    return TileRef(level, index, width, entries=bool(match["entries"]))


def tile_width(level: int, index: int, size: int) -> int:
    """How wide tile (level, index) is in a tree of `size` leaves: 0 if it does not exist yet."""
    count = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


def tiles_for(size: int, start: int = 0) -> list[TileRef]:
    """The hash tiles a client reads to check leaves `[start, size)` against the tree's root:
    at each level, from the tile above `start` to the right edge (its partial tile, if any)."""
    found = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        count = size >> (TILE_HEIGHT * level)
        first = start >> (TILE_HEIGHT * (level + 1))
        for index in range(first, (count - 1) // TILE_WIDTH + 1):
            found.append(TileRef(level, index, tile_width(level, index, size)))
        level += 1
    return found


def bundles_for(size: int, start: int = 0) -> list[TileRef]:
    """The entry bundles that hold leaves `[start, size)`."""
    return [
        TileRef(0, tile.index, tile.width, entries=True)
        for tile in tiles_for(size, start)
        if tile.level == 0
    ]


# Bytes -----------------------------------------------------------------------------------------


def encode_hashes(hashes: Sequence[bytes]) -> bytes:
    return b"".join(hashes)


def decode_hashes(data: bytes, tile: TileRef) -> list[bytes]:
    if len(data) != tile.width * HASH_SIZE:
        raise TileError(
            f"{tile.path}: {len(data)} bytes, a tile of {tile.width} hashes has "
            f"{tile.width * HASH_SIZE}"
        )
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise TileError(f"an entry has {len(entry)} bytes; at most {MAX_ENTRY_SIZE} fit")
        parts.append(len(entry).to_bytes(2, "big") + entry)
    return b"".join(parts)


def decode_bundle(data: bytes, tile: TileRef) -> list[bytes]:
    """Exactly `tile.width` length-prefixed entries and nothing after them, or TileError."""
    entries, offset = [], 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise TileError(f"{tile.path}: a length cut short at byte {offset}")
        length = int.from_bytes(data[offset : offset + 2], "big")
        end = offset + 2 + length
        if end > len(data):
            raise TileError(f"{tile.path}: entry {len(entries)} runs past the end of the bundle")
        entries.append(data[offset + 2 : end])
        offset = end
    if len(entries) != tile.width:
        raise TileError(f"{tile.path}: {len(entries)} entries, want {tile.width}")
    return entries


# The client ------------------------------------------------------------------------------------

Fetch = Callable[[str], bytes]
"""Fetch a resource by its path relative to the log prefix (e.g. `tile/0/x001/234`)."""


def read_log(
    fetch: Fetch, size: int, root: bytes, start: int = 0, held: NodeReader | None = None
) -> list[bytes]:
    """The entries `[start, size)` of the log whose checkpoint signs (`size`, `root`), read from
    its tiles and entry bundles alone, each tile checked; TileError on the first that fails.

    `held` gives the nodes of the tree of `start` leaves the reader already verified; every
    fetched hash of a subtree within it must be the one held (else the log rewrote history).
    """
    if not 0 <= start <= size:
        raise TileError(f"cannot read leaves {start} to {size}")
    if start and held is None:
        raise TileError("reading from a later leaf than 0 needs the nodes already held")
    tiles = {tile: decode_hashes(fetch(tile.path), tile) for tile in tiles_for(size, start)}
    check_tiles(tiles, size, root, start, held)
    entries: list[bytes] = []
    for bundle in bundles_for(size, start):
        leaves = tiles[TileRef(0, bundle.index, bundle.width)]
        found = decode_bundle(fetch(bundle.path), bundle)
        for i, (entry, expected) in enumerate(zip(found, leaves, strict=True)):
            if leaf_hash(entry) != expected:
                raise TileError(f"{bundle.path}: entry {i} does not hash to its leaf in tile/0")
        first = bundle.index * TILE_WIDTH
        entries.extend(found[max(0, start - first) :])
    return entries


def check_tiles(
    tiles: dict[TileRef, list[bytes]],
    size: int,
    root: bytes,
    start: int = 0,
    held: NodeReader | None = None,
) -> None:
    """Tie every tile in `tiles` (those of `tiles_for(size, start)`) to `root`, or TileError."""
    expected = tiles_for(size, start)
    if sorted(tiles) != expected:
        missing = sorted(set(expected) - set(tiles))
        raise TileError(f"the tiles given are not those of the tree: missing {missing[:3]}")
    for tile, hashes in tiles.items():
        if held is not None:
            _check_held(tile, hashes, start, held)
        if tile.full:
            above = tile.index // TILE_WIDTH
            parent = tiles[TileRef(tile.level + 1, above, tile_width(tile.level + 1, above, size))]
            if root_from_leaf_hashes(hashes) != parent[tile.index % TILE_WIDTH]:
                raise TileError(f"{tile.path} does not hash to its place in its parent tile")
    computed = _root(tiles, size, held)
    if computed != root:
        raise TileError(
            f"the tiles give root {computed.hex()}, the checkpoint signs {root.hex()} for "
            f"{size} leaves"
        )


def held_keys(size: int, start: int) -> list[NodeKey]:
    """The nodes of the tree of `start` leaves that `read_log(…, start, held)` may read."""
    keys = [
        key
        for tile in tiles_for(size, start)
        for i, key in enumerate(tile.node_keys())
        if tile.covers(i)[1] <= start
    ]
    edge = [(lvl, i) for lvl, i in _perfect_subtrees(0, size) if (i + 1) << lvl <= start]
    return list(dict.fromkeys(keys + edge))


def _check_held(tile: TileRef, hashes: list[bytes], start: int, held: NodeReader) -> None:
    for i, (key, digest) in enumerate(zip(tile.node_keys(), hashes, strict=True)):
        if tile.covers(i)[1] <= start and held.node(*key) != digest:
            raise TileError(
                f"{tile.path}: hash {i} is not the one of the tree of {start} leaves already "
                "held: the log rewrote history"
            )


def _root(tiles: dict[TileRef, list[bytes]], size: int, held: NodeReader | None) -> bytes:
    """Fold the perfect subtrees of `[0, size)`, each from the tile that holds it."""
    by_place = {(tile.level, tile.index): hashes for tile, hashes in tiles.items()}

    def node(level: int, index: int) -> bytes:
        tile_level, height = divmod(level, TILE_HEIGHT)
        first = index << height
        hashes = by_place.get((tile_level, first // TILE_WIDTH))
        if hashes is None:
            if held is None:
                raise TileError(f"no tile holds node {(level, index)} of the tree")
            return held.node(level, index)
        offset = first % TILE_WIDTH
        return root_from_leaf_hashes(hashes[offset : offset + (1 << height)])

    if size == 0:
        return root_from_leaf_hashes([])
    keys = _perfect_subtrees(0, size)
    digest = node(*keys[-1])
    for key in reversed(keys[:-1]):
        digest = node_hash(node(*key), digest)
    return digest
