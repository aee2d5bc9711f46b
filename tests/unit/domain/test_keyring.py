from __future__ import annotations

from datetime import datetime

import pytest

from registry.domain.errors import (
    DuplicateKeyId,
    InstantWithoutTimezone,
    InvalidKeyId,
    KeyAlreadyRevoked,
    KeyAlreadyRotated,
    KeyNotFound,
    KeyOfAnotherOfficer,
)
from registry.domain.events import KeyEvent
from registry.domain.keyring import Keyring
from tests.unit.domain.builders import day

AUTHORITY = "registry.authority"
KEY_A = "0123456789abcdef"
KEY_B = "fedcba9876543210"
KEY_C = "00112233445566aa"


def opened() -> Keyring:
    keyring = Keyring.open(effective=day(2026, 1, 1), actor=AUTHORITY)
    keyring.register_key(
        effective=day(2026, 1, 1),
        actor=AUTHORITY,
        officer="amina",
        keyid=KEY_A,
        public_key="cHVibGljLWtleS1h",
        role="officer",
    )
    return keyring


def test_the_keyring_is_one_stream() -> None:
    assert opened().id == Keyring.ID == Keyring.create_id()


def test_a_keyid_is_registered_once() -> None:
    keyring = opened()
    with pytest.raises(DuplicateKeyId):
        keyring.register_key(
            effective=day(2026, 1, 2),
            actor=AUTHORITY,
            officer="bilal",
            keyid=KEY_A,
            public_key="eA==",
            role="officer",
        )


@pytest.mark.parametrize("keyid", ["0123", "0123456789ABCDEF", "0123456789abcdeg"])
def test_a_keyid_is_sixteen_lowercase_hex_digits(keyid: str) -> None:
    with pytest.raises(InvalidKeyId):
        opened().register_key(
            effective=day(2026, 1, 2),
            actor=AUTHORITY,
            officer="bilal",
            keyid=keyid,
            public_key="eA==",
            role="officer",
        )


def rotate(keyring: Keyring, officer: str, old: str, new: str) -> None:
    keyring.rotate_key(
        effective=day(2026, 3, 1),
        actor=AUTHORITY,
        officer=officer,
        old_keyid=old,
        new_keyid=new,
        public_key="eA==",
    )


def revoke(keyring: Keyring, officer: str, keyid: str) -> None:
    keyring.revoke_key(effective=day(2026, 3, 1), actor=AUTHORITY, officer=officer, keyid=keyid)


def test_only_a_known_key_can_be_rotated_or_revoked() -> None:
    with pytest.raises(KeyNotFound):
        rotate(opened(), "amina", KEY_C, KEY_B)
    with pytest.raises(KeyNotFound):
        revoke(opened(), "amina", KEY_C)


def test_only_the_officers_own_key_can_be_rotated_or_revoked() -> None:
    with pytest.raises(KeyOfAnotherOfficer):
        rotate(opened(), "bilal", KEY_A, KEY_B)
    with pytest.raises(KeyOfAnotherOfficer):
        revoke(opened(), "bilal", KEY_A)


def test_a_revoked_key_cannot_be_rotated_or_revoked_again() -> None:
    keyring = opened()
    revoke(keyring, "amina", KEY_A)
    with pytest.raises(KeyAlreadyRevoked):
        rotate(keyring, "amina", KEY_A, KEY_B)
    with pytest.raises(KeyAlreadyRevoked):
        revoke(keyring, "amina", KEY_A)


def test_a_key_is_rotated_once() -> None:
    keyring = opened()
    rotate(keyring, "amina", KEY_A, KEY_B)
    with pytest.raises(KeyAlreadyRotated):
        rotate(keyring, "amina", KEY_A, KEY_C)


def test_invalid_from_must_have_a_timezone() -> None:
    with pytest.raises(InstantWithoutTimezone):
        opened().revoke_key(
            effective=day(2026, 3, 1),
            actor=AUTHORITY,
            officer="amina",
            keyid=KEY_A,
            invalid_from=datetime(2026, 3, 1),
        )


def test_the_keyring_is_rebuilt_from_its_events() -> None:
    keyring = opened()
    rotate(keyring, "amina", KEY_A, KEY_B)
    events: list[KeyEvent] = keyring.collect_events()  # type: ignore[assignment]
    copy = None
    for event in events:
        copy = event.mutate(copy)
    assert isinstance(copy, Keyring)
    assert copy.keys == keyring.keys
    with pytest.raises(KeyAlreadyRotated):
        rotate(copy, "amina", KEY_A, KEY_C)
