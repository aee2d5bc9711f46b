from __future__ import annotations

from datetime import datetime, timedelta

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
from registry.domain.keyring import Keyring, KeyValidity
from tests.unit.domain.builders import day, instant, recorded

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


def validity(keyring: Keyring, *instants: datetime) -> KeyValidity:
    events = recorded(keyring.collect_events(), *instants)  # type: ignore[arg-type]
    return KeyValidity.from_events(events)  # type: ignore[arg-type]


def test_the_keyring_is_one_stream() -> None:
    assert opened().id == Keyring.ID == Keyring.create_id()


def test_a_key_is_valid_for_its_officer_from_its_registration() -> None:
    keys = validity(opened(), instant(1, 1), instant(1, 2))
    assert keys.is_valid(KEY_A, "amina", instant(1, 2))
    assert keys.is_valid(KEY_A, "amina", instant(12, 31))
    assert not keys.is_valid(KEY_A, "amina", instant(1, 2) - timedelta(microseconds=1))
    assert "registered" in (keys.why_invalid(KEY_A, "amina", instant(1, 1)) or "")
    assert "belongs to amina" in (keys.why_invalid(KEY_A, "bilal", instant(2, 1)) or "")
    assert "not in the keyring" in (keys.why_invalid(KEY_B, "amina", instant(2, 1)) or "")


def test_a_rotated_key_is_valid_until_the_rotation_and_its_successor_from_then() -> None:
    keyring = opened()
    keyring.rotate_key(
        effective=day(2026, 3, 1),
        actor=AUTHORITY,
        officer="amina",
        old_keyid=KEY_A,
        new_keyid=KEY_B,
        public_key="cHVibGljLWtleS1i",
    )
    keys = validity(keyring, instant(1, 1), instant(1, 2), instant(3, 1))
    assert keys.is_valid(KEY_A, "amina", instant(2, 28))
    assert not keys.is_valid(KEY_A, "amina", instant(3, 1))
    assert "rotated to fedcba9876543210" in (keys.why_invalid(KEY_A, "amina", instant(3, 1)) or "")
    assert keys.is_valid(KEY_B, "amina", instant(3, 1))
    assert not keys.is_valid(KEY_B, "amina", instant(2, 28))


def test_a_revoked_key_is_invalid_from_its_revocation_or_an_earlier_instant_given() -> None:
    keyring = opened()
    keyring.revoke_key(
        effective=day(2026, 4, 1),
        actor=AUTHORITY,
        officer="amina",
        keyid=KEY_A,
        invalid_from=instant(3, 15),
        reason="Laptop stolen on 15 March",
    )
    keys = validity(keyring, instant(1, 1), instant(1, 2), instant(4, 1))
    assert keys.is_valid(KEY_A, "amina", instant(3, 14))
    assert not keys.is_valid(KEY_A, "amina", instant(3, 15))
    assert "revoked" in (keys.why_invalid(KEY_A, "amina", instant(3, 20)) or "")


def test_a_later_invalid_from_does_not_extend_validity_past_the_revocation() -> None:
    keyring = opened()
    keyring.revoke_key(
        effective=day(2026, 4, 1),
        actor=AUTHORITY,
        officer="amina",
        keyid=KEY_A,
        invalid_from=instant(6, 1),
    )
    keys = validity(keyring, instant(1, 1), instant(1, 2), instant(4, 1))
    assert not keys.is_valid(KEY_A, "amina", instant(4, 2))


def test_a_rotated_key_can_still_be_revoked_from_before_the_rotation() -> None:
    keyring = opened()
    keyring.rotate_key(
        effective=day(2026, 3, 1),
        actor=AUTHORITY,
        officer="amina",
        old_keyid=KEY_A,
        new_keyid=KEY_B,
        public_key="cHVibGljLWtleS1i",
    )
    keyring.revoke_key(
        effective=day(2026, 4, 1),
        actor=AUTHORITY,
        officer="amina",
        keyid=KEY_A,
        invalid_from=instant(2, 1),
    )
    keys = validity(keyring, instant(1, 1), instant(1, 2), instant(3, 1), instant(4, 1))
    assert not keys.is_valid(KEY_A, "amina", instant(2, 15))
    assert keys.is_valid(KEY_B, "amina", instant(4, 2))


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
