"""The stored tree against the naive reference tree, for random trees and random mutations."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.ledger.merkle import (
    ConsistencyProofError,
    InclusionProofError,
    MemoryNodeStore,
    NodeKey,
    append_leaf,
    append_leaves,
    consistency_proof,
    inclusion_proof,
    inclusion_proofs,
    leaf_hash,
    root_at,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

MAX_LEAVES = 300


def make_leaves(size: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(size)]


@st.composite
def stored_trees(
    draw: st.DrawFn, max_leaves: int = MAX_LEAVES
) -> tuple[list[bytes], MemoryNodeStore]:
    """Leaves and a store built from them in random batches, as the log would append them."""
    leaves = make_leaves(draw(st.integers(1, max_leaves)), draw(st.binary(max_size=4)))
    store, size = MemoryNodeStore(), 0
    while size < len(leaves):
        size = store.extend(size, leaves[size : size + draw(st.integers(1, 40))])
    return leaves, store


@st.composite
def inclusion_cases(draw: st.DrawFn) -> tuple[bytes, int, int, list[bytes], bytes, list[bytes]]:
    leaves, store = draw(stored_trees())
    size = draw(st.integers(1, len(leaves)))
    index = draw(st.integers(0, size - 1))
    proof = inclusion_proof(store, index, size)
    return leaves[index], index, size, proof, root_from_leaf_hashes(leaves[:size]), leaves


@st.composite
def consistency_cases(draw: st.DrawFn) -> tuple[int, int, bytes, bytes, list[bytes], list[bytes]]:
    leaves, store = draw(stored_trees())
    size2 = draw(st.integers(1, len(leaves)))
    size1 = draw(st.integers(1, size2))
    proof = consistency_proof(store, size1, size2)
    root1, root2 = root_from_leaf_hashes(leaves[:size1]), root_from_leaf_hashes(leaves[:size2])
    return size1, size2, root1, root2, proof, leaves


def flip_bit(proof: Sequence[bytes], element: int, bit: int) -> list[bytes]:
    mutated = list(proof)
    flipped = bytearray(mutated[element])
    flipped[bit // 8] ^= 1 << (bit % 8)
    mutated[element] = bytes(flipped)
    return mutated


# Roots and appends --------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(stored_trees(max_leaves=200))
def test_stored_tree_root_equals_naive_root_at_every_size(tree: tuple) -> None:
    leaves, store = tree
    for size in range(len(leaves) + 1):
        assert root_at(store, size) == root_from_leaf_hashes(leaves[:size]), size


@settings(deadline=None)
@given(st.integers(0, MAX_LEAVES), st.lists(st.integers(1, 50), min_size=1, max_size=8))
def test_batched_appends_create_the_same_nodes_as_single_appends(size: int, batches: list) -> None:
    leaves = make_leaves(size + sum(batches))
    one_by_one, created_per_leaf = MemoryNodeStore(), []
    for index, leaf in enumerate(leaves):
        created_per_leaf.append(append_leaf(one_by_one, index, leaf))
        for level, node_index, digest in created_per_leaf[-1]:
            one_by_one.put(level, node_index, digest)
    batched, created_in_batches = MemoryNodeStore.from_leaf_hashes(leaves[:size]), []
    for batch in batches:
        created_in_batches += append_leaves(batched, size, leaves[size : size + batch])
        size = batched.extend(size, leaves[size : size + batch])
    assert created_in_batches == [
        node for nodes in created_per_leaf[-sum(batches) :] for node in nodes
    ]
    assert len(batched) == len(one_by_one)


def test_memory_store_refuses_to_overwrite_a_node_with_another_hash() -> None:
    store = MemoryNodeStore.from_leaf_hashes(make_leaves(2))
    store.put(1, 0, store.node(1, 0))
    with pytest.raises(ValueError):
        store.put(1, 0, bytes(32))


@given(st.integers(0, 2**40))
def test_append_leaf_reads_only_the_left_siblings_it_completes(size: int) -> None:
    reader = SyntheticReader(size)
    created = append_leaf(reader, size, bytes(32))
    trailing_ones = (~size & (size + 1)).bit_length() - 1
    assert len(reader.reads) == trailing_ones
    assert len(created) == trailing_ones + 1


# Proofs verify ------------------------------------------------------------------------------


class CountingStore(MemoryNodeStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        self.reads += 1
        return super().nodes(keys)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, MAX_LEAVES), data=st.data())
def test_a_streams_proofs_are_each_proof_after_one_read(size: int, data: st.DataObject) -> None:
    indexes = data.draw(st.lists(st.integers(0, size - 1), max_size=20))
    store = CountingStore()
    for index, leaf in enumerate(make_leaves(size)):
        for level, idx, digest in append_leaf(store, index, leaf):
            store.put(level, idx, digest)
    expected = [inclusion_proof(store, index, size) for index in indexes]
    store.reads = 0
    assert inclusion_proofs(store, indexes, size) == expected
    assert store.reads <= 1  # none when no proof needs a node (a one-leaf tree)


@pytest.mark.parametrize("size", range(1, 33))
def test_every_proof_from_a_small_stored_tree_verifies(size: int) -> None:
    leaves = make_leaves(size)
    store = MemoryNodeStore.from_leaf_hashes(leaves)
    roots = [root_from_leaf_hashes(leaves[:n]) for n in range(size + 1)]
    for index in range(size):
        verify_inclusion(
            leaves[index], index, size, inclusion_proof(store, index, size), roots[size]
        )
    for size1 in range(1, size + 1):
        proof = consistency_proof(store, size1, size)
        verify_consistency(size1, size, roots[size1], roots[size], proof)


@settings(deadline=None)
@given(inclusion_cases())
def test_generated_inclusion_proof_verifies(case: tuple) -> None:
    leaf, index, size, proof, root, _ = case
    verify_inclusion(leaf, index, size, proof, root)


@settings(deadline=None)
@given(consistency_cases())
def test_generated_consistency_proof_verifies(case: tuple) -> None:
    size1, size2, root1, root2, proof, _ = case
    verify_consistency(size1, size2, root1, root2, proof)


# Any single mutation is rejected --------------------------------------------------------------


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_with_flipped_bit_is_rejected(case: tuple, data: st.DataObject) -> None:
    leaf, index, size, proof, root, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, flip_bit(proof, element, bit), root)


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_with_dropped_element_is_rejected(case: tuple, data: st.DataObject) -> None:
    leaf, index, size, proof, root, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, proof[:element] + proof[element + 1 :], root)


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_with_inserted_element_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    leaf, index, size, proof, root, _ = case
    position = data.draw(st.integers(0, len(proof)))
    extra = data.draw(st.binary(min_size=32, max_size=32) | st.sampled_from([leaf, root]))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, [*proof[:position], extra, *proof[position:]], root)


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_with_duplicated_element_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    leaf, index, size, proof, root, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, [*proof[: element + 1], *proof[element:]], root)


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_for_another_index_is_rejected(case: tuple, data: st.DataObject) -> None:
    leaf, index, size, proof, root, _ = case
    other = data.draw(st.integers(0, 2 * size).filter(lambda i: i != index))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, other, size, proof, root)


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_does_not_prove_inclusion_in_another_tree_size(
    case: tuple, data: st.DataObject
) -> None:
    leaf, index, size, proof, _, leaves = case
    other_sizes = [other for other in range(index + 1, len(leaves) + 1) if other != size]
    if not other_sizes:
        return
    other = data.draw(st.sampled_from(other_sizes))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, other, proof, root_from_leaf_hashes(leaves[:other]))


@settings(deadline=None)
@given(inclusion_cases(), st.data())
def test_inclusion_proof_with_changed_root_or_leaf_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    leaf, index, size, proof, root, _ = case
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, proof, flip_bit([root], 0, bit)[0])
    with pytest.raises(InclusionProofError):
        verify_inclusion(flip_bit([leaf], 0, bit)[0], index, size, proof, root)


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_with_flipped_bit_is_rejected(case: tuple, data: st.DataObject) -> None:
    size1, size2, root1, root2, proof, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, root1, root2, flip_bit(proof, element, bit))


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_with_dropped_element_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    size1, size2, root1, root2, proof, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, root1, root2, proof[:element] + proof[element + 1 :])


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_with_inserted_element_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    size1, size2, root1, root2, proof, _ = case
    position = data.draw(st.integers(0, len(proof)))
    extra = data.draw(st.binary(min_size=32, max_size=32) | st.sampled_from([root1, root2]))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(
            size1, size2, root1, root2, [*proof[:position], extra, *proof[position:]]
        )


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_with_duplicated_element_is_rejected(
    case: tuple, data: st.DataObject
) -> None:
    size1, size2, root1, root2, proof, _ = case
    if not proof:
        return
    element = data.draw(st.integers(0, len(proof) - 1))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, root1, root2, [*proof[: element + 1], *proof[element:]])


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_from_another_size1_is_rejected(case: tuple, data: st.DataObject) -> None:
    size1, size2, _, root2, proof, leaves = case
    other = data.draw(st.integers(0, size2 + 1).filter(lambda s: s != size1))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(other, size2, root_from_leaf_hashes(leaves[:other]), root2, proof)


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_to_another_size2_is_rejected(case: tuple, data: st.DataObject) -> None:
    size1, size2, root1, _, proof, leaves = case
    other = data.draw(st.integers(0, len(leaves)).filter(lambda s: s != size2))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, other, root1, root_from_leaf_hashes(leaves[:other]), proof)


@settings(deadline=None)
@given(consistency_cases(), st.data())
def test_consistency_proof_with_changed_root_is_rejected(case: tuple, data: st.DataObject) -> None:
    size1, size2, root1, root2, proof, _ = case
    bit = data.draw(st.integers(0, 255))
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, flip_bit([root1], 0, bit)[0], root2, proof)
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, root1, flip_bit([root2], 0, bit)[0], proof)


# Reads stay logarithmic -----------------------------------------------------------------------


class SyntheticReader:
    """Answers for any complete subtree of a tree of `size` leaves, counting reads.

    Hashes are made up, so proofs are meaningless, but reads of huge trees can be counted
    without storing them; a read outside the tree fails the test.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.reads: list[NodeKey] = []

    def node(self, level: int, index: int) -> bytes:
        assert level >= 0 and (index + 1) << level <= self.size, f"no node {(level, index)}"
        self.reads.append((level, index))
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


class BatchSyntheticReader(SyntheticReader):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.queries = 0

    def nodes(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        self.queries += 1
        return {key: self.node(*key) for key in keys}


def read_bound(size: int) -> int:
    return 2 * math.ceil(math.log2(size)) + 2 if size > 1 else 2


@given(st.integers(1, 2**48), st.data())
def test_inclusion_proof_reads_grow_like_log2_of_tree_size(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    reader = SyntheticReader(size)
    inclusion_proof(reader, index, size)
    assert len(reader.reads) <= read_bound(size)


@given(st.integers(1, 2**48), st.data())
def test_consistency_proof_reads_grow_like_log2_of_tree_size(
    size: int, data: st.DataObject
) -> None:
    size1 = data.draw(st.integers(1, size))
    reader = SyntheticReader(size)
    consistency_proof(reader, size1, size)
    assert len(reader.reads) <= read_bound(size)


@given(st.integers(1, 2**48))
def test_root_reads_one_node_per_set_bit_of_the_size(size: int) -> None:
    reader = SyntheticReader(size)
    root_at(reader, size)
    assert len(reader.reads) == size.bit_count()


@given(st.integers(2, 2**48), st.data())
def test_a_batching_reader_serves_each_read_in_one_query(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1))
    size1 = data.draw(st.integers(1, size))
    for build in (
        lambda reader: inclusion_proof(reader, index, size),
        lambda reader: consistency_proof(reader, size1, size),
        lambda reader: root_at(reader, size),
        lambda reader: append_leaves(reader, size, [bytes(32)] * 3),
    ):
        reader = BatchSyntheticReader(size)
        build(reader)
        assert reader.queries <= 1
