"""Every read model recomputed from the verified log, through the one projection (`advance`,
`save_all`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from registry.domain.events import AgreementEvent
from registry.domain.keyring import Keyring
from registry.ledger.chain import verify_chain
from registry.ledger.payload import format_instant
from registry.store.events.datastore import write_intent
from registry.store.events.mapper import TamperedEvent, event_from_payload
from registry.store.events.tables import agreements
from registry.store.reads.intervals import agreement_intervals, agreement_texts, party_intervals
from registry.store.reads.projection import AGREEMENT, Head, advance, save_all

if TYPE_CHECKING:
    from registry.store.application import Registry


BATCH = 500  # agreements whose rows are written together: few statements, bounded memory


@dataclass(frozen=True)
class Rebuilt:
    agreements: int
    agreement_rows: int
    party_rows: int


def rebuild_views(
    registry: Registry, *, finish: Callable[[Session], None] | None = None
) -> Rebuilt:
    """Recompute every read-model row (summaries, intervals, texts) from the verified events.

    One write transaction, holding the recorder's lock: readers see the old rows until it
    commits, no event is recorded meanwhile, and a stored event that fails verification
    aborts it with nothing changed. `finish` runs last in the same transaction (an import
    marks its views complete there).
    """
    totals = [0, 0, 0]
    with write_intent(), registry.transaction(commit=True) as session:
        registry.signed_recorder._lock_table(session)  # the recorder's own write lock
        for table in (agreement_intervals, party_intervals, agreement_texts, agreements):
            session.execute(delete(table))
        pending: list[Head] = []
        for number, (_, events) in enumerate(verified_streams(registry, session), 1):
            ordered = sorted(events, key=lambda e: e.originator_version)
            instants = [(e.originator_version, format_instant(e.timestamp)) for e in ordered]
            head = advance(session, ordered, instants)
            totals[0] = number
            for kind, _row in head.rows():
                totals[1 if kind == AGREEMENT else 2] += 1
            pending.append(head)
            if len(pending) >= BATCH:
                save_all(session, pending)
                pending = []
        save_all(session, pending)
        if finish is not None:
            finish(session)
    registry.read_model_heads.clear()  # they may hold rows from before the rebuild
    return Rebuilt(*totals)


def verified_streams(
    registry: Registry, session: Session
) -> Iterator[tuple[UUID, list[AgreementEvent]]]:
    """Each agreement's events, every envelope and chain verified, one stream at a time."""
    cls = registry.signed_recorder.events_record_cls
    query = (
        select(cls.originator_id, cls.originator_version, cls.topic, cls.state)
        .where(cls.originator_id != Keyring.ID)
        .order_by(cls.originator_id, cls.originator_version)
        .execution_options(yield_per=1000)
    )
    stream: UUID | None = None
    opened: list[Any] = []
    trust = registry.trust()  # once: the keyring cannot change while the lock is held
    for row in session.execute(query):
        if row.originator_id != stream and opened:
            yield _events(stream, opened)  # type: ignore[arg-type]
            opened = []
        stream = row.originator_id
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
        opened.append(registry.mapper.open(stored, trust))
    if opened:
        yield _events(stream, opened)  # type: ignore[arg-type]


def _events(stream: UUID, opened: list[Any]) -> tuple[UUID, list[AgreementEvent]]:
    problems = verify_chain([(o.payload, o.envelope) for o in opened])
    if problems:
        raise TamperedEvent("; ".join(problems))
    events = [event_from_payload(o.payload) for o in opened]
    return stream, [e for e in events if isinstance(e, AgreementEvent)]
