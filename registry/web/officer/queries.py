"""The agreement list: search, filters, sorting and paging over the summary read model.

The read model (`registry_agreements`) holds each agreement's current state as of the day of
its last event; the agreement page always recomputes the state from the verified events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select

from registry.domain.search_text import search_text
from registry.store.application import Registry
from registry.store.events.tables import agreements
from registry.store.events.unfinished import require_complete_views

PAGE_SIZE = 20
SORTS = {
    "reference": agreements.c.reference,
    "title": agreements.c.title,
    "kind": agreements.c.kind,
    "status": agreements.c.status,
    "recorded": agreements.c.last_recorded,
    "signed": agreements.c.signed,
    "in_force": agreements.c.in_force,
}


@dataclass(frozen=True)
class ListQuery:
    q: str | None = None
    party: str | None = None
    kind: str | None = None
    character: str | None = None
    status: str | None = None
    sort: str = "reference"
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class ListPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    status_counts: dict[str, int]  # over the search and the other filters, not the status
    parties: list[str]  # every party code in the registry, for the filter


def _like(text: str) -> str:
    escaped = search_text(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: ListQuery) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if query.q:
        pattern = _like(query.q)
        # titles_text is the search text of the reference and titles (store/views.py)
        found.append(agreements.c.titles_text.like(pattern, escape="\\"))
    if query.party:
        padded = literal(",") + agreements.c.parties + literal(",")
        found.append(padded.like(f"%,{query.party.replace('%', '')},%"))
    if query.kind:
        found.append(agreements.c.kind == query.kind)
    if query.character:
        found.append(agreements.c.character == query.character)
    return found


def list_agreements(registry: Registry, query: ListQuery) -> ListPage:
    conditions = _conditions(query)
    where = and_(*conditions) if conditions else literal(True)
    with registry.transaction() as session:
        require_complete_views(session)
        counts = {
            row.status: int(row.n)
            for row in session.execute(
                select(agreements.c.status, func.count().label("n"))
                .where(where)
                .group_by(agreements.c.status)
            )
        }
        if query.status:
            where = and_(where, agreements.c.status == query.status)
        total = int(
            session.execute(select(func.count()).where(where).select_from(agreements)).scalar() or 0
        )
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, query.page), pages)
        column = SORTS.get(query.sort, agreements.c.reference)
        order = column.desc() if query.descending else column.asc()
        rows = session.execute(
            select(agreements)
            .where(where)
            .order_by(order.nulls_last(), agreements.c.reference.asc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).mappings()
        found = [dict(row) for row in rows]
        codes = {
            code
            for (listed,) in session.execute(select(agreements.c.parties))
            for code in listed.split(",")
            if code
        }
    return ListPage(found, total, page, pages, counts, sorted(codes))
