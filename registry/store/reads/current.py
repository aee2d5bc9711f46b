"""The current-state list: the summary read model (`registry_agreements`, one row per
agreement, as of the day of its last event), with the same `Filters` as the as-of list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, true
from sqlalchemy.orm import Session

from registry.store.events.tables import agreements
from registry.store.reads.filters import DEFAULT_LIMIT, Filters
from registry.store.reads.listed import escaped, pattern

CURRENT_ORDER = {
    "reference": agreements.c.reference,
    "title": agreements.c.title,
    "kind": agreements.c.kind,
    "status": agreements.c.status,
    "recorded": agreements.c.last_recorded,
    "signed": agreements.c.signed,
    "in_force": agreements.c.in_force,
}


@dataclass(frozen=True)
class CurrentPage:
    rows: list[dict[str, Any]]  # registry_agreements rows
    total: int
    page: int
    pages: int
    status_counts: dict[str, int]  # over the search and the other filters, not the status
    parties: list[str]  # every party code in the registry, for the filter


def _current_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    c = agreements.c
    found: list[ColumnElement[bool]] = []
    if filters.q:  # titles_text is the search text of the reference and titles (views.py)
        found.append(c.titles_text.like(pattern(filters.q), escape="\\"))
    if filters.party:
        padded = literal(",") + c.parties + literal(",")
        found.append(padded.like(f"%,{escaped(filters.party)},%", escape="\\"))
    if filters.kind is not None:
        found.append(c.kind == filters.kind.value)
    if filters.character is not None:
        found.append(c.character == filters.character.value)
    return found


def current_agreements(session: Session, filters: Filters) -> CurrentPage:
    """The agreements as they stand now (the summary read model: as of the day of each one's
    last event), with the same filters; the page is clamped to the pages there are."""
    limit = filters.limit or DEFAULT_LIMIT
    where = and_(true(), *_current_conditions(filters))
    counts = {
        row.status: int(row.n)
        for row in session.execute(
            select(agreements.c.status, func.count().label("n"))
            .where(where)
            .group_by(agreements.c.status)
        )
    }
    if filters.status is not None:
        where = and_(where, agreements.c.status == filters.status.value)
    total = counts.get(filters.status.value, 0) if filters.status else sum(counts.values())
    pages = max(1, -(-total // limit))
    page = min(max(1, filters.page or 1), pages)
    column = CURRENT_ORDER.get(filters.sort, agreements.c.reference)
    order = column.desc() if filters.descending else column.asc()
    rows = session.execute(
        select(agreements)
        .where(where)
        .order_by(order.nulls_last(), agreements.c.reference.asc())
        .limit(limit)
        .offset((page - 1) * limit)
    ).mappings()
    found = [dict(row) for row in rows]
    codes = {
        code
        for (listed,) in session.execute(select(agreements.c.parties))
        for code in listed.split(",")
        if code
    }
    return CurrentPage(found, total, page, pages, counts, sorted(codes))
