"""Small lookups the pages and feeds need, over the read models and the log index: which
parties there are, which agreements name a party, when the first agreement was recorded, the
latest log entries. The entry points ask the application (`Registry`), which asks here."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.domain.keyring import Keyring
from registry.store.events.tables import agreements, log_entries
from registry.store.reads.intervals import party_intervals


def party_codes(session: Session) -> list[str]:
    """Every party code the registry has known (on any date, as known at any instant)."""
    return sorted(session.execute(select(party_intervals.c.party).distinct()).scalars())


def listing_references(session: Session) -> dict[str, str]:
    """{code: the first reference, in reference order, of a listed agreement naming it}."""
    first: dict[str, str] = {}
    query = select(agreements.c.reference, agreements.c.parties).order_by(agreements.c.reference)
    for reference, listed in session.execute(query):
        for code in listed.split(","):
            if code and code not in first:
                first[code] = reference
    return first


def streams_with_party(session: Session, code: str) -> set[str]:
    """The agreements (ids) whose current parties include `code`, ignoring case."""
    wanted = code.casefold()
    rows = session.execute(select(agreements.c.id, agreements.c.parties))
    return {row.id for row in rows if wanted in {p.casefold() for p in row.parties.split(",")}}


def first_recorded(session: Session) -> datetime | None:
    """When the first agreement was recorded."""
    found = session.execute(
        select(func.min(log_entries.c.recorded)).where(log_entries.c.type == "Drafted")
    ).scalar()
    return datetime.fromisoformat(found.replace("Z", "+00:00")) if found else None


def latest_entries(
    session: Session, streams: Collection[str] | None, limit: int
) -> tuple[list[Any], dict[str, str]]:
    """The latest log entries of agreements (of `streams`, or all), newest first, and the
    references of the agreements by id."""
    query = select(log_entries).where(log_entries.c.stream_id != str(Keyring.ID))
    if streams is not None:
        query = query.where(log_entries.c.stream_id.in_(sorted(streams)))
    rows = session.execute(query.order_by(log_entries.c.leaf_index.desc()).limit(limit)).all()
    references = dict(session.execute(select(agreements.c.id, agreements.c.reference)).all())
    return list(rows), references
