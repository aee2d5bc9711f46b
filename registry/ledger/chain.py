"""Hash chains of one agreement's events.

Each event's ``prev`` is the SHA-256 of the previous envelope's bytes, so
removing, reordering, inserting or editing any event breaks every later link.
Signatures are checked elsewhere (``open_envelope``); this module checks only
the order and the links, and reports every break rather than the first, so an
auditor sees the whole damage at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from registry.ledger.canonical import sha256_hex
from registry.ledger.dsse import Envelope
from registry.ledger.errors import ChainError, EnvelopeFormatError
from registry.ledger.payload import GENESIS_PREV, EventPayload

__all__ = [
    "ChainError",
    "ChainHead",
    "Link",
    "first_problems",
    "link_problems",
    "require_intact_chain",
    "verify_chain",
]


class Link(NamedTuple):
    """The fields of an opened payload that its chain's checks read: a streaming verifier
    whose envelopes were opened elsewhere passes `(link, b"")` with `opened=True`."""

    agreement: str
    version: int
    prev: str
    recorded: str


SignedEvent = tuple[EventPayload | Link, bytes]


@dataclass(frozen=True, slots=True)
class ChainHead:
    """What the next link is checked against: a streaming verifier keeps one per agreement
    (a few hundred bytes) instead of the last event itself."""

    agreement: str
    version: int
    digest: str  # SHA-256 hex of the envelope bytes: what the next event names as `prev`
    recorded: str

    @classmethod
    def of(cls, event: SignedEvent) -> ChainHead:
        payload, envelope = event
        return cls(payload.agreement, payload.version, sha256_hex(envelope), payload.recorded)


def verify_chain(envelopes: Sequence[SignedEvent], *, opened: bool = False) -> list[str]:
    """Check one agreement's (payload, envelope bytes) pairs, given in version order.

    Returns human-readable problems, each naming the agreement and version;
    an empty list means the chain is intact. ``opened``: see ``link_problems``.
    """
    if not envelopes:
        return []
    agreement = envelopes[0][0].agreement
    problems = first_problems(envelopes[0], opened=opened)
    for previous, current in itertools.pairwise(envelopes):
        problems.extend(link_problems(previous, current, agreement=agreement, opened=opened))
    return problems


def first_problems(first: SignedEvent, *, opened: bool = False) -> list[str]:
    """Problems of an agreement's first event: it must be version 1 and name the genesis prev.

    With ``link_problems`` this checks a chain one event at a time, so a verifier
    streaming the whole store need not hold every agreement's events at once.
    """
    agreement = first[0].agreement
    return _problems_of_event(agreement, first, opened) + _problems_of_first(agreement, first[0])


def link_problems(
    previous: SignedEvent | ChainHead,
    current: SignedEvent,
    agreement: str | None = None,
    *,
    opened: bool = False,
) -> list[str]:
    """Problems of ``current`` as the successor of ``previous`` in one agreement's chain.

    ``agreement`` is the chain's agreement id (default: the previous event's). ``opened``
    says the caller read each payload out of its envelope bytes itself (``open_envelope``),
    so their agreement need not be checked again.
    """
    head = previous if isinstance(previous, ChainHead) else ChainHead.of(previous)
    chain_agreement = agreement if agreement is not None else head.agreement
    return _problems_of_event(chain_agreement, current, opened) + _problems_of_link(
        chain_agreement, head, current
    )


def next_problems(
    previous: SignedEvent | ChainHead | None, current: SignedEvent, *, opened: bool = False
) -> list[str]:
    """Problems of ``current`` as the next event of its chain: its first (``previous`` None)
    or the successor of ``previous``. Streamed checks (import, mirror) call this per event."""
    if previous is None:
        return first_problems(current, opened=opened)
    return link_problems(previous, current, opened=opened)


def require_intact_chain(envelopes: Sequence[SignedEvent]) -> None:
    """Raise ``ChainError`` listing every problem ``verify_chain`` finds."""
    problems = verify_chain(envelopes)
    if problems:
        raise ChainError(problems)


def _problems_of_event(agreement: str, event: SignedEvent, opened: bool = False) -> list[str]:
    payload, envelope_bytes = event
    where = f"agreement {agreement}: version {payload.version}"
    problems = []
    if payload.agreement != agreement:
        problems.append(f"{where} belongs to agreement {payload.agreement}")
    if opened:
        return problems
    # The chain hashes envelope bytes but reads payloads; they must be the same event.
    try:
        signed_payload = Envelope.from_bytes(envelope_bytes).payload
    except EnvelopeFormatError as error:
        problems.append(f"{where} has malformed envelope bytes: {error}")
    else:
        if signed_payload != payload.to_bytes():
            problems.append(f"{where} does not match the payload inside its envelope")
    return problems


def _problems_of_first(agreement: str, first: EventPayload | Link) -> list[str]:
    problems = []
    if first.version != 1:
        problems.append(
            f"agreement {agreement}: chain starts at version {first.version}; "
            f"{_versions(1, first.version - 1)} missing"
        )
    if first.prev != GENESIS_PREV:
        problems.append(
            f"agreement {agreement}: version {first.version} is first but names prev "
            f"{first.prev}, not the genesis value {GENESIS_PREV}"
        )
    return problems


def _problems_of_link(agreement: str, before: ChainHead, current: SignedEvent) -> list[str]:
    after = current[0]
    label = f"agreement {agreement}"
    problems = []
    if after.version == before.version:
        problems.append(f"{label}: version {after.version} appears more than once")
    elif after.version < before.version:
        problems.append(f"{label}: version {after.version} comes after version {before.version}")
    elif after.version > before.version + 1:
        problems.append(
            f"{label}: {_versions(before.version + 1, after.version - 1)} missing "
            f"between version {before.version} and version {after.version}"
        )
    before_digest = before.digest
    if after.prev != before_digest:
        problems.append(
            f"{label}: version {after.version} names prev {after.prev} "
            f"but version {before.version} hashes to {before_digest}"
        )
    # Both instants passed `parse_instant` when their payloads were read: fixed-width UTC
    # text, so their order is the order of the text.
    if after.recorded <= before.recorded:
        problems.append(
            f"{label}: version {after.version} recorded {after.recorded}, "
            f"not after version {before.version} recorded {before.recorded}"
        )
    return problems


def _versions(first: int, last: int) -> str:
    if first == last:
        return f"version {first} is"
    return f"versions {first} to {last} are"
