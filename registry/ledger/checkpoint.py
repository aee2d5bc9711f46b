"""C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): a signed tree head as a note.

The note text is the origin, the tree size in decimal, the base64 root hash, and optional
non-empty extension lines, each ending in a newline. The registry signs it with its log key,
whose key name is the origin.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from registry.ledger.errors import LedgerError
from registry.ledger.note import NoteError, NoteSigner, NoteVerifier, open_note, sign_note

ROOT_HASH_SIZE = 32
MAX_TREE_SIZE = 2**64 - 1
_DECIMAL = re.compile("0|[1-9][0-9]*")
_BASE64 = re.compile("[A-Za-z0-9+/]*={0,2}")
_CONTROL = re.compile("[\x00-\x1f]")


class CheckpointError(LedgerError, ValueError):
    """A checkpoint is malformed, or its note does not verify against the log key."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or _CONTROL.search(self.origin):
            raise CheckpointError("origin must be a non-empty line")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise CheckpointError(f"tree size must be an integer, got {self.size!r}")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size} is out of range")
        if len(self.root_hash) != ROOT_HASH_SIZE:
            raise CheckpointError(f"root hash has {len(self.root_hash)} bytes, want 32")
        for line in self.extensions:
            if not line or _CONTROL.search(line):
                raise CheckpointError(f"extension lines must be non-empty lines, got {line!r}")

    def body(self) -> str:
        """The note text that the log signs."""
        root = base64.b64encode(self.root_hash).decode()
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Parse a note text strictly: the exact bytes `body()` would produce, and nothing else."""
        if not body.endswith("\n"):
            raise CheckpointError("checkpoint must end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint needs origin, size and root hash lines")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size):
            raise CheckpointError(f"tree size {size!r} is not a decimal without leading zeros")
        checkpoint = cls(origin, int(size), _decode_root(root), tuple(extensions))
        if checkpoint.body() != body:
            raise CheckpointError("checkpoint is not in canonical form")
        return checkpoint


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note of `checkpoint`; the signer's key name must be the origin."""
    if signer.name != checkpoint.origin:
        raise CheckpointError(
            f"log key {signer.name!r} cannot sign for origin {checkpoint.origin!r}"
        )
    return sign_note(checkpoint.body(), [signer])


def open_checkpoint(note_text: str | bytes, verifier: NoteVerifier) -> Checkpoint:
    """Verify the log's signature on a checkpoint note and parse it.

    Other signatures (witness cosignatures, say) are ignored. The verifier's key name must be
    the checkpoint's origin, so a log key cannot vouch for another log's tree.
    """
    try:
        note = open_note(note_text, [verifier])
    except NoteError as error:
        raise CheckpointError(f"checkpoint note does not verify: {error}") from error
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != verifier.name:
        raise CheckpointError(
            f"checkpoint origin {checkpoint.origin!r} is not the log key name {verifier.name!r}"
        )
    return checkpoint


def _decode_root(text: str) -> bytes:
    if not _BASE64.fullmatch(text):
        raise CheckpointError("root hash is not standard base64")
    try:
        root = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise CheckpointError(f"root hash is not standard base64: {error}") from None
    if len(root) != ROOT_HASH_SIZE:
        raise CheckpointError(f"root hash has {len(root)} bytes, want {ROOT_HASH_SIZE}")
    return root
