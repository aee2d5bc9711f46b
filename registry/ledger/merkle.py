"""The log's Merkle tree (RFC 9162 §2.1): hashes, proof checks and a stored incremental tree.

Verification mirrors transparency-dev/merkle `proof/verify.go` case by case, so that every
vector in its `testdata/` behaves here as it does there. The stored tree keeps only perfect
subtrees: `(level, index)` is the hash of leaves `[index * 2**level, (index + 1) * 2**level)`,
level 0 being the leaf hashes. Appending a leaf writes at most log2(n) + 1 nodes, and roots and
proofs fold at most O(log n) stored nodes, so the log is never rehashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from registry.ledger.errors import LedgerError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""`(level, index)` of a perfect subtree."""

Range = tuple[int, int]
"""Leaves `[start, end)`."""


class ProofError(LedgerError, ValueError):
    """A Merkle proof does not prove what it claims."""


class InclusionProofError(ProofError):
    """An inclusion proof is malformed or does not lead to the expected root."""


class ConsistencyProofError(ProofError):
    """A consistency proof is malformed or does not link the two roots."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """The naive MTH of RFC 9162 §2.1.1, for tests and rebuilds."""
    hashes = list(leaf_hashes)

    def mth(start: int, end: int) -> bytes:
        if end - start == 1:
            return bytes(hashes[start])
        mid = start + _split(end - start)
        return node_hash(mth(start, mid), mth(mid, end))

    return mth(0, len(hashes)) if hashes else EMPTY_ROOT


# Verification ---------------------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise InclusionProofError unless `proof` puts `leaf_hash` at `index` under `root`."""
    _check_size("index", index, InclusionProofError)
    _check_size("size", size, InclusionProofError)
    if index >= size:
        raise InclusionProofError(f"index is beyond size: {index} >= {size}")
    if len(leaf_hash) != HASH_SIZE:
        raise InclusionProofError(f"leaf hash has {len(leaf_hash)} bytes, want {HASH_SIZE}")
    inner, border = _decompose_inclusion_proof(index, size)
    if len(proof) != inner + border:
        raise InclusionProofError(f"wrong proof size {len(proof)}, want {inner + border}")
    _check_proof_hashes(proof, InclusionProofError)
    computed = _chain_inner(leaf_hash, proof[:inner], index)
    computed = _chain_border_right(computed, proof[inner:])
    if computed != root:
        raise InclusionProofError(_mismatch("root", computed, root))


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ConsistencyProofError unless `proof` shows tree `size1` is a prefix of `size2`."""
    _check_size("size1", size1, ConsistencyProofError)
    _check_size("size2", size2, ConsistencyProofError)
    if size2 < size1:
        raise ConsistencyProofError(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        raise ConsistencyProofError("consistency proof from empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise ConsistencyProofError("size1 == size2, but proof is not empty")
        computed = root1
    elif not proof:
        raise ConsistencyProofError("empty proof")
    else:
        computed = _root2_from_consistency_proof(size1, size2, root1, proof)
    if computed != root2:
        raise ConsistencyProofError(_mismatch("root2", computed, root2))


def _root2_from_consistency_proof(
    size1: int, size2: int, root1: bytes, proof: Sequence[bytes]
) -> bytes:
    # The proof is the inclusion proof, in tree size2, of the biggest perfect subtree ending at
    # size1; its root leads the proof unless size1 is a power of two, when it is root1 itself.
    inner, border = _decompose_inclusion_proof(size1 - 1, size2)
    shift = _trailing_zeros(size1)
    inner -= shift
    seed, start = (root1, 0) if size1 == 1 << shift else (proof[0], 1)
    if len(proof) != start + inner + border:
        raise ConsistencyProofError(f"wrong proof size {len(proof)}, want {start + inner + border}")
    _check_proof_hashes(proof, ConsistencyProofError)
    path = proof[start:]
    mask = (size1 - 1) >> shift
    computed1 = _chain_inner_right(seed, path[:inner], mask)
    computed1 = _chain_border_right(computed1, path[inner:])
    if computed1 != root1:
        raise ConsistencyProofError(_mismatch("root1", computed1, root1))
    computed2 = _chain_inner(seed, path[:inner], mask)
    return _chain_border_right(computed2, path[inner:])


def _decompose_inclusion_proof(index: int, size: int) -> tuple[int, int]:
    """Lengths of the proof below and above where the paths to `index` and `size - 1` part."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, sibling in enumerate(proof):
        seed = node_hash(seed, sibling) if (index >> i) & 1 == 0 else node_hash(sibling, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    # Only left siblings existed in the older tree, so right siblings are skipped.
    for i, sibling in enumerate(proof):
        if (index >> i) & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def _check_size(name: str, value: int, error: type[ProofError]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise error(f"{name} must be a non-negative integer, got {value!r}")


def _check_proof_hashes(proof: Sequence[bytes], error: type[ProofError]) -> None:
    # Stricter than verify.go, which hashes any length: such an element verifies only by collision.
    for i, element in enumerate(proof):
        if len(element) != HASH_SIZE:
            raise error(f"proof element {i} has {len(element)} bytes, want {HASH_SIZE}")


def _mismatch(what: str, computed: bytes, expected: bytes) -> str:
    return f"calculated {what} {computed.hex()} does not match expected {expected.hex()}"


# Stored tree ----------------------------------------------------------------------------------


class NodeReader(Protocol):
    """Read access to stored perfect-subtree hashes.

    An implementation may also offer `nodes(keys) -> dict[NodeKey, bytes]` to fetch many
    nodes in one round trip (see `read_nodes`); missing nodes are left out of that dict.
    """

    def node(self, level: int, index: int) -> bytes:
        """The hash of perfect subtree `(level, index)`; KeyError if it is not stored."""
        ...


class BatchNodeReader(NodeReader, Protocol):
    def nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]: ...


def read_nodes(reader: NodeReader, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
    """Fetch `keys`, in one batched call when the reader has `nodes`; KeyError if any is missing."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    batch = getattr(reader, "nodes", None)
    if batch is None:
        return {key: reader.node(*key) for key in wanted}
    found = batch(wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        raise KeyError(f"stored tree has no node (level, index) = {missing[0]}")
    return {key: found[key] for key in wanted}


def append_leaf(reader: NodeReader, size: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """The nodes to store when `leaf` (a leaf hash) becomes leaf number `size`."""
    return append_leaves(reader, size, [leaf])


def append_leaves(
    reader: NodeReader, size: int, leaves: Sequence[bytes]
) -> list[tuple[int, int, bytes]]:
    """The nodes to store when `leaves` (leaf hashes) follow the first `size` leaves.

    Returns `(level, index, hash)` for each new leaf and each perfect subtree it completes, in
    order. Of the stored tree it reads only the left siblings the batch completes, all of which
    lie on the tree's right edge, so at most log2(size) + 1 nodes in a single batched read.
    """
    _check_tree_size("size", size)
    for leaf in leaves:
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"leaf hash has {len(leaf)} bytes, want {HASH_SIZE}")
    new_size = size + len(leaves)
    edge = _perfect_subtrees(0, size)
    known = read_nodes(reader, [(lvl, i) for lvl, i in edge if (i + 2) << lvl <= new_size])
    created: list[tuple[int, int, bytes]] = []
    for index, leaf in enumerate(leaves, start=size):
        level, digest = 0, bytes(leaf)
        while True:
            created.append((level, index, digest))
            known[(level, index)] = digest
            if index & 1 == 0:
                break
            digest = node_hash(known[(level, index - 1)], digest)
            level, index = level + 1, index >> 1
    return created


def append_runs(reader: NodeReader, size: int, leaves: Sequence[bytes]) -> dict[int, Run]:
    """`append_leaves`' nodes computed level by level: per level, the index of its first new
    node and the new nodes' hashes in index order (each level's new nodes are one run)."""
    _check_tree_size("size", size)
    for leaf in leaves:
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"leaf hash has {len(leaf)} bytes, want {HASH_SIZE}")
    runs: dict[int, Run] = {}
    if not leaves:
        return runs
    # A level's run starting at an odd index completes its parent with the stored left
    # sibling, on the tree's right edge: all of them in one batched read.
    siblings = [(level, (size >> level) - 1) for level in range(size.bit_length())]
    wanted = [
        (level, index)
        for level, index in siblings
        if index & 1 == 0 and (index + 2) << level <= size + len(leaves)
    ]
    known = read_nodes(reader, wanted)
    level, start, hashes = 0, size, [bytes(leaf) for leaf in leaves]
    while hashes:
        runs[level] = (start, hashes)
        parents = []
        first = 0
        if start & 1:
            parents.append(node_hash(known[(level, start - 1)], hashes[0]))
            first = 1
        pairs = iter(hashes[first:])
        parents.extend(node_hash(left, right) for left, right in zip(pairs, pairs, strict=False))
        level, start, hashes = level + 1, start >> 1, parents
    return runs


Run = tuple[int, list[bytes]]
"""(index of the first node, the hashes of that level's nodes from it on)."""


def root_at(reader: NodeReader, size: int) -> bytes:
    """The root of the tree of the first `size` leaves."""
    _check_tree_size("size", size)
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes(reader, [(0, size)])[0]


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), leaf's sibling first."""
    return _range_hashes(reader, _inclusion_ranges(index, size))


def inclusion_proofs(reader: NodeReader, indexes: Sequence[int], size: int) -> list[list[bytes]]:
    """`inclusion_proof` of each of `indexes` in the same tree, after ONE batched read."""
    ranges = [_inclusion_ranges(index, size) for index in indexes]
    hashes = _range_hashes(reader, [r for proof in ranges for r in proof])
    proofs, start = [], 0
    for proof in ranges:
        proofs.append(hashes[start : start + len(proof)])
        start += len(proof)
    return proofs


def _inclusion_ranges(index: int, size: int) -> list[Range]:
    _check_tree_size("size", size)
    _check_tree_size("index", index)
    if index >= size:
        raise ValueError(f"index {index} is out of range for tree size {size}")
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((start, mid))
            start = mid
    ranges.reverse()
    return ranges


def consistency_proof(reader: NodeReader, size1: int, size2: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true)."""
    _check_tree_size("size1", size1)
    _check_tree_size("size2", size2)
    if not 0 < size1 <= size2:
        raise ValueError(f"consistency proof needs 0 < size1 <= size2, got {size1}, {size2}")
    ranges: list[Range] = []
    start, end, known_prefix, whole_subtree_known = 0, size2, size1, True
    while known_prefix != end - start:
        mid = start + _split(end - start)
        if known_prefix <= mid - start:
            ranges.append((mid, end))
            end = mid
        else:
            ranges.append((start, mid))
            known_prefix -= mid - start
            start = mid
            whole_subtree_known = False
    if not whole_subtree_known:
        ranges.append((start, end))
    ranges.reverse()
    return _range_hashes(reader, ranges)


class MemoryNodeStore:
    """A dict-backed stored tree for tests and offline tools."""

    def __init__(self) -> None:
        self._nodes: dict[NodeKey, bytes] = {}

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Iterable[bytes]) -> MemoryNodeStore:
        store = cls()
        store.extend(0, leaf_hashes)
        return store

    def node(self, level: int, index: int) -> bytes:
        return self._nodes[(level, index)]

    def nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def put(self, level: int, index: int, hash: bytes) -> None:
        existing = self._nodes.get((level, index))
        if existing is not None and existing != hash:
            raise ValueError(f"node {(level, index)} is already stored with another hash")
        self._nodes[(level, index)] = bytes(hash)

    def extend(self, size: int, leaf_hashes: Iterable[bytes]) -> int:
        """Append leaf hashes to a tree of `size` leaves; returns the new size."""
        leaves = list(leaf_hashes)
        for level, index, digest in append_leaves(self, size, leaves):
            self.put(level, index, digest)
        return size + len(leaves)

    def __len__(self) -> int:
        return len(self._nodes)


def _range_hashes(reader: NodeReader, ranges: Sequence[Range]) -> list[bytes]:
    """MTH of each leaf range, folded from its perfect parts after one batched read."""
    parts = [_perfect_subtrees(start, end) for start, end in ranges]
    stored = read_nodes(reader, (key for keys in parts for key in keys))
    hashes = []
    for keys in parts:
        digest = stored[keys[-1]]
        for key in reversed(keys[:-1]):
            digest = node_hash(stored[key], digest)
        hashes.append(digest)
    return hashes


def _perfect_subtrees(start: int, end: int) -> list[NodeKey]:
    """Split `[start, end)` into maximal aligned perfect subtrees, left to right.

    For the ranges RFC 9162 hashes (start aligned to a power of two at least end - start), the
    parts shrink left to right, and folding them from the right gives the range's MTH.
    """
    keys = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, _trailing_zeros(start))
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def _trailing_zeros(n: int) -> int:
    return (n & -n).bit_length() - 1


def _check_tree_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
