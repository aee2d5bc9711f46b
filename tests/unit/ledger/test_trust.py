"""Who may sign what, when: key windows from the keyring stream, rooted in the anchors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.ledger.keys import KeyEntry, Keyring, SigningKey
from registry.ledger.payload import GENESIS_PREV, EventPayload, format_instant
from registry.ledger.trust import AUTHORITY, KEYRING_TYPES, Trust, TrustError

from .builders import AGREEMENT

KEYRING_STREAM = "3c1d5e7f-0a2b-4c4d-8e6f-1a2b3c4d5e6f"
T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
ASTANA = "officer.astana"
ISLAMABAD = "officer.islamabad"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Keys:
    def __init__(self) -> None:
        self.authority = SigningKey.generate()
        self.log = SigningKey.generate()
        self.astana = SigningKey.generate()
        self.astana_next = SigningKey.generate()
        self.islamabad = SigningKey.generate()
        self.anchors = Keyring(
            [
                KeyEntry(self.authority.keyid, AUTHORITY, "authority", self.authority.public_key),
                KeyEntry(self.log.keyid, AUTHORITY, "log", self.log.public_key),
            ]
        )


@pytest.fixture
def keys() -> Keys:
    return Keys()


def keyring_event(version: int, type: str, minutes: float, **data: Any) -> EventPayload:
    return EventPayload(
        agreement=KEYRING_STREAM,
        version=version,
        type=type,
        effective="2026-03-01",
        precision="day",
        recorded=format_instant(at(minutes)),
        actor=AUTHORITY,
        prev=GENESIS_PREV,  # Trust reads windows, not links; chains are checked elsewhere
        data={"source": None, "reason": None, **data},
    )


def opened() -> EventPayload:
    return keyring_event(1, "KeyringOpened", 0)


def registered(version: int, minutes: float, officer: str, key: SigningKey) -> EventPayload:
    return keyring_event(
        version,
        "KeyRegistered",
        minutes,
        officer=officer,
        keyid=key.keyid,
        public_key=key.public_key.to_base64(),
        role="officer",
    )


def rotated(
    version: int, minutes: float, officer: str, old: SigningKey, new: SigningKey
) -> EventPayload:
    return keyring_event(
        version,
        "KeyRotated",
        minutes,
        officer=officer,
        old_keyid=old.keyid,
        new_keyid=new.keyid,
        public_key=new.public_key.to_base64(),
    )


def revoked(
    version: int, minutes: float, officer: str, key: SigningKey, invalid_from: float | None = None
) -> EventPayload:
    instant = None if invalid_from is None else format_instant(at(invalid_from))
    return keyring_event(
        version, "KeyRevoked", minutes, officer=officer, keyid=key.keyid, invalid_from=instant
    )


def agreement_event(minutes: float, actor: str = ASTANA, type: str = "Signed") -> EventPayload:
    return EventPayload(
        agreement=AGREEMENT,
        version=2,
        type=type,
        effective="2026-03-01",
        precision="day",
        recorded=format_instant(at(minutes)),
        actor=actor,
        prev="a" * 64,
        data={},
    )


def astana_trust(keys: Keys, *later: EventPayload) -> Trust:
    """Astana's key registered at minute 1, Islamabad's at minute 2, then ``later``."""
    return Trust(
        keys.anchors,
        [
            opened(),
            registered(2, 1, ASTANA, keys.astana),
            registered(3, 2, ISLAMABAD, keys.islamabad),
            *later,
        ],
    )


# Registration ---------------------------------------------------------------------------------


def test_a_registered_key_may_sign_for_its_officer_after_registration(keys: Keys) -> None:
    trust = astana_trust(keys)
    assert trust.problem(agreement_event(5), keys.astana.keyid) is None
    assert trust.public_key(keys.astana.keyid) == keys.astana.public_key
    assert trust.current_keyid(ASTANA, at(5)) == keys.astana.keyid


def test_an_event_recorded_at_the_registration_instant_is_refused(keys: Keys) -> None:
    trust = astana_trust(keys)
    problem = trust.problem(agreement_event(1), keys.astana.keyid)
    assert problem == (
        f"key {keys.astana.keyid} of {ASTANA} was registered at {format_instant(at(1))}; "
        f"this event was recorded at {format_instant(at(1))}, not after it"
    )
    assert trust.current_keyid(ASTANA, at(1)) is None


def test_officers_lists_each_key_with_its_window(keys: Keys) -> None:
    trust = astana_trust(keys, revoked(4, 10, ISLAMABAD, keys.islamabad))
    officers = trust.officers()
    assert sorted(officers) == [ASTANA, ISLAMABAD]
    (astana,) = officers[ASTANA]
    assert (astana.keyid, astana.role, astana.registered, astana.ended) == (
        keys.astana.keyid,
        "officer",
        at(1),
        None,
    )
    (islamabad,) = officers[ISLAMABAD]
    assert islamabad.ended == at(10)
    assert islamabad.why_ended == f"revoked at {format_instant(at(10))}"


# Rotation -------------------------------------------------------------------------------------


def test_after_rotation_the_old_key_is_valid_before_and_invalid_from_the_rotation(
    keys: Keys,
) -> None:
    trust = astana_trust(keys, rotated(4, 10, ASTANA, keys.astana, keys.astana_next))
    assert trust.problem(agreement_event(9), keys.astana.keyid) is None
    for minutes in (10, 11):
        assert trust.problem(agreement_event(minutes), keys.astana.keyid) == (
            f"key {keys.astana.keyid} of {ASTANA} was rotated to {keys.astana_next.keyid} "
            f"at {format_instant(at(10))}; this event was recorded at "
            f"{format_instant(at(minutes))}"
        )


def test_after_rotation_the_new_key_is_valid_and_current(keys: Keys) -> None:
    trust = astana_trust(keys, rotated(4, 10, ASTANA, keys.astana, keys.astana_next))
    assert trust.problem(agreement_event(11), keys.astana_next.keyid) is None
    assert trust.problem(agreement_event(9), keys.astana_next.keyid) is not None
    assert trust.current_keyid(ASTANA, at(9)) == keys.astana.keyid
    assert trust.current_keyid(ASTANA, at(11)) == keys.astana_next.keyid
    assert [key.role for key in trust.officers()[ASTANA]] == ["officer", "officer"]


def test_a_rotated_key_cannot_be_rotated_again(keys: Keys) -> None:
    with pytest.raises(TrustError, match="already rotated to"):
        astana_trust(
            keys,
            rotated(4, 10, ASTANA, keys.astana, keys.astana_next),
            rotated(5, 11, ASTANA, keys.astana, SigningKey.generate()),
        )


# Revocation -----------------------------------------------------------------------------------


def test_a_revoked_key_is_valid_before_and_invalid_from_the_revocation(keys: Keys) -> None:
    trust = astana_trust(keys, revoked(4, 10, ASTANA, keys.astana))
    assert trust.problem(agreement_event(9), keys.astana.keyid) is None
    assert trust.problem(agreement_event(12), keys.astana.keyid) == (
        f"key {keys.astana.keyid} of {ASTANA} was revoked at {format_instant(at(10))}; "
        f"this event was recorded at {format_instant(at(12))}"
    )
    assert trust.current_keyid(ASTANA, at(12)) is None


def test_an_earlier_invalid_from_invalidates_events_recorded_before_the_revocation(
    keys: Keys,
) -> None:
    trust = astana_trust(keys, revoked(4, 10, ASTANA, keys.astana, invalid_from=5))
    assert trust.problem(agreement_event(4), keys.astana.keyid) is None
    for minutes in (5, 7):
        assert trust.problem(agreement_event(minutes), keys.astana.keyid) == (
            f"key {keys.astana.keyid} of {ASTANA} was revoked at {format_instant(at(10))}, "
            f"invalid from {format_instant(at(5))}; "
            f"this event was recorded at {format_instant(at(minutes))}"
        )


def test_a_later_invalid_from_does_not_extend_the_key_beyond_its_revocation(keys: Keys) -> None:
    trust = astana_trust(keys, revoked(4, 10, ASTANA, keys.astana, invalid_from=20))
    assert trust.problem(agreement_event(15), keys.astana.keyid) is not None


def test_revoking_a_rotated_key_can_end_it_earlier(keys: Keys) -> None:
    trust = astana_trust(
        keys,
        rotated(4, 10, ASTANA, keys.astana, keys.astana_next),
        revoked(5, 12, ASTANA, keys.astana, invalid_from=6),
    )
    assert trust.problem(agreement_event(5), keys.astana.keyid) is None
    assert "invalid from" in (trust.problem(agreement_event(7), keys.astana.keyid) or "")
    assert trust.problem(agreement_event(13), keys.astana_next.keyid) is None


def test_a_revoked_key_cannot_be_revoked_or_rotated_again(keys: Keys) -> None:
    for again in (
        revoked(5, 11, ASTANA, keys.astana),
        rotated(5, 11, ASTANA, keys.astana, keys.astana_next),
    ):
        with pytest.raises(TrustError, match="already revoked"):
            astana_trust(keys, revoked(4, 10, ASTANA, keys.astana), again)


# Who signs what -------------------------------------------------------------------------------


def test_an_event_signed_by_another_officers_key_is_refused(keys: Keys) -> None:
    trust = astana_trust(keys)
    assert trust.problem(agreement_event(5), keys.islamabad.keyid) == (
        f"key {keys.islamabad.keyid} belongs to {ISLAMABAD}, not to {ASTANA}"
    )


def test_the_authority_key_cannot_sign_an_agreement_event(keys: Keys) -> None:
    trust = astana_trust(keys)
    for actor in (ASTANA, AUTHORITY):
        assert trust.problem(agreement_event(5, actor=actor), keys.authority.keyid) == (
            f"Signed event is signed by the registry authority key {keys.authority.keyid}, "
            f"which signs only keyring events"
        )


def test_an_officer_key_cannot_sign_a_keyring_event(keys: Keys) -> None:
    trust = astana_trust(keys)
    event = registered(4, 10, ASTANA, keys.astana_next)
    assert trust.problem(event, keys.astana.keyid) == (
        f"KeyRegistered event is signed by key {keys.astana.keyid} "
        f"(an officer key of {ASTANA}); keyring events must be signed by a registry authority key"
    )


def test_the_authority_key_signs_keyring_events_only_as_the_registry(keys: Keys) -> None:
    trust = Trust(keys.anchors)
    assert trust.problem(opened(), keys.authority.keyid) is None
    by_officer = replace(opened(), actor=ASTANA)
    assert trust.problem(by_officer, keys.authority.keyid) == (
        f"KeyringOpened event names actor {ASTANA}; keyring events are by {AUTHORITY}"
    )


def test_an_unknown_key_is_refused_and_has_no_public_key(keys: Keys) -> None:
    trust = astana_trust(keys)
    stranger = SigningKey.generate()
    assert trust.public_key(stranger.keyid) is None
    assert trust.problem(agreement_event(5), stranger.keyid) == (
        f"Signed event is signed by key {stranger.keyid} (not in the keyring)"
    )


def test_the_log_key_is_the_checkpoint_key_and_signs_no_events(keys: Keys) -> None:
    trust = astana_trust(keys)
    assert trust.log_public_key() == keys.log.public_key
    assert trust.public_key(keys.log.keyid) is None
    assert "the registry's log key" in (trust.problem(opened(), keys.log.keyid) or "")


def test_keyring_types_are_the_four_key_lifecycle_events() -> None:
    assert KEYRING_TYPES == ("KeyringOpened", "KeyRegistered", "KeyRotated", "KeyRevoked")


# Building from a bad keyring ------------------------------------------------------------------


def test_a_registration_whose_keyid_does_not_match_its_public_key_is_refused(keys: Keys) -> None:
    forged = keyring_event(
        2,
        "KeyRegistered",
        1,
        officer=ASTANA,
        keyid=keys.astana.keyid,
        public_key=keys.islamabad.public_key.to_base64(),
        role="officer",
    )
    with pytest.raises(TrustError) as raised:
        Trust(keys.anchors, [opened(), forged])
    assert str(raised.value) == (
        f"keyring version 2 (KeyRegistered): keyid {keys.astana.keyid} does not match its "
        f"public key, which hashes to {keys.islamabad.keyid}"
    )


def test_rotating_or_revoking_another_officers_key_is_refused(keys: Keys) -> None:
    for bad in (
        rotated(4, 10, ISLAMABAD, keys.astana, keys.astana_next),
        revoked(4, 10, ISLAMABAD, keys.astana),
    ):
        with pytest.raises(TrustError, match=f"belongs to {ASTANA}, not to {ISLAMABAD}"):
            astana_trust(keys, bad)


def test_revoking_a_key_not_in_the_keyring_is_refused(keys: Keys) -> None:
    with pytest.raises(TrustError, match="not in the keyring"):
        astana_trust(keys, revoked(4, 10, ASTANA, SigningKey.generate()))


def test_an_unknown_keyring_event_type_is_refused(keys: Keys) -> None:
    with pytest.raises(TrustError, match="'KeyLost' is not a keyring event type"):
        Trust(keys.anchors, [opened(), keyring_event(2, "KeyLost", 1)])


def test_registering_a_key_twice_or_an_anchor_as_an_officer_key_is_refused(keys: Keys) -> None:
    with pytest.raises(TrustError, match="already in the keyring"):
        astana_trust(keys, registered(4, 10, ISLAMABAD, keys.astana))
    with pytest.raises(TrustError, match="already in the keyring"):
        astana_trust(keys, registered(4, 10, ISLAMABAD, keys.authority))


@pytest.mark.parametrize(
    "data",
    [
        {"officer": ASTANA},
        {"officer": ASTANA, "keyid": "x", "public_key": "y", "role": "officer", "extra": 1},
    ],
)
def test_registration_data_with_wrong_members_is_refused(keys: Keys, data: Any) -> None:
    with pytest.raises(TrustError, match="data members are wrong"):
        Trust(keys.anchors, [opened(), keyring_event(2, "KeyRegistered", 1, **data)])


def test_keyring_events_out_of_recorded_order_are_refused(keys: Keys) -> None:
    with pytest.raises(TrustError, match="not after the previous keyring event"):
        Trust(
            keys.anchors,
            [opened(), registered(2, 5, ASTANA, keys.astana), revoked(3, 4, ASTANA, keys.astana)],
        )


def test_a_keyring_must_open_with_keyring_opened(keys: Keys) -> None:
    with pytest.raises(TrustError, match="opens with KeyringOpened at version 1"):
        Trust(
            keys.anchors,
            [
                keyring_event(
                    1,
                    "KeyRegistered",
                    1,
                    officer=ASTANA,
                    keyid=keys.astana.keyid,
                    public_key=keys.astana.public_key.to_base64(),
                    role="officer",
                )
            ],
        )


def test_a_failed_apply_leaves_the_trust_unchanged(keys: Keys) -> None:
    trust = astana_trust(keys)
    with pytest.raises(TrustError):
        trust.apply(rotated(4, 10, ISLAMABAD, keys.astana, keys.astana_next))
    assert trust.public_key(keys.astana_next.keyid) is None
    assert trust.problem(agreement_event(11), keys.astana.keyid) is None
    assert trust.version == 3
