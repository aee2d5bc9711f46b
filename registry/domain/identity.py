"""Stream ids: an agreement's id is derived from its human reference, so a reference is unique
by construction (a second `Drafted` for the same reference collides with the first)."""

from __future__ import annotations

from uuid import UUID, uuid5

REGISTRY_NAMESPACE = UUID("5d1c9e0e-8f3a-5b7e-9a51-0c2f4a6b8d10")


def agreement_id(reference: str) -> UUID:
    """`PK-KZ-2026-001` and `pk-kz-2026-001 ` name the same agreement."""
    return uuid5(REGISTRY_NAMESPACE, reference.strip().upper())


KEYRING_ID = uuid5(REGISTRY_NAMESPACE, "keyring")
