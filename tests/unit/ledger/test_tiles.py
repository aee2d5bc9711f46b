"""C2SP tlog-tiles: paths pinned to the spec's examples and Tessera's path vectors, bundles, and
a tile client that reaches the checkpoint's root and refuses every single altered tile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.ledger.merkle import MemoryNodeStore, leaf_hash, root_at, root_from_leaf_hashes
from registry.ledger.tiles import (
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    TileError,
    TileRef,
    bundles_for,
    decode_bundle,
    encode_bundle,
    encode_hashes,
    format_index,
    held_keys,
    parse_path,
    read_log,
    tile_width,
    tiles_for,
)
from tests.unit.ledger.vectors import load_document

PATHS = load_document("tlog_tiles_paths")


def _size(value: Any) -> int:
    return PATHS["max_uint64"] if value == "max_uint64" else int(value)


# Paths -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PATHS["tile_path"], ids=lambda c: c["path"])
def test_tile_paths_are_tesseras(case: dict[str, Any]) -> None:
    width = tile_width(case["level"], case["index"], _size(case["log_size"]))
    tile = TileRef(case["level"], case["index"], width or TILE_WIDTH)
    assert tile.path == case["path"]
    assert parse_path(case["path"]) == tile


@pytest.mark.parametrize("case", PATHS["entries_path"], ids=lambda c: c["path"])
def test_entry_bundle_paths_are_tesseras(case: dict[str, Any]) -> None:
    # Tessera's vectors take the width of a bundle not yet full as the log size mod 256.
    size = _size(case["log_size"])
    full = size >= (case["index"] + 1) * TILE_WIDTH
    width = TILE_WIDTH if full else size % TILE_WIDTH
    bundle = TileRef(0, case["index"], width, entries=True)
    assert bundle.path == case["path"]
    assert parse_path(case["path"]) == bundle


@pytest.mark.parametrize("case", PATHS["entries_path_for_log_index"], ids=lambda c: c["path"])
def test_the_bundle_of_a_leaf_is_tesseras(case: dict[str, Any]) -> None:
    (bundle,) = bundles_for(case["log_size"], case["seq"])[:1]
    assert bundle.index == case["seq"] // TILE_WIDTH
    assert bundle.path == case["path"]


@pytest.mark.parametrize("case", PATHS["parse"], ids=lambda c: f"{c['level']}/{c['index']}")
def test_tile_paths_parse_as_tessera_parses_them(case: dict[str, Any]) -> None:
    path = f"tile/{case['level']}/{case['index']}"
    if case.get("error"):
        with pytest.raises(TileError):
            parse_path(path)
    else:
        tile = parse_path(path)
        assert [tile.level, tile.index, tile.width] == case["want"]


@pytest.mark.parametrize("path", PATHS["not_in_spec_grammar"])
def test_paths_outside_the_spec_grammar_are_refused(path: str) -> None:
    with pytest.raises(TileError):
        parse_path(path)


def test_the_spec_encodes_1234067_as_three_groups() -> None:
    example = PATHS["spec_examples"]["index_encoding"]
    assert format_index(example["index"]) == example["encoded"]
    assert format_index(0) == "000" and format_index(1000) == "x001/000"


@pytest.mark.parametrize("name", ["tree_70000", "tree_256"])
def test_the_spec_examples_of_which_tiles_a_tree_has(name: str) -> None:
    example = PATHS["spec_examples"][name]
    tiles = tiles_for(example["size"])
    full: dict[str, int] = {}
    partial: dict[str, int] = {}
    for tile in tiles:
        if tile.full:
            full[str(tile.level)] = full.get(str(tile.level), 0) + 1
        else:
            assert str(tile.level) not in partial  # one partial tile per level at most
            partial[str(tile.level)] = tile.width
    assert full == example["full"] and partial == example["partial"]


# Bundles -----------------------------------------------------------------------------------------


def test_an_entry_bundle_is_uint16_big_endian_lengths_and_the_bytes() -> None:
    bundle = TileRef(0, 0, 3, entries=True)
    data = encode_bundle([b"", b"a", b"x" * 300])
    assert data == b"\x00\x00" + b"\x00\x01a" + b"\x01\x2c" + b"x" * 300
    assert decode_bundle(data, bundle) == [b"", b"a", b"x" * 300]
    assert encode_bundle([b"y" * MAX_ENTRY_SIZE])[:2] == b"\xff\xff"
    with pytest.raises(TileError, match="at most 65535"):
        encode_bundle([b"y" * (MAX_ENTRY_SIZE + 1)])


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01a\x00", b"\x00\x05abc", b"\x00\x01a\x00\x01b\x00\x01c", b"\x00\x01a", b""],
    ids=["cut-length", "cut-entry", "too-many", "too-few", "empty"],
)
def test_a_malformed_bundle_is_refused(data: bytes) -> None:
    with pytest.raises(TileError):
        decode_bundle(data, TileRef(0, 0, 2, entries=True))


# The client --------------------------------------------------------------------------------------


def entries_of(size: int, salt: bytes = b"") -> list[bytes]:
    return [salt + f"entry {i}".encode() for i in range(size)]


def serve(entries: list[bytes], size: int) -> dict[str, bytes]:
    """Every tile and bundle a log of these entries serves at `size`, from its stored nodes."""
    store = MemoryNodeStore.from_leaf_hashes(leaf_hash(e) for e in entries[:size])
    files = {}
    for tile in tiles_for(size):
        files[tile.path] = encode_hashes([store.node(*key) for key in tile.node_keys()])
    for bundle in bundles_for(size):
        first = bundle.index * TILE_WIDTH
        files[bundle.path] = encode_bundle(entries[first : first + bundle.width])
    return files


def test_a_client_reading_only_tiles_reaches_the_root_of_a_70000_leaf_tree() -> None:
    entries = entries_of(70000)
    files = serve(entries, 70000)
    root = root_from_leaf_hashes([leaf_hash(e) for e in entries])
    assert read_log(files.__getitem__, 70000, root) == entries
    assert "tile/2/000.p/1" in files and "tile/1/001.p/17" in files


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 1400), st.data())
def test_tiles_of_random_trees_give_their_root_and_every_partial_width(
    size: int, data: st.DataObject
) -> None:
    entries = entries_of(size)
    store = MemoryNodeStore.from_leaf_hashes(leaf_hash(e) for e in entries)
    root = root_at(store, size)
    files = serve(entries, size)
    for tile in tiles_for(size):
        assert tile.width == (size >> (8 * tile.level)) - tile.index * TILE_WIDTH or tile.full
        if not tile.full:
            assert tile.width == (size // 256**tile.level) % 256
    assert read_log(files.__getitem__, size, root) == entries
    start = data.draw(st.integers(0, size))
    held = MemoryNodeStore.from_leaf_hashes(leaf_hash(e) for e in entries[:start])
    later = read_log(files.__getitem__, size, root, start=start, held=held if start else None)
    assert later == entries[start:]


def alterations(data: bytes, width: int) -> list[tuple[str, bytes]]:
    """Every way a server might serve a tile wrong: a byte flipped in turn every 31 bytes (so
    in every hash, at a different place in each), a byte dropped or appended, a hash missing
    or extra, nothing."""
    changed = [
        (f"byte {i} flipped", data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :])
        for i in [*range(0, len(data), 31), len(data) - 1]
    ]
    changed += [
        ("last byte dropped", data[:-1]),
        ("a byte appended", data + b"\x00"),
        ("one hash short", data[:-32]),
        ("one hash extra", data + data[-32:]),
        ("empty", b""),
    ]
    return changed


def refuses(fetch: Callable[[str], bytes], size: int, root: bytes, **options: Any) -> bool:
    try:
        read_log(fetch, size, root, **options)
    except TileError:
        return True
    return False


@pytest.mark.parametrize("start", [0, 300], ids=["from-empty", "from-300-held"])
def test_the_client_refuses_every_single_altered_tile(start: int) -> None:
    size = 700  # level 0: 000, 001, 002.p/188; level 1: 000.p/2; bundles likewise
    entries = entries_of(size)
    files = serve(entries, size)
    root = root_from_leaf_hashes([leaf_hash(e) for e in entries])
    held = MemoryNodeStore.from_leaf_hashes(leaf_hash(e) for e in entries[:start])
    options: dict[str, Any] = {"start": start, "held": held if start else None}
    fetched: list[str] = []

    def recording(path: str) -> bytes:
        fetched.append(path)
        return files[path]

    assert read_log(recording, size, root, **options) == entries[start:]
    assert fetched  # and each of them, altered in every way, is refused:
    for path in fetched:
        for what, altered in alterations(files[path], parse_path(path).width):
            served = {**files, path: altered}
            assert refuses(served.__getitem__, size, root, **options), (path, what)


def test_a_tile_of_another_history_is_refused_against_the_nodes_held() -> None:
    entries = entries_of(600)
    other = entries_of(300, salt=b"forged ") + entries[300:]
    files = serve(other, 600)  # the forger serves a tree of its own, consistent in itself
    root = root_from_leaf_hashes([leaf_hash(e) for e in other])
    held = MemoryNodeStore.from_leaf_hashes(leaf_hash(e) for e in entries[:300])
    with pytest.raises(TileError, match="rewrote history"):
        read_log(files.__getitem__, 600, root, start=300, held=held)
    assert set(held_keys(600, 300)) <= {(lvl, i) for lvl, i in _all_keys(held)}


def _all_keys(store: MemoryNodeStore) -> list[tuple[int, int]]:
    return list(store._nodes)


def test_a_wrong_width_is_refused_even_when_its_hashes_are_right() -> None:
    entries = entries_of(300)
    files = serve(entries, 300)
    root = root_from_leaf_hashes([leaf_hash(e) for e in entries])
    bigger = serve(entries_of(301), 301)
    served = {**files, "tile/0/001.p/44": bigger["tile/0/001.p/45"]}
    assert refuses(served.__getitem__, 300, root)
