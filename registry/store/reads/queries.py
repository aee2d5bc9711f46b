"""Lists over the whole registry as of a date, as known at an instant: indexed SQL over the
status intervals (intervals.py), never a replay of every agreement.

`agreements_as_of` answers what `history.state_as_of(events, as_of, known_at)` answers for each
agreement, for one page of them, with the total and the counts by status. An agreement known
at `known_at` but drafted after `as_of` has the status NOT_YET_DRAFTED: it is counted, but
listed only when that status is asked for.

The counts read the `now` and `past` indexes, the page walks the `by_reference` index (see
intervals.py): every filter is tested in the index, and only the page's rows are read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from registry.domain.search_text import search_text
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter, PartyStatus
from registry.store.events.tables import agreements
from registry.store.events.unfinished import require_complete_views
from registry.store.reads.filters import AS_OF_SORTS, DEFAULT_LIMIT, Filters
from registry.store.reads.intervals import (
    LAST_DAY,
    OPEN_SQL,
    agreement_intervals,
    agreement_texts,
    instant_number,
    party_intervals,
)

SORTS = AS_OF_SORTS


@dataclass(frozen=True)
class ListedParty:
    code: str
    status: PartyStatus


@dataclass(frozen=True)
class ListedAgreement:
    id: UUID
    reference: str
    title: str
    titles: dict[str, str]
    kind: AgreementKind
    character: LegalCharacter
    status: AgreementStatus
    parties: tuple[ListedParty, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "reference": self.reference,
            "title": self.title,
            "titles": dict(self.titles),
            "kind": self.kind.value,
            "character": self.character.value,
            "status": self.status.value,
            "parties": [{"code": p.code, "status": p.status.value} for p in self.parties],
        }


@dataclass(frozen=True)
class AgreementPage:
    agreements: tuple[ListedAgreement, ...]
    total: int  # matching every filter
    counts: dict[AgreementStatus, int] = field(default_factory=dict)  # ignoring `status`
    as_of: date | None = None
    known_at: datetime | None = None


def agreements_as_of(
    session: Session, filters: Filters, *, offset: int | None = None
) -> AgreementPage:
    """Agreements by reference as of `filters.as_of` (None: no cut-off), known at
    `filters.known_at` (None: everything recorded); `limit=None` lists them all. `sort` by the
    first signature or entry into force (with a party: that party's own), then by reference;
    dates not yet known last. ViewsIncomplete while a rebuild or an import is unfinished."""
    as_of, known_at, sort, descending = (
        filters.as_of,
        filters.known_at,
        filters.sort,
        filters.descending,
    )
    limit = filters.limit
    offset = filters.offset if offset is None else offset  # a window other than a page
    if sort not in SORTS:
        raise ValueError(f"cannot sort by {sort!r}")
    _one_snapshot(session)
    require_complete_views(session)  # in the same snapshot as the list
    when = When(as_of or LAST_DAY, instant_number(known_at) if known_at is not None else None)
    # With a party, its own rows (which carry the agreement's columns) answer the question.
    table = party_intervals if filters.party is not None else agreement_intervals
    wanted = _filters(table, filters)
    paged: list[Any] | None = None
    if filters.q:
        order = (sort, descending)
        keys, others = _text_keys(session, filters.q)
        key = table.c.titles_key
        if keys is not None:  # the texts found name few rows: read just those
            wanted = [*wanted[:-1], key.in_(keys)]
        if keys is not None or others is None:
            args = (wanted, filters.status, limit, offset, order)
            counts, ids = _searched(session, table, when, *args)
        else:  # most texts match: the list without the search, less the few that do not
            wanted = wanted[:-1]
            counts = _less(
                _counts(session, table, when, filters),
                _counted(session, table, when, [*wanted, key.in_(others)]),
            )
            listed = [*wanted, key.not_in(others), *_status(table, filters.status)]
            paged = _page(session, table, when, listed, limit, offset, sort, descending)
    else:
        counts = _counts(session, table, when, filters)
        listed = [*wanted, *_status(table, filters.status)]
        paged = _page(session, table, when, listed, limit, offset, sort, descending)
    if paged is not None:
        ids = [row.agreement_id for row in paged]
    if paged is not None and table is agreement_intervals:  # the page's rows are the rows
        rows = {row.agreement_id: row for row in paged}
    else:
        rows = _rows(session, ids, when)
    parties = _party_statuses(session, ids, when)
    return AgreementPage(
        agreements=tuple(_agreement(rows[i], parties.get(i, {})) for i in ids),
        total=_total(counts, filters.status),
        counts=counts,
        as_of=as_of,
        known_at=known_at,
    )


def _one_snapshot(session: Session) -> None:
    """The counts, the page and its rows from one snapshot, whatever is recorded meanwhile
    (SQLite's read transactions already see one; PostgreSQL's default sees one per query)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@dataclass(frozen=True)
class When:
    day: date
    instant: int | None  # None: the rows still believed

    @property
    def params(self) -> dict[str, Any]:
        """The values of the bound `_bound_rows` conditions."""
        found: dict[str, Any] = {"day": self.day}
        if self.instant is not None:
            found["instant"] = self.instant
        return found

    def rows(self, table: Table, *, believed: ColumnElement[bool] | None = None) -> list[Any]:
        """The rows in force on the day, as known at the instant. `believed` replaces the
        test for rows still believed (see `_page`)."""
        c = table.c
        valid = [c.valid_from <= self.day, c.valid_until >= self.day]
        if self.instant is None:
            return [*valid, c.recorded_to == OPEN_SQL if believed is None else believed]
        return [*valid, c.recorded_from <= self.instant, c.recorded_to > self.instant]


def _bound_rows(table: Table, known_at_an_instant: bool) -> list[Any]:
    """`When.rows` with the day and the instant as bound parameters (`When.params`)."""
    c = table.c
    valid = [c.valid_from <= bindparam("day"), c.valid_until >= bindparam("day")]
    if not known_at_an_instant:
        return [*valid, c.recorded_to == OPEN_SQL]
    instant = bindparam("instant")
    return [*valid, c.recorded_from <= instant, c.recorded_to > instant]


# The filters that `_bound_filters` writes as bound parameters, by name (`_filter_params`).
BOUND_FILTERS = ("party", "kind", "character")


def _filter_params(filters: Filters) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if filters.party is not None:
        found["party"] = filters.party
    if filters.kind is not None:
        found["kind"] = filters.kind.value
    if filters.character is not None:
        found["character"] = filters.character.value
    return found


def _bound_filters(table: Table, names: Iterable[str]) -> list[ColumnElement[bool]]:
    """The conditions of `_filters` for `names` (of BOUND_FILTERS), values bound by name."""
    return [table.c[name] == bindparam(name) for name in names]


def _filters(table: Table, filters: Filters) -> list[ColumnElement[bool]]:
    c = table.c
    wanted: list[ColumnElement[bool]] = []
    if filters.party is not None:
        wanted.append(c.party == filters.party)
    if filters.kind is not None:
        wanted.append(c.kind == filters.kind.value)
    if filters.character is not None:
        wanted.append(c.character == filters.character.value)
    if filters.q:  # last: a search replaces it (agreements_as_of)
        wanted.append(
            (c.titles_key + 0).in_(select(agreement_texts.c.key).where(_matches(filters.q)))
        )
    return wanted


def _matches(q: str) -> ColumnElement[bool]:
    t = agreement_texts
    pattern = _pattern(q)
    return or_(  # the texts are stored in search_text's form
        t.c.reference.like(pattern, escape="\\"),
        t.c.titles_text.like(pattern, escape="\\"),
    )


FEW = 200  # texts: a search that matches fewer (or all but fewer) reads only their rows


def _text_keys(session: Session, q: str) -> tuple[list[int] | None, list[int] | None]:
    """The keys of the texts that match `q` if they are fewer than FEW, else of those that
    do not if they are; None for either that is not. A broad search's first query stops
    after FEW texts found; a narrow one's second is not made."""
    t = agreement_texts
    found = list(session.scalars(select(t.c.key).where(_matches(q)).limit(FEW)))
    if len(found) < FEW:
        return [int(key) for key in found], None
    others = list(session.scalars(select(t.c.key).where(~_matches(q)).limit(FEW)))
    return None, ([int(key) for key in others] if len(others) < FEW else None)


def _counted(
    session: Session, table: Table, when: When, wanted: list[Any]
) -> dict[AgreementStatus, int]:
    """`_counts` of the rows `wanted` names, when they are few (through `by_text`)."""
    c = table.c
    query = select(c.status, func.count()).where(*when.rows(table), *wanted).group_by(c.status)
    return _tally(session.execute(query))


def _less(
    counts: dict[AgreementStatus, int], fewer: dict[AgreementStatus, int]
) -> dict[AgreementStatus, int]:
    found = {status: n - fewer.get(status, 0) for status, n in counts.items()}
    return {status: n for status, n in found.items() if n}


def _status(table: Table, status: AgreementStatus | None) -> list[ColumnElement[bool]]:
    if status is not None:
        return [table.c.status == status.value]
    return [table.c.status != AgreementStatus.NOT_YET_DRAFTED.value]


def _pattern(q: str) -> str:
    """A LIKE pattern for text in search_text's normal form (the stored texts are in it)."""
    return f"%{_escaped(search_text(q))}%"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _counts(
    session: Session, table: Table, when: When, filters: Filters
) -> dict[AgreementStatus, int]:
    """Counted per status, one range each in the `now` index: no sort, and only the rows
    whose period reaches the day; known at an instant, the rows closed since add theirs.
    The statement is built once per table and filters asked for (`_counts_query`)."""
    values = _filter_params(filters)
    query = _counts_query(table, when.instant is not None, tuple(values))
    return _tally(session.execute(query, {**when.params, **values}))


@functools.cache
def _counts_query(table: Table, known_at_an_instant: bool, names: tuple[str, ...]) -> Any:
    c = table.c
    wanted = _bound_filters(table, names)
    valid = [c.valid_from <= bindparam("day"), c.valid_until >= bindparam("day")]
    believed = [c.recorded_to == OPEN_SQL]
    if known_at_an_instant:
        believed.append(c.recorded_from <= bindparam("instant"))
    queries = [
        select(_inline(status.value), func.count()).where(
            c.status == _inline(status.value), *believed, *valid, *wanted
        )
        for status in AgreementStatus
    ]
    if known_at_an_instant:
        closed = [c.recorded_to < OPEN_SQL, c.recorded_to > bindparam("instant")]
        since = [c.recorded_from <= bindparam("instant"), *valid, *wanted]
        queries.append(select(c.status, func.count()).where(*closed, *since).group_by(c.status))
    return union_all(*queries)


def _searched(
    session: Session,
    table: Table,
    when: When,
    wanted: list[Any],
    status: AgreementStatus | None,
    limit: int | None,
    offset: int,
    order: tuple[str, bool] = ("reference", False),
) -> tuple[dict[AgreementStatus, int], list[str]]:
    """A search: the texts are scanned once and the rows they name read through the
    `by_text` index into one materialised set, from which the database makes both the counts
    and the page (one statement: the hits never travel to Python, only the page's ids)."""
    c = table.c
    sort, descending = order
    hits = (
        select(c.status, c.reference, c.agreement_id, c[sort].label("key"))
        .where(*when.rows(table), *wanted)
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    counted = select(
        literal_column("0").label("part"),
        hits.c.status,
        func.count().label("n"),
        cast(null(), String(36)).label("id"),
    ).group_by(hits.c.status)
    drafted = AgreementStatus.NOT_YET_DRAFTED.value
    shown = hits.c.status == status.value if status is not None else hits.c.status != drafted
    reference = [hits.c.reference, hits.c.agreement_id]
    if descending:
        reference = [column.desc() for column in reference]
    ordering = reference
    if sort != "reference":
        key = hits.c.key.desc() if descending else hits.c.key.asc()
        ordering = [hits.c.key.is_(None), key, hits.c.reference, hits.c.agreement_id]
    page = (
        select(
            literal_column("1").label("part"),
            hits.c.status,
            literal_column("0").label("n"),
            hits.c.agreement_id,
        )
        .where(shown)
        .order_by(*ordering)
        .offset(offset)
    )
    if limit is not None:
        page = page.limit(limit)
    paged = page.subquery("paged")
    rows = session.execute(union_all(counted, select(paged))).all()
    counts = _tally((row.status, row.n) for row in rows if row.part == 0)
    return counts, [row.id for row in rows if row.part == 1]


def _tally(rows: Iterable[Any]) -> dict[AgreementStatus, int]:
    counts: dict[AgreementStatus, int] = {}
    for value, count in rows:
        if count:
            status = AgreementStatus(value)
            counts[status] = counts.get(status, 0) + count
    return counts


def _inline(value: str) -> ColumnElement[str]:
    """A constant written into the SQL, so that each branch is planned for its status (an
    enum's value, a plain word: quoted as it is)."""
    assert value.replace("_", "").isalnum(), value
    return literal_column(f"'{value}'", String)


def _total(counts: dict[AgreementStatus, int], status: AgreementStatus | None) -> int:
    if status is not None:
        return counts.get(status, 0)
    return sum(n for s, n in counts.items() if s is not AgreementStatus.NOT_YET_DRAFTED)


def _page(
    session: Session,
    table: Table,
    when: When,
    wanted: list[ColumnElement[bool]],
    limit: int | None,
    offset: int,
    sort: str = "reference",
    descending: bool = False,
) -> list[Any]:
    """The page's rows, walking the `by_reference` index until the page is full: whole rows
    of `agreement_intervals` (those `_rows` would read), only the agreement ids of a party's.

    Rows still believed are tested with `>=` (the same rows: nothing is recorded after
    OPEN) so that the planner does not take the `now` index, which would sort every row."""
    believed = table.c.recorded_to >= OPEN_SQL
    columns = [table] if table is agreement_intervals else [table.c.agreement_id]
    query = (
        select(*columns)
        .where(*when.rows(table, believed=believed), *wanted)
        .order_by(*_order(table, sort, descending))
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query))


def _order(table: Table, sort: str, descending: bool) -> list[Any]:
    reference = table.c.reference.desc() if descending else table.c.reference
    if sort == "reference":
        return [reference]
    key = table.c[sort].desc() if descending else table.c[sort].asc()
    return [key.nulls_last(), table.c.reference]


def _rows(session: Session, ids: list[str], when: When) -> dict[str, Any]:
    found = {}
    query = _rows_query(agreement_intervals, when.instant is not None)
    for chunk in _chunks(ids):
        for row in session.execute(query, {"ids": chunk, **when.params}):
            found[row.agreement_id] = row
    return found


def _party_statuses(
    session: Session, ids: Sequence[str], when: When
) -> dict[str, dict[str, PartyStatus]]:
    found: dict[str, dict[str, PartyStatus]] = {}
    query = _rows_query(party_intervals, when.instant is not None)
    for chunk in _chunks(list(ids)):
        for row in session.execute(query, {"ids": chunk, **when.params}):
            found.setdefault(row.agreement_id, {})[row.party] = PartyStatus(row.party_status)
    return found


@functools.cache
def _rows_query(table: Table, known_at_an_instant: bool) -> Any:
    """The rows of the agreements `ids` on the day (built once: see `_counts_query`)."""
    c = table.c
    columns = [c.agreement_id, c.party, c.party_status] if table is party_intervals else [table]
    return select(*columns).where(
        c.agreement_id.in_(bindparam("ids", expanding=True)),
        *_bound_rows(table, known_at_an_instant),
    )


def _agreement(row: Any, statuses: dict[str, PartyStatus]) -> ListedAgreement:
    return ListedAgreement(
        id=UUID(row.agreement_id),
        reference=row.reference,
        title=row.title,
        titles=json.loads(row.titles),
        kind=AgreementKind(row.kind),
        character=LegalCharacter(row.character),
        status=AgreementStatus(row.status),
        parties=tuple(ListedParty(code, statuses[code]) for code in json.loads(row.parties)),
    )


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# -- the current state: the summary read model ------------------------------------------------

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
        found.append(c.titles_text.like(_pattern(filters.q), escape="\\"))
    if filters.party:
        padded = literal(",") + c.parties + literal(",")
        found.append(padded.like(f"%,{_escaped(filters.party)},%", escape="\\"))
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


__all__ = [
    "AgreementPage",
    "CurrentPage",
    "Filters",
    "ListedAgreement",
    "ListedParty",
    "agreements_as_of",
    "current_agreements",
]
