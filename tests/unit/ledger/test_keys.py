"""Ed25519 keys pinned to RFC 8032 §7.1; key ids, key files and the keyring."""

from __future__ import annotations

import os
import pickle
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry.ledger.errors import KeyFileError, KeyFormatError
from registry.ledger.keys import KeyEntry, Keyring, PublicKey, SigningKey, key_id

from .vectors import ids, load_vectors

RFC8032 = load_vectors("rfc8032_ed25519")
TEST_1 = RFC8032[0]
TEST_1_PUBLIC = bytes.fromhex(TEST_1["public_key"])
# SHA-256 of the TEST 1 public key, first 8 bytes (computed with coreutils sha256sum).
TEST_1_KEYID = "21fe31dfa154a261"
TEST_1_BASE64 = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="


def flip_bit(data: bytes, index: int) -> bytes:
    """``data`` with the low bit of byte ``index`` flipped; an empty message gains a byte."""
    if not data:
        return b"\x01"
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


# --- RFC 8032 §7.1 ------------------------------------------------------------


def test_the_vector_file_holds_the_five_rfc8032_ed25519_tests() -> None:
    assert ids(RFC8032) == ["TEST 1", "TEST 2", "TEST 3", "TEST 1024", "TEST SHA(abc)"]
    assert len(bytes.fromhex(RFC8032[3]["message"])) == 1023


@pytest.mark.parametrize("vector", RFC8032, ids=ids(RFC8032))
def test_signing_key_derives_the_published_public_key(vector: dict[str, Any]) -> None:
    key = SigningKey.from_private_bytes(bytes.fromhex(vector["secret_key"]))
    assert key.public_key.raw == bytes.fromhex(vector["public_key"])


@pytest.mark.parametrize("vector", RFC8032, ids=ids(RFC8032))
def test_signing_key_produces_the_published_signature(vector: dict[str, Any]) -> None:
    key = SigningKey.from_private_bytes(bytes.fromhex(vector["secret_key"]))
    assert key.sign(bytes.fromhex(vector["message"])) == bytes.fromhex(vector["signature"])


@pytest.mark.parametrize("vector", RFC8032, ids=ids(RFC8032))
def test_public_key_accepts_the_published_signature(vector: dict[str, Any]) -> None:
    public = PublicKey(bytes.fromhex(vector["public_key"]))
    assert public.verify(bytes.fromhex(vector["signature"]), bytes.fromhex(vector["message"]))


@pytest.mark.parametrize("vector", RFC8032, ids=ids(RFC8032))
def test_public_key_rejects_the_signature_over_an_altered_message(vector: dict[str, Any]) -> None:
    public = PublicKey(bytes.fromhex(vector["public_key"]))
    message = flip_bit(bytes.fromhex(vector["message"]), 0)
    assert not public.verify(bytes.fromhex(vector["signature"]), message)


@pytest.mark.parametrize("index", [0, 63], ids=["in-R", "in-S"])
@pytest.mark.parametrize("vector", RFC8032, ids=ids(RFC8032))
def test_public_key_rejects_a_signature_with_a_flipped_bit(
    vector: dict[str, Any], index: int
) -> None:
    public = PublicKey(bytes.fromhex(vector["public_key"]))
    signature = flip_bit(bytes.fromhex(vector["signature"]), index)
    assert not public.verify(signature, bytes.fromhex(vector["message"]))


@pytest.mark.parametrize(
    "signature", [b"", b"\x00" * 63, b"\x00" * 65, b"\xff" * 64], ids=["empty", "63", "65", "ff"]
)
def test_verify_returns_false_for_malformed_signatures_rather_than_raising(
    signature: bytes,
) -> None:
    assert PublicKey(TEST_1_PUBLIC).verify(signature, b"") is False


# --- key ids and public keys -----------------------------------------------------


def test_key_id_is_the_first_eight_bytes_of_sha256_of_the_raw_key_in_hex() -> None:
    assert key_id(TEST_1_PUBLIC) == TEST_1_KEYID
    assert PublicKey(TEST_1_PUBLIC).keyid == TEST_1_KEYID
    assert SigningKey.from_private_bytes(bytes.fromhex(TEST_1["secret_key"])).keyid == TEST_1_KEYID


@pytest.mark.parametrize("raw", [b"", TEST_1_PUBLIC[:31], TEST_1_PUBLIC + b"\x00"])
def test_a_public_key_must_be_exactly_32_bytes(raw: bytes) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey(raw)
    with pytest.raises(KeyFormatError):
        key_id(raw)


def test_public_key_base64_is_standard_with_padding_and_round_trips() -> None:
    assert PublicKey(TEST_1_PUBLIC).to_base64() == TEST_1_BASE64
    assert PublicKey.from_base64(TEST_1_BASE64) == PublicKey(TEST_1_PUBLIC)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TEST_1_BASE64.replace("/", "_"), id="url-safe-alphabet"),
        pytest.param(TEST_1_BASE64.rstrip("="), id="missing-padding"),
        pytest.param(TEST_1_BASE64[:-2] + "p=", id="stray-bits"),
        pytest.param(" " + TEST_1_BASE64, id="whitespace"),
        pytest.param("AAAA", id="three-bytes"),
    ],
)
def test_public_key_from_base64_refuses_any_other_spelling(text: str) -> None:
    with pytest.raises(KeyFormatError):
        PublicKey.from_base64(text)


def test_a_private_key_must_be_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        SigningKey.from_private_bytes(b"\x00" * 31)


# --- secrets stay secret ---------------------------------------------------------------


def test_repr_and_str_of_a_signing_key_show_the_keyid_and_hide_the_secret() -> None:
    secret = bytes.fromhex(TEST_1["secret_key"])
    key = SigningKey.from_private_bytes(secret)
    for shown in (repr(key), str(key), f"{key}", repr([key])):
        assert TEST_1_KEYID in shown
        assert TEST_1["secret_key"] not in shown
        assert repr(secret)[2:-1] not in shown


def test_a_signing_key_cannot_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(SigningKey.generate())


# --- private key files --------------------------------------------------------------------


def test_a_saved_key_file_has_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    SigningKey.generate().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_saved_key_file_has_mode_0600_even_under_a_permissive_umask(
    tmp_path: Path, permissive_umask: None
) -> None:
    path = tmp_path / "officer.key"
    SigningKey.generate().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_saved_key_loads_back_as_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    key = SigningKey.from_private_bytes(bytes.fromhex(TEST_1["secret_key"]))
    key.save(path)
    loaded = SigningKey.load(path)
    assert loaded.public_key == key.public_key
    assert loaded.sign(b"") == bytes.fromhex(TEST_1["signature"])


def test_a_key_file_is_unencrypted_pkcs8_pem(tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    SigningKey.generate().save(path)
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")


def test_saving_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    path.write_bytes(b"precious")
    with pytest.raises(KeyFileError, match="will not overwrite"):
        SigningKey.generate().save(path)
    assert path.read_bytes() == b"precious"


def test_saving_refuses_to_write_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.key"
    link = tmp_path / "officer.key"
    link.symlink_to(target)
    with pytest.raises(KeyFileError):
        SigningKey.generate().save(link)
    assert not target.exists()


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_loading_refuses_a_key_file_that_group_or_others_can_access(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "officer.key"
    SigningKey.generate().save(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"mode {mode:04o}.*chmod 600"):
        SigningKey.load(path)


def test_loading_refuses_a_file_that_is_not_a_private_key(tmp_path: Path) -> None:
    path = tmp_path / "officer.key"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(KeyFileError, match="PKCS#8 PEM"):
        SigningKey.load(path)


def test_loading_a_missing_key_file_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot open"):
        SigningKey.load(tmp_path / "absent.key")


# --- the keyring ------------------------------------------------------------------------------


def test_keyring_json_has_the_documented_shape() -> None:
    entry = KeyEntry(TEST_1_KEYID, "treaty.officer", "officer", PublicKey(TEST_1_PUBLIC))
    assert Keyring([entry]).to_json() == {
        "keys": [
            {
                "keyid": TEST_1_KEYID,
                "owner": "treaty.officer",
                "role": "officer",
                "public_key": TEST_1_BASE64,
            }
        ]
    }


def test_keyring_json_round_trips(keyring: Keyring) -> None:
    assert Keyring.from_json(keyring.to_json()) == keyring


def test_keyring_maps_keyids_to_entries_and_unknown_ids_to_none(
    keyring: Keyring, officer_key: SigningKey
) -> None:
    entry = keyring.get(officer_key.keyid)
    assert entry is not None
    assert entry.public_key == officer_key.public_key
    assert keyring.public_key(officer_key.keyid) == officer_key.public_key
    assert keyring.get("0000000000000000") is None
    assert keyring.public_key("0000000000000000") is None
    assert list(keyring) == [officer_key.keyid]


def test_a_keyring_cannot_be_changed(keyring: Keyring) -> None:
    with pytest.raises(TypeError):
        keyring["0000000000000000"] = keyring[next(iter(keyring))]  # type: ignore[index]


def test_a_keyring_entry_whose_keyid_does_not_match_its_key_is_refused() -> None:
    document = Keyring(
        [KeyEntry(TEST_1_KEYID, "treaty.officer", "officer", PublicKey(TEST_1_PUBLIC))]
    ).to_json()
    document["keys"][0]["keyid"] = "0123456789abcdef"
    with pytest.raises(KeyFormatError, match="does not match its public key"):
        Keyring.from_json(document)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"extra": "x"}, id="extra-member"),
        pytest.param({"keyid": TEST_1_KEYID.upper()}, id="uppercase-keyid"),
        pytest.param({"owner": ""}, id="empty-owner"),
        pytest.param({"public_key": TEST_1_BASE64.rstrip("=")}, id="unpadded-key"),
    ],
)
def test_a_malformed_keyring_entry_is_refused(change: dict[str, str]) -> None:
    entry = {
        "keyid": TEST_1_KEYID,
        "owner": "treaty.officer",
        "role": "officer",
        "public_key": TEST_1_BASE64,
    }
    with pytest.raises(KeyFormatError, match="keyring entry 0"):
        Keyring.from_json({"keys": [{**entry, **change}]})


def test_a_keyring_listing_one_key_twice_is_refused() -> None:
    entry = KeyEntry(TEST_1_KEYID, "treaty.officer", "officer", PublicKey(TEST_1_PUBLIC))
    with pytest.raises(KeyFormatError, match="appears twice"):
        Keyring([entry, entry])


def test_a_keyring_document_must_have_only_keys() -> None:
    with pytest.raises(KeyFormatError):
        Keyring.from_json({"keys": [], "version": 1})


def test_a_saved_keyring_loads_back(tmp_path: Path, keyring: Keyring) -> None:
    path = tmp_path / "keyring.json"
    keyring.save(path)
    assert Keyring.load(path) == keyring


def test_loading_a_keyring_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text("{")
    with pytest.raises(KeyFormatError, match=r"keyring\.json"):
        Keyring.load(path)
