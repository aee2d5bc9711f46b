"""Signed notes pinned to the published examples of golang.org/x/mod/sumdb/note.

Keys, texts and signatures below are copied from golang/mod `sumdb/note/note_test.go`
(TestNewVerifier, TestNewSigner, TestSign, TestOpen) and, for a signature made by a production
log, from transparency-dev/formats `log/note_test.go` (TestSumDBNoteParsing).
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.note import (
    NoteError,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    key_hash,
    open_note,
    sign_note,
    signer_key,
    verifier_key,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33W"
    "Wd1RvMc+QQ=\n"
)
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWE"
    "PWL+o3GeoWwOoAw=\n"
)


def peter() -> NoteVerifier:
    return NoteVerifier.from_vkey(PETER_VKEY)


def enoch() -> NoteVerifier:
    return NoteVerifier.from_vkey(ENOCH_VKEY)


def peter_seed() -> bytes:
    return base64.b64decode(PETER_SKEY.split("+", 4)[4])[1:]


def signature_of(line: str) -> NoteSignature:
    name, encoded = line.removeprefix("— ").rstrip("\n").split(" ")
    raw = base64.b64decode(encoded)
    return NoteSignature(name, raw[:4], raw[4:])


# Keys -----------------------------------------------------------------------------------------


def test_published_signer_key_yields_the_published_verifier_key() -> None:
    signer = NoteSigner.from_skey(PETER_SKEY)
    assert signer.name == "PeterNeumann"
    assert signer.key_hash == bytes.fromhex("c74f20a3")
    assert signer.verifier().vkey == PETER_VKEY


def test_key_strings_are_encoded_exactly_as_go_encodes_them() -> None:
    private_key = Ed25519PrivateKey.from_private_bytes(peter_seed())
    public_raw = private_key.public_key().public_bytes_raw()
    assert key_hash("PeterNeumann", public_raw) == bytes.fromhex("c74f20a3")
    assert verifier_key("PeterNeumann", public_raw) == PETER_VKEY
    assert signer_key("PeterNeumann", peter_seed()) == PETER_SKEY


def test_signer_built_from_a_private_key_matches_the_published_key() -> None:
    signer = NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(peter_seed()))
    assert signer.key_hash == peter().key_hash
    assert signer.verifier().vkey == PETER_VKEY


class RegistryStyleKey:
    """A key object like the registry's own: `.public_key.raw` and `.sign(message)`."""

    def __init__(self, seed: bytes) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = SimpleNamespace(raw=self._private.public_key().public_bytes_raw())

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)


def test_signer_built_from_a_registry_key_reproduces_the_published_note() -> None:
    signer = NoteSigner.from_signing_key("PeterNeumann", RegistryStyleKey(peter_seed()))
    assert sign_note(TEXT, [signer]) == TEXT + "\n" + PETER_SIG


def test_verifier_built_from_raw_public_bytes_is_the_published_verifier() -> None:
    public_raw = base64.b64decode(PETER_VKEY.split("+", 2)[2])[1:]
    assert NoteVerifier.from_public_bytes("PeterNeumann", public_raw).vkey == PETER_VKEY
    with pytest.raises(NoteError):
        NoteVerifier.from_public_bytes("PeterNeumann", public_raw[:31])


def test_published_verifier_keys_parse() -> None:
    assert (peter().name, peter().key_hash) == ("PeterNeumann", bytes.fromhex("c74f20a3"))
    assert (enoch().name, enoch().key_hash) == ("EnochRoot", bytes.fromhex("af0cfe78"))


def manglings(key: str) -> list[str]:
    """Go's TestNewVerifier/TestNewSigner: every proper substring and every byte bumped by one."""
    substrings = {
        key[i:j]
        for i in range(len(key) + 1)
        for j in range(i + 1, len(key) + 1)
        if (i, j) != (0, len(key))
    }
    bumped = {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    return sorted(substrings | bumped)


def test_every_mangling_of_the_published_verifier_key_is_refused() -> None:
    accepted = []
    for mangled in manglings(PETER_VKEY):
        try:
            NoteVerifier.from_vkey(mangled)
        except NoteError:
            continue
        accepted.append(mangled)
    assert accepted == []


def test_every_mangling_of_the_published_signer_key_is_refused() -> None:
    accepted = []
    for mangled in manglings(PETER_SKEY):
        try:
            NoteSigner.from_skey(mangled)
        except NoteError:
            continue
        accepted.append(mangled)
    assert accepted == []


@pytest.mark.parametrize(
    "vkey",
    [
        # Both from Go's TestNewVerifier, with key IDs adjusted to match.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
    ids=["wrong-key-length", "unknown-signature-type"],
)
def test_verifier_key_with_adjusted_key_id_but_bad_key_is_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        NoteVerifier.from_vkey(vkey)


@pytest.mark.parametrize("name", ["", "a+b", "bad name", "tab\tname", "nbsp\u00a0name"])
def test_key_names_with_spaces_or_plus_are_refused(name: str) -> None:
    with pytest.raises(NoteError):
        NoteSigner(name, Ed25519PrivateKey.from_private_bytes(peter_seed()))


# Signing --------------------------------------------------------------------------------------


def test_signing_the_published_text_reproduces_the_published_note_byte_for_byte() -> None:
    assert sign_note(TEXT, [NoteSigner.from_skey(PETER_SKEY)]) == TEXT + "\n" + PETER_SIG


@pytest.mark.parametrize(
    "text",
    ["abc", TEXT.rstrip("\n"), "", "bell\x07\n", "carriage\r\n", "surrogate \udc80\n"],
    ids=["short", "no-final-newline", "empty", "control-character", "carriage-return", "surrogate"],
)
def test_signing_text_that_cannot_be_a_note_is_refused(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(text, [NoteSigner.from_skey(PETER_SKEY)])


def test_signing_without_signers_is_refused() -> None:
    with pytest.raises(NoteError):
        sign_note(TEXT, [])


def test_text_with_blank_lines_survives_signing_and_opening() -> None:
    signer = NoteSigner.from_skey(PETER_SKEY)
    text = "first paragraph\n\nsecond\n\n\n"
    assert open_note(sign_note(text, [signer]), [signer.verifier()]).text == text


# Opening --------------------------------------------------------------------------------------


def test_opening_the_published_note_verifies_the_known_key_and_keeps_the_other() -> None:
    note = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter()])
    assert note.text == TEXT
    assert note.signatures == (signature_of(PETER_SIG),)
    assert note.unverified == (signature_of(ENOCH_SIG),)
    assert note.verified_names == ("PeterNeumann",)


def test_opening_the_published_note_with_both_keys_verifies_both() -> None:
    note = open_note((TEXT + "\n" + PETER_SIG + ENOCH_SIG).encode(), [peter(), enoch()])
    assert note.verified_names == ("PeterNeumann", "EnochRoot")
    assert note.unverified == ()


def test_a_production_log_signature_verifies() -> None:
    note = open_note(SUMDB_NOTE, [NoteVerifier.from_vkey(SUMDB_VKEY)])
    assert note.verified_names == ("sum.golang.org",)
    assert note.text == SUMDB_NOTE.split("\n\n")[0] + "\n"


def test_note_signed_by_no_known_key_is_rejected() -> None:
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_duplicated_verifier_for_a_present_signature_is_ambiguous() -> None:
    with pytest.raises(NoteError, match="ambiguous key EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch(), peter(), enoch()])


def test_duplicated_verifier_for_an_absent_signature_is_harmless() -> None:
    assert open_note(TEXT + "\n" + PETER_SIG, [enoch(), peter(), enoch()]).verified_names == (
        "PeterNeumann",
    )


def test_note_with_more_than_a_hundred_signatures_is_rejected() -> None:
    with pytest.raises(NoteError):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter()])


def test_bad_signature_by_a_known_key_is_rejected() -> None:
    tampered = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + tampered, [peter()])


def test_changed_text_is_rejected() -> None:
    changed = TEXT.replace("answer", "question")
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(changed + "\n" + PETER_SIG, [peter()])


def test_repeated_signatures_are_reported_once() -> None:
    enoch_tampered = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    note = open_note(
        TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enoch_tampered, [peter()]
    )
    assert note.signatures == (signature_of(PETER_SIG),)
    assert note.unverified == (signature_of(ENOCH_SIG), signature_of(enoch_tampered))


@pytest.mark.parametrize(
    "note",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        b"\x01" + (TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (
            TEXT
            + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfq"
        ).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        (TEXT + "\n" + PETER_SIG + "\n").encode(),
        (TEXT + "\n" + PETER_SIG.replace("— ", "- ")).encode(),
        (TEXT + "\n" + PETER_SIG.replace(" x08g", " x08g!")).encode(),
        (TEXT + "\n" + "— PeterNeumann x08go/Y=\n").encode(),
        (TEXT.replace("\n", "\r\n", 1) + "\n" + PETER_SIG).encode(),
    ],
    ids=[
        "no-signatures",
        "blank-line-but-no-signatures",
        "missing-final-newline",
        "control-character",
        "invalid-utf8",
        "name-with-space",
        "unexpected-line-after-signatures",
        "trailing-blank-line",
        "hyphen-instead-of-em-dash",
        "signature-not-base64",
        "signature-shorter-than-five-bytes",
        "carriage-return",
    ],
)
def test_malformed_note_is_rejected(note: bytes) -> None:
    with pytest.raises(NoteError):
        open_note(note, [peter()])


def test_note_with_a_lone_surrogate_is_rejected() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        open_note("\udc80" + TEXT + "\n" + PETER_SIG, [peter()])


def test_signature_under_another_name_is_ignored() -> None:
    misnamed = PETER_SIG.replace("PeterNeumann", "CarmenSandiego")
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(TEXT + "\n" + misnamed, [peter()])


def test_signature_with_wrong_key_id_is_ignored() -> None:
    wrong_key_id = PETER_SIG.replace("x08g", "xxxx")
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(TEXT + "\n" + wrong_key_id, [peter()])
    note = open_note(TEXT + "\n" + wrong_key_id + PETER_SIG, [peter()])
    assert note.verified_names == ("PeterNeumann",)
    assert len(note.unverified) == 1


def test_signature_sharing_only_the_key_id_of_a_known_key_is_ignored() -> None:
    # c2sp.org/signed-note: ignore unknown keys "even if they share a name or ID (but not both)".
    same_id_other_name = PETER_SIG.replace("PeterNeumann", "PeterNeumann.example")
    note = open_note(TEXT + "\n" + same_id_other_name + PETER_SIG, [peter()])
    assert note.verified_names == ("PeterNeumann",)
    assert [signature.name for signature in note.unverified] == ["PeterNeumann.example"]


def test_verifier_rejects_a_signature_over_another_message() -> None:
    signature = NoteSigner.from_skey(PETER_SKEY).sign(b"hi")
    assert peter().verify(b"hi", signature)
    assert not peter().verify(b"ho", signature)
    assert not peter().verify(b"hi", bytes([signature[0] ^ 1]) + signature[1:])
