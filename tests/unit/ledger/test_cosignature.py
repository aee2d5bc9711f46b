"""C2SP tlog-cosignature v1, pinned to published data: Project Oak's C2SP tlog-proof test data
(a checkpoint cosigned by a cosignature/v1 witness key), transparency-dev/formats' vkey and
timestamp vectors, and the spec's own example line. Every corruption is refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.cosignature import (
    MAX_TIMESTAMP,
    CosignatureError,
    CosignatureSigner,
    CosignatureVerifier,
    check_cosignatures,
    cosignature_key_id,
    cosigned_message,
)
from registry.ledger.note import NoteVerifier
from registry.ledger.tlog_proof import verify_tlog_proof
from tests.unit.ledger.vectors import VECTORS, load_document

DOCUMENT = load_document("c2sp/tlog_cosignature")
OAK = DOCUMENT["vectors"][0]
PROOF = (VECTORS / "c2sp" / OAK["file"]).read_text(encoding="utf-8")
NOTE = PROOF.split("\n\n", 1)[1]
BODY = NOTE.split("\n\n")[0] + "\n"
WITNESS = CosignatureVerifier.from_vkey(OAK["witness_vkey"])
WITNESS_LINE = next(line for line in NOTE.splitlines() if line.startswith("\u2014 test-witness "))


def with_line(line: str, note: str = NOTE) -> str:
    return note.replace(WITNESS_LINE, line)


def raw_of(line: str) -> bytearray:
    return bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))


def line_of(raw: bytes, name: str = "test-witness") -> str:
    return f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"


def test_the_published_cosignature_verifies_with_its_timestamp() -> None:
    found = check_cosignatures(NOTE, [WITNESS])
    assert found.valid == {WITNESS.label: OAK["timestamp"]}
    assert found.bad == {}
    assert found.lines == (WITNESS_LINE + "\n",)


def test_the_published_proof_and_log_signature_verify_beside_the_cosignature() -> None:
    log = NoteVerifier.from_vkey(OAK["log_vkey"])
    checkpoint = verify_tlog_proof(PROOF, OAK["entry"].encode(), log)
    assert (checkpoint.origin, checkpoint.size) == ("fake.log.origin/log", 4)


def test_the_key_id_is_computed_with_the_cosignature_type_byte() -> None:
    assert cosignature_key_id(WITNESS.name, WITNESS.public_key_raw).hex() == "26349ef0"
    assert WITNESS.vkey == OAK["witness_vkey"]
    for case in DOCUMENT["vkeys"]:
        assert CosignatureVerifier.from_vkey(case["vkey"]).vkey == case["vkey"], case["name"]


@pytest.mark.parametrize("case", DOCUMENT["timestamps"], ids=lambda c: c["name"])
def test_the_timestamp_is_the_big_endian_u64_after_the_key_id(case: dict[str, Any]) -> None:
    raw = base64.b64decode(case["signature"])
    assert len(raw) == 4 + 8 + 64
    assert int.from_bytes(raw[4:12], "big") == case["timestamp"]


def test_the_signed_message_is_header_time_line_then_the_body() -> None:
    assert (
        cosigned_message("o\n1\nx=\n", 1679315147) == b"cosignature/v1\ntime 1679315147\no\n1\nx=\n"
    )


@pytest.mark.parametrize("position", range(4, 76, 3))
def test_every_flipped_bit_after_the_key_id_is_refused(position: int) -> None:
    raw = raw_of(WITNESS_LINE)
    raw[position] ^= 0x01
    found = check_cosignatures(with_line(line_of(raw)), [WITNESS])
    assert found.valid == {}
    assert WITNESS.label in found.bad


def test_a_wrong_key_id_is_not_taken_for_the_witness() -> None:
    raw = raw_of(WITNESS_LINE)
    raw[0] ^= 0x80
    found = check_cosignatures(with_line(line_of(raw)), [WITNESS])
    assert found.valid == {}
    assert "key ID" in found.bad[WITNESS.label]


def test_another_timestamp_than_the_one_signed_is_refused() -> None:
    raw = raw_of(WITNESS_LINE)
    raw[4:12] = (OAK["timestamp"] + 1).to_bytes(8, "big")
    assert check_cosignatures(with_line(line_of(raw)), [WITNESS]).valid == {}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("fake.log.origin/log\n4\n", "fake.log.origin/lag\n4\n"),  # another origin
        ("fake.log.origin/log\n4\n", "fake.log.origin/log\n5\n"),  # another size
        ("CPv9hH0S", "CPv9hH0T"),  # another root hash
    ],
    ids=["origin", "size", "root"],
)
def test_a_cosignature_moved_to_another_checkpoint_is_refused(old: str, new: str) -> None:
    assert NOTE.count(old) == 1
    found = check_cosignatures(NOTE.replace(old, new), [WITNESS])
    assert found.valid == {} and "invalid cosignature" in found.bad[WITNESS.label]


def test_an_extension_line_not_signed_is_refused() -> None:
    moved = NOTE.replace(BODY, BODY + "extension\n")
    assert check_cosignatures(moved, [WITNESS]).valid == {}


@pytest.mark.parametrize("cut", [1, 4, 8, 20])
def test_a_truncated_line_is_refused(cut: int) -> None:
    found = check_cosignatures(with_line(WITNESS_LINE[:-cut]), [WITNESS])
    assert found.valid == {} and WITNESS.label in found.bad


def test_extra_bytes_after_the_signature_are_refused() -> None:
    raw = raw_of(WITNESS_LINE) + b"\x00"
    found = check_cosignatures(with_line(line_of(raw)), [WITNESS])
    assert found.valid == {} and "bytes" in found.bad[WITNESS.label]


def test_a_line_under_another_name_is_ignored_as_unknown() -> None:
    found = check_cosignatures(
        with_line(line_of(raw_of(WITNESS_LINE), "test-witness-2")), [WITNESS]
    )
    assert found.valid == {} and found.bad == {}


def test_a_future_timestamp_is_refused_when_the_verifier_says_so() -> None:
    found = check_cosignatures(NOTE, [WITNESS], not_after=OAK["timestamp"] - 1)
    assert found.valid == {} and "future" in found.bad[WITNESS.label]


def test_a_log_key_or_a_malformed_key_is_not_a_witness_key() -> None:
    with pytest.raises(CosignatureError, match="type 0x01"):
        CosignatureVerifier.from_vkey(OAK["log_vkey"])
    with pytest.raises(CosignatureError, match="key ID does not match"):
        CosignatureVerifier.from_vkey(OAK["witness_vkey"].replace("26349ef0", "26349ef1"))
    with pytest.raises(CosignatureError, match="malformed"):
        CosignatureVerifier.from_vkey("test-witness+26349ef0+!!")


def test_a_signer_cosigns_what_its_verifier_accepts_and_nothing_else() -> None:
    signer = CosignatureSigner("witness.example/w1", Ed25519PrivateKey.generate())
    line = signer.cosign(BODY, 1_700_000_000).line()
    note = NOTE + line
    assert check_cosignatures(note, [signer.verifier()]).valid == {
        signer.verifier().label: 1_700_000_000
    }
    assert check_cosignatures(note, [WITNESS, signer.verifier()]).valid.keys() == {
        WITNESS.label,
        signer.verifier().label,
    }
    with pytest.raises(CosignatureError, match="out of range"):
        signer.cosign(BODY, MAX_TIMESTAMP + 1)


def test_a_note_without_signature_block_is_malformed() -> None:
    with pytest.raises(CosignatureError):
        check_cosignatures(BODY, [WITNESS])
