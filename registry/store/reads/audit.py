"""The auditor's questions over the whole registry: two views compared, the report that
proves it, and the deadlines ahead of a date.

Every comparison is pinned to one checkpoint, taken first: each listed agreement is read up to
that checkpoint, and a view "known at" no instant (or a later one) is known at the last
instant the checkpoint covers. So a report says exactly which events it rests on, the same
events its bundle proves, and recomputing it later gives the same answer (audit_report.py).
The agreements are chosen by the status-interval read model (`Registry.list_as_of`): those
matching the filters in either view.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from registry.domain.deadlines import Deadline, deadlines_of
from registry.domain.keyring import Keyring
from registry.ledger.bundle import make_bundle
from registry.ledger.canonical import canonical_json
from registry.ledger.payload import parse_instant
from registry.store.application import Registry
from registry.store.errors import StoreError
from registry.store.events.log import IssuedCheckpoint, leaf_indexes
from registry.store.events.mapper import TamperedEvent
from registry.store.events.proofs import latest_checkpoint, prove_stream
from registry.store.events.tables import log_entries
from registry.store.reads.audit_document import report_document
from registry.store.reads.audit_report import (
    AuditQuery,
    AuditReport,
    Entry,
    View,
    audit_report,
)
from registry.store.reads.intervals import party_intervals
from registry.store.reads.queries import Filters, ListedAgreement


class TooManyAgreements(StoreError):
    def __init__(self, found: int, limit: int) -> None:
        super().__init__(
            f"{found} agreements match, more than the {limit} a page can compare: "
            "narrow the filters, or run `registry report` for a report of any size"
        )
        self.found = found
        self.limit = limit


def compare(registry: Registry, query: AuditQuery, *, limit: int | None = None) -> AuditReport:
    """The two views of every matching agreement, and what changed between them."""
    checkpoint = latest_checkpoint(registry)
    query = pinned(registry, query, checkpoint)
    ids = selected(registry, query, limit)
    streams = [_entries(registry, stream, checkpoint) for stream in ids]
    return audit_report(query, registry.settings.log_origin, checkpoint.note, streams)


def export(
    registry: Registry,
    query: AuditQuery,
    *,
    generated: datetime,
    by: str,
    limit: int | None = None,
) -> tuple[AuditReport, dict[str, Any]]:
    """The report and its JSON document, with the bundle proving every event it lists."""
    checkpoint = latest_checkpoint(registry)
    query = pinned(registry, query, checkpoint)
    ids = selected(registry, query, limit)
    records = [prove_stream(registry, stream, checkpoint) for stream in ids]
    keyring = prove_stream(registry, Keyring.ID, checkpoint)
    origin = registry.settings.log_origin
    bundle = make_bundle(
        origin,
        checkpoint.note,
        keyring,
        [record for stream in records for record in stream],
        complete=True,
    )
    streams = [
        [Entry(record["index"], canonical_json(record["envelope"])) for record in stream]
        for stream in records
    ]
    report = audit_report(query, origin, checkpoint.note, streams)
    return report, report_document(report, bundle, generated, by)


def pinned(registry: Registry, query: AuditQuery, checkpoint: IssuedCheckpoint) -> AuditQuery:
    """The query with both instants at or before the last one `checkpoint` covers."""
    with registry.transaction() as session:
        last = session.execute(
            select(log_entries.c.recorded).where(log_entries.c.leaf_index == checkpoint.size - 1)
        ).scalar()
    if last is None:
        raise TamperedEvent(
            f"the log index has no leaf {checkpoint.size - 1}: run `registry verify`"
        )
    until = parse_instant(last)

    def pin(view: View) -> View:
        known = view.known_at if view.known_at is not None and view.known_at < until else until
        return replace(view, known_at=known)

    return replace(query, before=pin(query.before), after=pin(query.after))


def selected(registry: Registry, query: AuditQuery, limit: int | None = None) -> list[UUID]:
    """The agreements matching the filters in either view, by reference."""
    found: dict[UUID, str] = {}
    for view in (query.before, query.after):
        page = _listed(registry, view.as_of, view.known_at, query.filters)
        found.update((a.id, a.reference) for a in page)
    if limit is not None and len(found) > limit:
        raise TooManyAgreements(len(found), limit)
    return sorted(found, key=lambda stream: found[stream])


def _listed(
    registry: Registry, as_of: date | None, known_at: datetime | None, filters: Filters
) -> tuple[ListedAgreement, ...]:
    return registry.list_as_of(
        as_of,
        known_at,
        party=filters.party,
        kind=filters.kind,
        character=filters.character,
        status=filters.status,
        q=filters.q,
        limit=None,
    ).agreements


def _entries(registry: Registry, stream: UUID, checkpoint: IssuedCheckpoint) -> list[Entry]:
    """The agreement's verified envelopes within the checkpoint, with their leaf indexes."""
    opened = registry.opened_events(stream)
    with registry.transaction() as session:
        indexes = leaf_indexes(session, str(stream))
    entries = []
    for event in opened:
        index = indexes.get(event.payload.version)
        if index is None:
            raise TamperedEvent(f"event {stream} v{event.payload.version} is not in the log index")
        if index >= checkpoint.size:
            break  # recorded after the checkpoint
        entries.append(Entry(index, event.envelope))
    return entries


# -- deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    agreement: ListedAgreement
    deadline: Deadline


def deadlines(
    registry: Registry,
    as_of: date,
    known_at: datetime | None = None,
    filters: Filters | None = None,
    *,
    horizon_days: int = 365,
) -> list[Upcoming]:
    """What falls due after `as_of` within the horizon, for the agreements listed on that day
    (as known at `known_at`), and milestones already overdue; soonest first."""
    horizon = timedelta(days=horizon_days)
    until = as_of + horizon if as_of < date.max - horizon else date.max
    found = []
    for listed in _listed(registry, as_of, known_at, filters or Filters()):
        events = registry.agreement(listed.id).history
        found += [Upcoming(listed, d) for d in deadlines_of(events, as_of, until, known_at)]
    return sorted(found, key=lambda u: (u.deadline.due.start, u.agreement.reference))


def party_codes(registry: Registry) -> list[str]:
    """Every party code the registry has known, for the filters."""
    with registry.transaction() as session:
        rows = session.execute(select(party_intervals.c.party).distinct())
        return sorted(row.party for row in rows)


__all__ = [
    "TooManyAgreements",
    "Upcoming",
    "compare",
    "deadlines",
    "export",
    "party_codes",
    "pinned",
    "selected",
]
