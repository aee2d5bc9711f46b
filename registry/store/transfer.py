"""Export and import: JSON lines of envelopes, each line the exact signed bytes.

Import verifies the whole file before it writes anything (every signature against the keyring
the file itself carries, rooted in this instance's trust anchors; every key window; every
chain; the global recorded order) and then stores it in one transaction, so a broken file
leaves the store untouched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from registry.domain.characters import first_finding
from registry.domain.events import EVENT_TYPES
from registry.domain.keyring import Keyring
from registry.ledger.chain import verify_chain
from registry.ledger.dsse import Envelope
from registry.ledger.errors import LedgerError
from registry.ledger.payload import EventPayload, parse_instant
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.mapper import TamperedEvent, event_from_payload
from registry.store.verification import _pages
from registry.store.views import current_summary, write_summary


class TransferError(Exception):
    """A file that cannot be imported; nothing was written."""


def export_lines(registry: Registry) -> Iterator[bytes]:
    for page in _pages(registry):
        for stored in page:
            registry.mapper.open(stored)  # never export what does not verify
            yield bytes(stored.state)


def import_lines(registry: Registry, lines: Sequence[bytes]) -> int:
    rows = _parse(lines)
    _verify(registry, rows)
    stored = [
        (
            StoredEvent(
                originator_id=UUID(payload.agreement),
                originator_version=payload.version,
                topic=get_topic(EVENT_TYPES[payload.type]),
                state=envelope,
            ),
            payload.type,
            payload.recorded,
        )
        for payload, envelope in rows
    ]
    return registry.signed_recorder.insert_verified(stored, [_summaries(rows)])


def _parse(lines: Sequence[bytes]) -> list[tuple[EventPayload, bytes]]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            payload = EventPayload.from_bytes(Envelope.from_bytes(line).payload)
        except LedgerError as error:
            raise TransferError(f"line {number}: {error}; nothing was imported") from None
        if payload.type not in EVENT_TYPES:
            raise TransferError(f"line {number}: unknown event type {payload.type!r}")
        unsafe = first_finding({"actor": payload.actor, "data": payload.data})
        if unsafe is not None:  # every database must store it alike (registry.domain.characters)
            raise TransferError(
                f"line {number}: {unsafe.path} {unsafe.message}; nothing was imported"
            )
        rows.append((payload, bytes(line)))
    if not rows:
        raise TransferError("the file holds no envelopes; nothing was imported")
    return rows


def _verify(registry: Registry, rows: list[tuple[EventPayload, bytes]]) -> None:
    trust = Trust(registry.anchors())
    keyring_id = str(Keyring.ID)
    for payload, envelope in rows:
        if payload.agreement == keyring_id:
            _opened(registry, trust, payload, envelope)
            try:
                trust.apply(payload)
            except LedgerError as error:
                raise TransferError(f"{error}; nothing was imported") from None
    streams: dict[str, list[tuple[EventPayload, bytes]]] = {}
    previous = None
    for payload, envelope in rows:
        _opened(registry, trust, payload, envelope)
        recorded = parse_instant(payload.recorded)
        if previous is not None and recorded <= previous:
            raise TransferError(
                f"{payload.agreement} v{payload.version} is not recorded after the line before it; "
                "nothing was imported"
            )
        previous = recorded
        streams.setdefault(payload.agreement, []).append((payload, envelope))
    for chain in streams.values():
        problems = verify_chain(chain)
        if problems:
            raise TransferError(f"{problems[0]}; nothing was imported")


def _opened(registry, trust, payload, envelope):  # type: ignore[no-untyped-def]
    stored = StoredEvent(
        originator_id=UUID(payload.agreement),
        originator_version=payload.version,
        topic=get_topic(EVENT_TYPES[payload.type]),
        state=envelope,
    )
    try:
        return event_from_payload(registry.mapper.open(stored, trust).payload)
    except (TamperedEvent, ValueError, TypeError) as error:
        raise TransferError(f"{error}; nothing was imported") from None


def _summaries(rows: list[tuple[EventPayload, bytes]]):  # type: ignore[no-untyped-def]
    def project(session, sealed) -> None:  # type: ignore[no-untyped-def]
        streams: dict[str, list] = {}
        for payload, _ in rows:
            if payload.agreement != str(Keyring.ID):
                streams.setdefault(payload.agreement, []).append(payload)
        for payloads in streams.values():
            events = [event_from_payload(p) for p in payloads]
            last = payloads[-1]
            write_summary(session, current_summary(events, last.version, last.recorded))

    return project
