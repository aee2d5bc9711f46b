"""The C2SP tlog-witness `add-checkpoint` wire format (https://c2sp.org/tlog-witness).

Request body: `old <size>`, zero to 63 base64 consistency-proof lines, a blank line, then the
signed checkpoint note. A 409 answer whose Content-Type is `text/x.tlog.size` carries the
witness's size as a decimal line; a 200 answer is one or more cosignature lines.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from registry.ledger.errors import LedgerError

MAX_PROOF_LINES = 63
SIZE_CONTENT_TYPE = "text/x.tlog.size"
MAX_BODY_BYTES = 64 * 1024
_DECIMAL = re.compile("0|[1-9][0-9]*")
_BASE64_HASH = re.compile("[A-Za-z0-9+/]{43}=")


class WitnessRequestError(LedgerError, ValueError):
    """An add-checkpoint request or answer that does not follow the wire format (400)."""


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    if len(proof) > MAX_PROOF_LINES:
        raise WitnessRequestError(f"a consistency proof has at most {MAX_PROOF_LINES} hashes")
    lines = [f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + note).encode()


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    if len(body) > MAX_BODY_BYTES:
        raise WitnessRequestError(f"request body exceeds {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessRequestError("request body is not UTF-8") from None
    head, separator, note = text.partition("\n\n")
    if not separator:
        raise WitnessRequestError("request has no blank line before the checkpoint")
    first, *proof_lines = head.split("\n")
    size = first.removeprefix("old ")
    if size == first or not _DECIMAL.fullmatch(size):
        raise WitnessRequestError(f"first line must be `old <size>`, got {first!r}")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise WitnessRequestError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in proof_lines:
        if not _BASE64_HASH.fullmatch(line):
            raise WitnessRequestError(f"consistency proof line {line!r} is not a base64 hash")
        try:
            proof.append(base64.b64decode(line, validate=True))
        except binascii.Error:
            raise WitnessRequestError(f"consistency proof line {line!r} is not base64") from None
    return AddCheckpoint(int(size), tuple(proof), note)


def format_size(size: int) -> str:
    return f"{size}\n"


def parse_size(body: bytes) -> int:
    text = body.decode("ascii", errors="replace")
    if not text.endswith("\n") or not _DECIMAL.fullmatch(text[:-1]):
        raise WitnessRequestError(f"a {SIZE_CONTENT_TYPE} body is a decimal and a newline")
    return int(text[:-1])
