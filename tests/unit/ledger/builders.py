"""Small builders for payloads and chains, so each test states only what it varies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from registry.ledger.canonical import sha256_hex
from registry.ledger.keys import SigningKey
from registry.ledger.payload import GENESIS_PREV, EventPayload, format_instant, seal

AGREEMENT = "1f3c5e7a-9b2d-4c6e-8f10-2a4b6c8d0e1f"
OTHER_AGREEMENT = "7d9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a"
FIRST_RECORDED = datetime(2026, 2, 5, 9, 30, 0, 123456, tzinfo=UTC)


def payload_fields(**changes: Any) -> dict[str, Any]:
    """The members of a valid first event, with ``changes`` applied."""
    fields: dict[str, Any] = {
        "agreement": AGREEMENT,
        "version": 1,
        "type": "Drafted",
        "effective": "2026-02-04",
        "precision": "day",
        "recorded": format_instant(FIRST_RECORDED),
        "actor": "treaty.officer",
        "prev": GENESIS_PREV,
        "data": {"reference": "PK-KZ-2026-001", "titles": {"en": "Joint Declaration"}},
    }
    fields.update(changes)
    return fields


def make_payload(**changes: Any) -> EventPayload:
    return EventPayload(**payload_fields(**changes))


def sealed_chain(
    key: SigningKey, length: int, agreement: str = AGREEMENT
) -> list[tuple[EventPayload, bytes]]:
    """A correctly linked chain of ``length`` events, recorded a minute apart."""
    chain: list[tuple[EventPayload, bytes]] = []
    prev = GENESIS_PREV
    for version in range(1, length + 1):
        payload = make_payload(
            agreement=agreement,
            version=version,
            type="Drafted" if version == 1 else "TextAmended",
            recorded=format_instant(FIRST_RECORDED + timedelta(minutes=version - 1)),
            prev=prev,
        )
        envelope_bytes = seal(payload, key)
        chain.append((payload, envelope_bytes))
        prev = sha256_hex(envelope_bytes)
    return chain
