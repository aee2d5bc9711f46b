"""C2SP tlog-proof (https://c2sp.org/tlog-proof): an offline proof that an entry is logged.

c2sp.org/tlog-proof@v1
extra <base64>            (optional, unauthenticated)
index <decimal>
<base64 hash>             (zero or more: the inclusion proof, leaf's sibling first)
                          (an empty line)
<checkpoint signed note, verbatim>
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.errors import LedgerError
from registry.ledger.merkle import HASH_SIZE, ProofError, leaf_hash, verify_inclusion
from registry.ledger.note import NoteVerifier

HEADER = "c2sp.org/tlog-proof@v1"
MAX_INDEX = 2**64 - 1
_DECIMAL = re.compile("0|[1-9][0-9]*")


class TlogProofError(LedgerError, ValueError):
    """A tlog-proof is malformed, or it does not prove its entry against a valid checkpoint."""


@dataclass(frozen=True)
class TlogProof:
    index: int
    extra: bytes | None
    proof_hashes: tuple[bytes, ...]
    checkpoint_note: str


def format_proof(
    index: int, proof: Sequence[bytes], checkpoint_note: str, extra: bytes | None = None
) -> str:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= MAX_INDEX:
        raise TlogProofError(f"index must be an integer in [0, 2**64), got {index!r}")
    for i, element in enumerate(proof):
        if len(element) != HASH_SIZE:
            raise TlogProofError(f"proof hash {i} has {len(element)} bytes, want {HASH_SIZE}")
    if not checkpoint_note.endswith("\n"):
        raise TlogProofError("checkpoint note must end with a newline")
    lines = [HEADER]
    if extra is not None:
        lines.append(f"extra {_encode(extra)}")
    lines.append(f"index {index}")
    lines.extend(_encode(element) for element in proof)
    return "".join(f"{line}\n" for line in lines) + "\n" + checkpoint_note


def parse_proof(text: str) -> TlogProof:
    """Parse a proof strictly; the checkpoint note is returned verbatim, not yet verified."""
    header, _, rest = text.partition("\n")
    if header != HEADER:
        raise TlogProofError(f"proof must start with the line {HEADER!r}")
    line, _, rest = rest.partition("\n")
    extra = None
    if line.startswith("extra "):
        extra = _decode(line.removeprefix("extra "), "extra data")
        line, _, rest = rest.partition("\n")
    if not line.startswith("index "):
        raise TlogProofError("proof is missing its index line")
    digits = line.removeprefix("index ")
    if not _DECIMAL.fullmatch(digits) or int(digits) > MAX_INDEX:
        raise TlogProofError(f"index {digits!r} is not a decimal without leading zeros")
    hashes = []
    while True:
        if not rest:
            raise TlogProofError("proof has no empty line before its checkpoint")
        line, _, rest = rest.partition("\n")
        if line == "":
            break
        element = _decode(line, "proof hash")
        if len(element) != HASH_SIZE:
            raise TlogProofError(f"proof hash has {len(element)} bytes, want {HASH_SIZE}")
        hashes.append(element)
    if not rest.endswith("\n"):
        raise TlogProofError("proof must end with a checkpoint note ending in a newline")
    return TlogProof(int(digits), extra, tuple(hashes), rest)


def verify_tlog_proof(
    text: str, leaf_data_or_hash: bytes, verifier: NoteVerifier, *, prehashed: bool = False
) -> Checkpoint:
    """Check that the entry is in the log at the proof's index, and return the checkpoint.

    `leaf_data_or_hash` is the entry's bytes, or its RFC 9162 leaf hash when `prehashed`.
    """
    proof = parse_proof(text)
    try:
        checkpoint = open_checkpoint(proof.checkpoint_note, verifier)
    except CheckpointError as error:
        raise TlogProofError(f"checkpoint: {error}") from error
    entry_hash = leaf_data_or_hash if prehashed else leaf_hash(leaf_data_or_hash)
    try:
        verify_inclusion(
            entry_hash, proof.index, checkpoint.size, proof.proof_hashes, checkpoint.root_hash
        )
    except ProofError as error:
        raise TlogProofError(f"inclusion proof: {error}") from error
    return checkpoint


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _decode(text: str, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise TlogProofError(f"{what} is not standard base64") from None
    if _encode(data) != text:
        raise TlogProofError(f"{what} is not canonical base64")
    return data
