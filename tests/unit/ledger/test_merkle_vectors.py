"""The Merkle tree against published vectors.

* `tests/vectors/merkle/` (or `$REGISTRY_VECTORS_DIR`): transparency-dev/merkle `testdata/`,
  one case per file, checked in from the workplace's published vectors (`../shared/vectors/`)
  so that a clone anywhere runs them; every `wantErr` case must be rejected.
* `tests/vectors/rfc6962_roots.json`: roots, node hashes and proofs over the standard test
  leaves, and the subtree vector digests, copied from transparency-dev/merkle.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from registry.ledger.merkle import (
    EMPTY_ROOT,
    ConsistencyProofError,
    InclusionProofError,
    MemoryNodeStore,
    NodeReader,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_at,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE = json.loads((REPO_ROOT / "tests" / "vectors" / "rfc6962_roots.json").read_text())
KINDS = ("inclusion", "consistency")


def vectors_dir() -> Path:
    """`$REGISTRY_VECTORS_DIR` (the merkle folder or its parent), else tests/vectors/merkle."""
    configured = os.environ.get("REGISTRY_VECTORS_DIR")
    if not configured:
        return REPO_ROOT / "tests" / "vectors" / "merkle"
    path = Path(configured)
    return path / "merkle" if (path / "merkle").is_dir() else path


def vector_cases(want_err: bool) -> list[Any]:
    root = vectors_dir()
    files = sorted(root.rglob("*.json")) if root.is_dir() else []
    cases = []
    for path in files:
        vector = json.loads(path.read_text())
        if vector["wantErr"] is want_err:
            case_id = path.relative_to(root).with_suffix("").as_posix()
            cases.append(pytest.param(case_id, vector, id=case_id))
    # An empty parameter list would be skipped; a missing folder must fail instead.
    return cases or [pytest.param(None, None, id=f"no-vectors-in-{root}")]


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def check_vector(case_id: str | None, vector: dict[str, Any] | None) -> None:
    if case_id is None or vector is None:
        pytest.fail(f"no merkle test vectors found under {vectors_dir()}")
    kind = case_id.split("/")[0]
    assert kind in KINDS, f"unexpected vector folder {case_id}"
    proof = [b64(element) for element in vector["proof"] or []]
    if kind == "inclusion":
        verify_inclusion(
            b64(vector["leafHash"]),
            vector["leafIdx"],
            vector["treeSize"],
            proof,
            b64(vector["root"]),
        )
    else:
        verify_consistency(
            vector["size1"], vector["size2"], b64(vector["root1"]), b64(vector["root2"]), proof
        )


def test_vector_folder_holds_inclusion_and_consistency_cases() -> None:
    root = vectors_dir()
    for kind in KINDS:
        assert any((root / kind).rglob("*.json")), f"no {kind} vectors under {root}"


@pytest.mark.parametrize(("case_id", "vector"), vector_cases(want_err=False))
def test_published_valid_proof_verifies(case_id: str | None, vector: dict | None) -> None:
    check_vector(case_id, vector)


@pytest.mark.parametrize(("case_id", "vector"), vector_cases(want_err=True))
def test_published_corrupted_proof_is_rejected(case_id: str | None, vector: dict | None) -> None:
    inclusion = case_id is not None and case_id.startswith("inclusion/")
    with pytest.raises(InclusionProofError if inclusion else ConsistencyProofError):
        check_vector(case_id, vector)


# Standard test leaves (transparency-dev/merkle testonly/constants.go) ---------------------------

LEAF_HASHES = [leaf_hash(bytes.fromhex(data)) for data in REFERENCE["leaf_inputs_hex"]]
ROOTS = [bytes.fromhex(root) for root in REFERENCE["roots_hex"]]


def standard_store() -> MemoryNodeStore:
    return MemoryNodeStore.from_leaf_hashes(LEAF_HASHES)


def test_empty_root_is_the_published_empty_tree_hash() -> None:
    assert ROOTS[0] == EMPTY_ROOT
    assert root_from_leaf_hashes([]) == ROOTS[0]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_naive_root_of_standard_leaves_is_the_published_root(size: int) -> None:
    assert root_from_leaf_hashes(LEAF_HASHES[:size]) == ROOTS[size]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_stored_tree_root_is_the_published_root(size: int) -> None:
    assert root_at(standard_store(), size) == ROOTS[size]


def test_stored_nodes_are_exactly_the_published_node_hashes() -> None:
    store = standard_store()
    published = {
        (level, index): bytes.fromhex(digest)
        for level, row in enumerate(REFERENCE["node_hashes_hex"])
        for index, digest in enumerate(row)
    }
    assert len(store) == len(published)
    for (level, index), digest in published.items():
        assert store.node(level, index) == digest, f"node {(level, index)}"


@pytest.mark.parametrize(
    "case",
    REFERENCE["inclusion_proofs"],
    ids=lambda case: f"leaf{case['leaf_index']}-of-{case['tree_size']}",
)
def test_stored_tree_inclusion_proof_is_the_published_proof(case: dict) -> None:
    index, size = case["leaf_index"], case["tree_size"]
    published = [bytes.fromhex(element) for element in case["proof_hex"]]
    assert inclusion_proof(standard_store(), index, size) == published
    verify_inclusion(LEAF_HASHES[index], index, size, published, ROOTS[size])


@pytest.mark.parametrize(
    "case",
    REFERENCE["consistency_proofs"],
    ids=lambda case: f"{case['size1']}-to-{case['size2']}",
)
def test_stored_tree_consistency_proof_is_the_published_proof(case: dict) -> None:
    size1, size2 = case["size1"], case["size2"]
    published = [bytes.fromhex(element) for element in case["proof_hex"]]
    assert consistency_proof(standard_store(), size1, size2) == published
    verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], published)


# Subtree vectors (draft-ietf-plants-merkle-tree-certs, via transparency-dev/merkle) -------------

SUBTREE_DIGESTS = REFERENCE["subtree_vector_digests"]
SUBTREE_LEAVES = [leaf_hash(bytes([i])) for i in range(SUBTREE_DIGESTS["max_size"])]


class SubtreeReader:
    """Reads the subtree of leaves [start, ...) of a bigger stored tree as a tree of its own."""

    def __init__(self, tree: NodeReader, start: int) -> None:
        self.tree, self.start = tree, start

    def node(self, level: int, index: int) -> bytes:
        return self.tree.node(level, index + (self.start >> level))


def valid_subtrees(max_size: int) -> list[tuple[int, int]]:
    """[start, end) in Go's loop order, start a multiple of bit_ceil(end - start)."""
    return [
        (start, end)
        for end in range(1, max_size + 1)
        for start in range(end)
        if start % (1 << (end - start - 1).bit_length()) == 0
    ]


def test_subtree_hashes_reproduce_the_published_vector_digest() -> None:
    rolling = hashlib.sha256()
    for start, end in valid_subtrees(SUBTREE_DIGESTS["max_size"]):
        digest = root_from_leaf_hashes(SUBTREE_LEAVES[start:end])
        rolling.update(f"[{start}, {end}) {digest.hex()}\n".encode())
    assert rolling.hexdigest() == SUBTREE_DIGESTS["subtree_hashes_sha256"]


def test_stored_tree_subtree_inclusion_proofs_reproduce_the_published_vector_digest() -> None:
    tree = MemoryNodeStore.from_leaf_hashes(SUBTREE_LEAVES)
    rolling = hashlib.sha256()
    for start, end in valid_subtrees(SUBTREE_DIGESTS["max_size"]):
        subtree = SubtreeReader(tree, start)
        for index in range(start, end):
            proof = inclusion_proof(subtree, index - start, end - start)
            line = f"{index} [{start}, {end})" + "".join(f" {h.hex()}" for h in proof)
            rolling.update(f"{line}\n".encode())
    assert rolling.hexdigest() == SUBTREE_DIGESTS["subtree_inclusion_proofs_sha256"]
