"""The event store of the registry: every read opens and checks each envelope and the chain."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore, StoredEvent
from sqlalchemy import func, select

from registry.domain.keyring import Keyring
from registry.ledger.canonical import sha256_hex
from registry.ledger.chain import link_problems, verify_chain
from registry.ledger.trust import Trust
from registry.store.events.mapper import (
    EnvelopeMapper,
    OpenedEvent,
    TamperedEvent,
    event_from_payload,
    row_mismatch,
)

OPENED_KEPT = 4096  # envelopes whose verification the event store remembers


class VerifyingEventStore(EventStore[UUID]):
    """Every read opens and checks each envelope and the chain.

    A read from version 1 checks the whole chain; a read after version `gt` (the aggregate
    cache fast-forwarding) checks that the first new event names the stored envelope of
    version `gt` as its `prev`, so a cached aggregate only ever grows along the true chain.
    """

    mapper: EnvelopeMapper
    trust_at: Any  # Callable[[int], Trust]: the application's trust at a keyring version

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Envelopes opened before, by their SHA-256, with the keyring version they were checked
        # under: the same bytes under the same trust give the same answer, so a cached
        # aggregate's fast-forward re-verifies only what it has not seen.
        self._opened: OrderedDict[str, tuple[int, OpenedEvent]] = OrderedDict()
        self._opened_lock = threading.Lock()

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[Any]:
        if desc or limit is not None:
            raise NotImplementedError("the registry reads streams forwards, whole")
        start = gt - 1 if gt else None  # one event before, to check the link into the new ones
        stored, keyring_version = self._select(originator_id, start, lte)
        if not stored:
            return iter([])
        trust = self.trust_at(keyring_version)
        opened = [self._open(event, trust) for event in stored]
        pairs = [(o.payload, o.envelope) for o in opened]
        problems = verify_chain(pairs, opened=True) if not gt else _link_problems(pairs, gt)
        if problems:
            raise TamperedEvent("; ".join(problems))
        return iter(
            [event_from_payload(o.payload) for o in opened if o.payload.version > (gt or 0)]
        )

    def _select(
        self, stream: UUID, gt: int | None, lte: int | None
    ) -> tuple[list[StoredEvent], int]:
        """The stream's rows and, in the same statement, the keyring's version."""
        events = self.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        keyring = events.alias("keyring")
        version = (
            select(func.max(keyring.c.originator_version))
            .where(keyring.c.originator_id == Keyring.ID)
            .scalar_subquery()
        )
        query = select(
            events.c.originator_version, events.c.topic, events.c.state, version.label("keyring")
        ).where(events.c.originator_id == stream)
        if gt is not None:
            query = query.where(events.c.originator_version > gt)
        if lte is not None:
            query = query.where(events.c.originator_version <= lte)
        with self.recorder.transaction(commit=False) as session:  # type: ignore[attr-defined]
            rows = list(session.execute(query.order_by(events.c.originator_version)))
        stored = [
            StoredEvent(stream, int(row.originator_version), row.topic, bytes(row.state))
            for row in rows
        ]
        return stored, int(rows[0].keyring or 0) if rows else 0

    def _open(self, stored: StoredEvent, trust: Trust) -> OpenedEvent:
        digest = sha256_hex(stored.state)
        with self._opened_lock:
            known = self._opened.get(digest)
        if known is not None and known[0] == trust.version:
            problem = row_mismatch(stored, known[1].payload)
            if problem is None:
                return known[1]
        opened = self.mapper.open(stored, trust)
        with self._opened_lock:
            self._opened[digest] = (trust.version, opened)
            while len(self._opened) > OPENED_KEPT:
                self._opened.popitem(last=False)
        return opened


def _link_problems(pairs: list[Any], gt: int) -> list[str]:
    if not pairs or pairs[0][0].version != gt:
        return [f"version {gt}, which the reader holds, is no longer in the store"]
    return [
        problem
        for previous, current in itertools.pairwise(pairs)
        for problem in link_problems(previous, current, opened=True)
    ]
