"""The tlog-witness add-checkpoint wire format, on torchwood's published witness requests."""

from __future__ import annotations

import base64

import pytest

from registry.ledger import merkle
from registry.ledger.checkpoint import open_checkpoint
from registry.ledger.note import NoteVerifier
from registry.ledger.tlog_witness import (
    WitnessRequestError,
    format_add_checkpoint,
    parse_add_checkpoint,
    parse_size,
)
from tests.unit.ledger.vectors import load_document

TORCHWOOD = load_document("c2sp/tlog_witness_torchwood")
LOG = NoteVerifier.from_public_bytes(
    TORCHWOOD["origin"], bytes.fromhex(TORCHWOOD["log_public_key_hex"])
)
FIRST, EXTEND, STALE = TORCHWOOD["vectors"]


def test_torchwoods_requests_parse_and_their_checkpoints_verify() -> None:
    first = parse_add_checkpoint(FIRST["body"].encode())
    extend = parse_add_checkpoint(EXTEND["body"].encode())
    assert (first.old_size, first.proof) == (0, ())
    assert (extend.old_size, len(extend.proof)) == (1, 3)
    one = open_checkpoint(first.note, LOG)
    five = open_checkpoint(extend.note, LOG)
    merkle.verify_consistency(1, 5, one.root_hash, five.root_hash, extend.proof)
    assert five.root_hash.hex() == TORCHWOOD["final_root_hex"]


def test_a_request_formats_back_to_the_same_bytes() -> None:
    request = parse_add_checkpoint(EXTEND["body"].encode())
    assert format_add_checkpoint(1, request.proof, request.note).decode() == EXTEND["body"]


def test_more_than_63_proof_lines_are_refused() -> None:
    hash_line = base64.b64encode(b"\x2a" * 32).decode() + "\n"
    note = parse_add_checkpoint(FIRST["body"].encode()).note
    body = "old 0\n" + hash_line * 64 + "\n" + note
    with pytest.raises(WitnessRequestError, match="63"):
        parse_add_checkpoint(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 1\n",  # no blank line
        b"old 01\n\nnote\n",  # leading zero
        b"new 1\n\nnote\n",
        b"old -1\n\nnote\n",
        b"old 1\nnot base64\n\nnote\n",
        b"old 1\nKgEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n\nnote\n",  # 31 bytes
        b"old 1\n\xff\n\nnote\n",
    ],
)
def test_malformed_requests_are_refused(body: bytes) -> None:
    with pytest.raises(WitnessRequestError):
        parse_add_checkpoint(body)


def test_a_size_answer_is_a_decimal_and_a_newline() -> None:
    assert parse_size(b"5\n") == 5
    for bad in (b"5", b"05\n", b"five\n", b"5\n\n"):
        with pytest.raises(WitnessRequestError):
            parse_size(bad)
