from __future__ import annotations

import pytest

from registry.ledger.keys import KeyEntry, Keyring, SigningKey


@pytest.fixture
def officer_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def other_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def keyring(officer_key: SigningKey) -> Keyring:
    """Trusts the officer's key only."""
    return Keyring(
        [KeyEntry(officer_key.keyid, "treaty.officer", "officer", officer_key.public_key)]
    )
