"""tlog-proof bundles pinned to published examples.

* C2SP/C2SP `tlog-proof.md`: the example proof (its signatures are elided, so it is parsed only).
* transparency-dev/formats `proof/tlog_proof_test.go`: exact Marshal output and the inputs its
  Unmarshal rejects.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.checkpoint import Checkpoint, sign_checkpoint
from registry.ledger.merkle import MemoryNodeStore, inclusion_proof, leaf_hash, root_at
from registry.ledger.note import NoteSigner
from registry.ledger.tlog_proof import (
    TlogProof,
    TlogProofError,
    format_proof,
    parse_proof,
    verify_tlog_proof,
)

SPEC_HASHES = [
    "gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=",
    "B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=",
    "EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=",
    "RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=",
    "AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=",
]
SPEC_EXTRA = "YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ"
SPEC_CHECKPOINT = (
    "example.com/fancylog\n"
    "109482\n"
    "sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n"
    "\n"
    "— example.com/fancylog hI2DJw[...]1roloI=\n"
    "— witness1.example mJirIklj[...]qY9v2B/5bg==\n"
    "— witness2.example TnKKVHLX[...]xwYwrSjgow==\n"
    "— witness3.example S4X82uH5[...]3oEcROGLFQ==\n"
)
SPEC_PROOF = (
    f"c2sp.org/tlog-proof@v1\nextra {SPEC_EXTRA}\nindex 73894\n"
    + "".join(f"{h}\n" for h in SPEC_HASHES)
    + "\n"
    + SPEC_CHECKPOINT
)

H1 = hashlib.sha256(b"hash1").digest()
H2 = hashlib.sha256(b"hash2").digest()
H1_B64, H2_B64 = base64.b64encode(H1).decode(), base64.b64encode(H2).decode()

ORIGIN = "registry.example/log"
ENTRIES = [f"envelope {i}".encode() for i in range(13)]


def log_signer(seed: bytes = bytes(32)) -> NoteSigner:
    return NoteSigner(ORIGIN, Ed25519PrivateKey.from_private_bytes(seed))


def log_store() -> MemoryNodeStore:
    return MemoryNodeStore.from_leaf_hashes(leaf_hash(entry) for entry in ENTRIES)


def bundle(index: int, size: int = len(ENTRIES), extra: bytes | None = None) -> str:
    store = log_store()
    checkpoint = sign_checkpoint(Checkpoint(ORIGIN, size, root_at(store, size)), log_signer())
    return format_proof(index, inclusion_proof(store, index, size), checkpoint, extra)


# Format ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "proof", "checkpoint", "extra", "expected"),
    [
        (
            5,
            [H1, H2],
            "test checkpoint\n",
            None,
            f"c2sp.org/tlog-proof@v1\nindex 5\n{H1_B64}\n{H2_B64}\n\ntest checkpoint\n",
        ),
        (
            10,
            [H1],
            "checkpoint data\n",
            b"extra information",
            f"c2sp.org/tlog-proof@v1\nextra {base64.b64encode(b'extra information').decode()}\n"
            f"index 10\n{H1_B64}\n\ncheckpoint data\n",
        ),
        (0, [], "checkpoint\n", None, "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint\n"),
    ],
    ids=["without-extra-data", "with-extra-data", "with-empty-proof"],
)
def test_format_matches_the_go_implementation_exactly(
    index: int, proof: list[bytes], checkpoint: str, extra: bytes | None, expected: str
) -> None:
    formatted = format_proof(index, proof, checkpoint, extra)
    assert formatted == expected
    assert parse_proof(formatted) == TlogProof(index, extra, tuple(proof), checkpoint)


def test_the_spec_example_parses_exactly() -> None:
    parsed = parse_proof(SPEC_PROOF)
    assert parsed.index == 73894
    assert parsed.extra == base64.b64decode(SPEC_EXTRA)
    assert parsed.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert parsed.proof_hashes == tuple(base64.b64decode(h) for h in SPEC_HASHES)
    assert parsed.checkpoint_note == SPEC_CHECKPOINT
    assert (
        format_proof(parsed.index, parsed.proof_hashes, SPEC_CHECKPOINT, parsed.extra) == SPEC_PROOF
    )
    checkpoint_body = SPEC_CHECKPOINT.split("\n\n")[0] + "\n"
    assert Checkpoint.parse(checkpoint_body).size == 109482


@pytest.mark.parametrize(
    "text",
    [
        "wrong-header\nindex 0\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nextra !!notbase64!!\nindex 0\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\n\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex notanumber\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex -5\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n!!notbase64!!\n\ncheckpoint\n",
        f"c2sp.org/tlog-proof@v1\nindex 0\n{base64.b64encode(bytes(64)).decode()}\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex 007\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex  7\n\ncheckpoint\n",
        f"c2sp.org/tlog-proof@v1\nindex {2**64}\n\ncheckpoint\n",
        f"c2sp.org/tlog-proof@v1\nindex 0\n{H1_B64.rstrip('=')}\n\ncheckpoint\n",
        f"c2sp.org/tlog-proof@v1\nindex 0\n{H1_B64[:-2]}J=\n\ncheckpoint\n",
        f"c2sp.org/tlog-proof@v1\nindex 0\n{H1_B64}\n",
        f"c2sp.org/tlog-proof@v1\nindex 0\n{H1_B64}\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n\ncheckpoint",
        "c2sp.org/tlog-proof@v1\r\nindex 0\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex 0\r\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nextra AAAA\n\ncheckpoint\n",
        "c2sp.org/tlog-proof@v2\nindex 0\n\ncheckpoint\n",
    ],
    ids=[
        "missing-header",
        "extra-data-not-base64",
        "missing-index",
        "index-not-a-number",
        "index-negative",
        "hash-not-base64",
        "hash-of-64-bytes",
        "index-with-leading-zeros",
        "index-with-two-spaces",
        "index-beyond-uint64",
        "hash-without-padding",
        "hash-with-non-canonical-trailing-bits",
        "no-empty-line-before-checkpoint",
        "no-checkpoint",
        "checkpoint-without-final-newline",
        "carriage-return-after-header",
        "carriage-return-after-index",
        "extra-after-index",
        "unknown-version",
    ],
)
def test_malformed_proof_is_rejected(text: str) -> None:
    with pytest.raises(TlogProofError):
        parse_proof(text)


@pytest.mark.parametrize(
    ("index", "proof", "checkpoint"),
    [(-1, [], "cp\n"), (2**64, [], "cp\n"), (0, [bytes(31)], "cp\n"), (0, [], "cp")],
    ids=["negative-index", "index-beyond-uint64", "short-hash", "checkpoint-without-newline"],
)
def test_proof_that_cannot_be_written_is_refused(
    index: int, proof: list[bytes], checkpoint: str
) -> None:
    with pytest.raises(TlogProofError):
        format_proof(index, proof, checkpoint)


# Verify ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(ENTRIES)))
def test_proof_of_a_logged_entry_verifies_offline(index: int) -> None:
    checkpoint = verify_tlog_proof(bundle(index), ENTRIES[index], log_signer().verifier())
    assert (checkpoint.origin, checkpoint.size) == (ORIGIN, len(ENTRIES))


def test_proof_verifies_against_a_prehashed_leaf() -> None:
    text = bundle(3, extra=b"context")
    verifier = log_signer().verifier()
    assert verify_tlog_proof(text, leaf_hash(ENTRIES[3]), verifier, prehashed=True).size == 13


def test_proof_of_another_entry_is_rejected() -> None:
    with pytest.raises(TlogProofError, match="inclusion proof"):
        verify_tlog_proof(bundle(3), ENTRIES[4], log_signer().verifier())


def test_proof_with_a_changed_index_is_rejected() -> None:
    text = bundle(3).replace("\nindex 3\n", "\nindex 2\n")
    with pytest.raises(TlogProofError, match="inclusion proof"):
        verify_tlog_proof(text, ENTRIES[3], log_signer().verifier())


def test_proof_with_a_changed_hash_is_rejected() -> None:
    parsed = parse_proof(bundle(3))
    hashes = list(parsed.proof_hashes)
    hashes[1] = bytes([hashes[1][0] ^ 1]) + hashes[1][1:]
    text = format_proof(parsed.index, hashes, parsed.checkpoint_note)
    with pytest.raises(TlogProofError, match="inclusion proof"):
        verify_tlog_proof(text, ENTRIES[3], log_signer().verifier())


def test_proof_against_a_checkpoint_of_another_size_is_rejected() -> None:
    older = parse_proof(bundle(3, size=9))
    newer = parse_proof(bundle(3))
    text = format_proof(3, older.proof_hashes, newer.checkpoint_note)
    with pytest.raises(TlogProofError, match="inclusion proof"):
        verify_tlog_proof(text, ENTRIES[3], log_signer().verifier())


def test_proof_with_a_checkpoint_from_another_key_is_rejected() -> None:
    with pytest.raises(TlogProofError, match="checkpoint"):
        verify_tlog_proof(bundle(3), ENTRIES[3], log_signer(bytes([7]) * 32).verifier())


def test_proof_with_a_tampered_checkpoint_is_rejected() -> None:
    text = bundle(3).replace(f"\n{len(ENTRIES)}\n", f"\n{len(ENTRIES) + 1}\n")
    with pytest.raises(TlogProofError, match="checkpoint"):
        verify_tlog_proof(text, ENTRIES[3], log_signer().verifier())
