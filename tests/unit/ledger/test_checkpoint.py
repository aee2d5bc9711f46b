"""Checkpoints pinned to published examples.

* C2SP/C2SP `tlog-checkpoint.md`: the example checkpoint of example.com/behind-the-sofa.
* transparency-dev/formats `log/note_test.go` (TestSumDBNoteParsing): a checkpoint signed by
  sum.golang.org, with that log's public key.
* transparency-dev/formats `log/checkpoint_test.go`: the malformed bodies it rejects.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint, sign_checkpoint
from registry.ledger.note import NoteSigner, NoteVerifier, open_note, sign_note

ROOT = hashlib.sha256(b"root").digest()
ROOT_B64 = base64.b64encode(ROOT).decode()
URL_SAFE_ROOT_B64 = base64.urlsafe_b64encode(b"\xfb" * 32).decode()
ARABIC_INDIC_123 = "\u0661\u0662\u0663"

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWE"
    "PWL+o3GeoWwOoAw=\n"
)


def log_signer(name: str = "registry.example/log", seed: bytes = bytes(32)) -> NoteSigner:
    return NoteSigner(name, Ed25519PrivateKey.from_private_bytes(seed))


# Body -----------------------------------------------------------------------------------------


def test_body_is_origin_size_and_base64_root_on_their_own_lines() -> None:
    checkpoint = Checkpoint("registry.example/log", 42, ROOT, ("ext one", "ext two"))
    assert checkpoint.body() == f"registry.example/log\n42\n{ROOT_B64}\next one\next two\n"


@pytest.mark.parametrize("extensions", [(), ("timestamp 1700000000",), ("a", "b c")])
def test_body_parses_back_to_the_same_checkpoint(extensions: tuple[str, ...]) -> None:
    checkpoint = Checkpoint("registry.example/log", 7, ROOT, extensions)
    assert Checkpoint.parse(checkpoint.body()) == checkpoint


def test_the_spec_example_parses_exactly() -> None:
    checkpoint = Checkpoint.parse(SPEC_BODY)
    assert checkpoint == Checkpoint(
        "example.com/behind-the-sofa",
        20852163,
        base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    )
    assert checkpoint.body() == SPEC_BODY


def test_empty_tree_checkpoint_has_size_zero() -> None:
    empty_root = hashlib.sha256(b"").digest()
    body = f"log\n0\n{base64.b64encode(empty_root).decode()}\n"
    assert Checkpoint.parse(body) == Checkpoint("log", 0, empty_root)


@pytest.mark.parametrize(
    "body",
    [
        "Head\n9944\n",
        f"\n9944\n{ROOT_B64}\n",
        f"Log\n123\n{ROOT_B64}",
        f"Log\nbananas\n{ROOT_B64}\n",
        f"Log\n-34\n{ROOT_B64}\n",
        f"Log\n3438945738945739845734895735\n{ROOT_B64}\n",
        "Log\n123\nThisIsn'tBase64\n",
        f"Log\n0123\n{ROOT_B64}\n",
        f"Log\n+123\n{ROOT_B64}\n",
        f"Log\n 123\n{ROOT_B64}\n",
        f"Log\n{ARABIC_INDIC_123}\n{ROOT_B64}\n",
        "Log\n123\nYmFuYW5hcw==\n",
        f"Log\n123\n{ROOT_B64.rstrip('=')}\n",
        f"Log\n123\n{URL_SAFE_ROOT_B64}\n",
        f"Log\n123\n{ROOT_B64[:-2]}J=\n",
        f"Log\n123\n{ROOT_B64}\n\n",
        f"Log\n123\n{ROOT_B64}\n\nextension after blank line\n",
        f"Log\r\n123\n{ROOT_B64}\n",
        f"Log\n123\r\n{ROOT_B64}\n",
    ],
    ids=[
        "insufficient-lines",
        "empty-origin",
        "missing-final-newline",
        "size-not-a-number",
        "size-negative",
        "size-too-large",
        "root-not-base64",
        "size-with-leading-zero",
        "size-with-plus-sign",
        "size-with-space",
        "size-in-non-ascii-digits",
        "root-not-32-bytes",
        "root-without-padding",
        "root-in-url-safe-base64",
        "root-with-non-canonical-trailing-bits",
        "empty-extension-line",
        "blank-line-before-extension",
        "carriage-return-after-origin",
        "carriage-return-after-size",
    ],
)
def test_malformed_body_is_rejected(body: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("two\nlines", 1, ROOT, ()),
        ("log", -1, ROOT, ()),
        ("log", 2**64, ROOT, ()),
        ("log", 1, ROOT[:31], ()),
        ("log", 1, ROOT, ("",)),
        ("log", 1, ROOT, ("two\nlines",)),
    ],
    ids=[
        "empty-origin",
        "multi-line-origin",
        "negative-size",
        "size-beyond-uint64",
        "short-root",
        "empty-extension",
        "multi-line-extension",
    ],
)
def test_checkpoint_that_cannot_be_written_is_refused(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root, extensions)


# Signed checkpoints ---------------------------------------------------------------------------


def test_signed_checkpoint_opens_with_the_log_key() -> None:
    checkpoint = Checkpoint("registry.example/log", 5, ROOT)
    signer = log_signer()
    signed = sign_checkpoint(checkpoint, signer)
    assert signed.startswith(checkpoint.body() + "\n— registry.example/log ")
    assert open_checkpoint(signed, signer.verifier()) == checkpoint


def test_witness_cosignatures_do_not_stop_a_checkpoint_from_opening() -> None:
    checkpoint = Checkpoint("registry.example/log", 5, ROOT)
    witness = log_signer("witness.example", bytes(range(32)))
    signed = sign_note(checkpoint.body(), [log_signer(), witness])
    assert open_checkpoint(signed, log_signer().verifier()) == checkpoint


def test_production_sumdb_checkpoint_verifies_and_parses_exactly() -> None:
    note = open_note(SUMDB_NOTE, [NoteVerifier.from_vkey(SUMDB_VKEY)])
    assert Checkpoint.parse(note.text) == Checkpoint(
        "go.sum database tree",
        6476701,
        base64.b64decode("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="),
    )


def test_checkpoint_whose_origin_is_not_the_key_name_is_rejected() -> None:
    # sum.golang.org signs with origin "go.sum database tree"; this registry requires a match.
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(SUMDB_NOTE, NoteVerifier.from_vkey(SUMDB_VKEY))


def test_log_key_refuses_to_sign_for_another_origin() -> None:
    with pytest.raises(CheckpointError):
        sign_checkpoint(Checkpoint("other.example/log", 5, ROOT), log_signer())


def test_checkpoint_with_changed_size_is_rejected() -> None:
    signed = sign_checkpoint(Checkpoint("registry.example/log", 5, ROOT), log_signer())
    tampered = signed.replace("\n5\n", "\n6\n", 1)
    with pytest.raises(CheckpointError, match="invalid signature"):
        open_checkpoint(tampered, log_signer().verifier())


def test_checkpoint_signed_by_another_key_of_the_same_name_is_rejected() -> None:
    checkpoint = Checkpoint("registry.example/log", 5, ROOT)
    impostor = log_signer(seed=bytes([1]) * 32)
    with pytest.raises(CheckpointError, match="no verifiable signatures"):
        open_checkpoint(sign_checkpoint(checkpoint, impostor), log_signer().verifier())


def test_malformed_checkpoint_with_a_valid_signature_is_rejected() -> None:
    signed = sign_note("registry.example/log\n5\nnot-a-root\n", [log_signer()])
    with pytest.raises(CheckpointError, match="root hash"):
        open_checkpoint(signed, log_signer().verifier())
