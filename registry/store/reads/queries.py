"""Lists over the whole registry as of a date, as known at an instant: indexed SQL over the
status intervals (intervals.py), never a replay of every agreement.

`agreements_as_of` answers what `history.state_as_of(events, as_of, known_at)` answers for each
agreement, for one page of them, with the total and the counts by status. An agreement known
at `known_at` but drafted after `as_of` has the status NOT_YET_DRAFTED: it is counted, but
listed only when that status is asked for.

The counts read the `now` and `past` indexes, the page walks the `by_reference` index (see
intervals.py): every filter is tested in the index, and only the page's rows are read. A list
is one statement (`_answer`: the counts, which also say whether the read models are complete,
the page and its parties' standings), a search two (`_left_out` first).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from registry.domain.values import AgreementStatus, PartyStatus
from registry.store.events.unfinished import require_complete_views, unfinished
from registry.store.reads.current import CurrentPage, current_agreements
from registry.store.reads.filters import AS_OF_SORTS, Filters
from registry.store.reads.intervals import (
    LAST_DAY,
    OPEN_SQL,
    agreement_intervals,
    agreement_texts,
    instant_number,
    party_intervals,
)
from registry.store.reads.listed import (
    AgreementPage,
    ListedAgreement,
    ListedParty,
    When,
    bound_rows,
    listed_agreement,
    pattern,
)

SORTS = AS_OF_SORTS
UNFINISHED = "views_unfinished"  # the counts' row that says whether an import is unfinished


def agreements_as_of(
    session: Session, filters: Filters, *, offset: int | None = None
) -> AgreementPage:
    """Agreements by reference as of `filters.as_of` (None: no cut-off), known at
    `filters.known_at` (None: everything recorded); `limit=None` lists them all. `sort` by the
    first signature or entry into force (with a party: that party's own), then by reference;
    dates not yet known last. ViewsIncomplete while a rebuild or an import is unfinished."""
    if filters.sort not in SORTS:
        raise ValueError(f"cannot sort by {filters.sort!r}")
    known_at = filters.known_at
    when = When(filters.as_of or LAST_DAY, None if known_at is None else instant_number(known_at))
    values = _filter_params(filters)
    shape = Shape(
        # With a party, its own rows (which carry the agreement's columns) answer the question.
        table=party_intervals if filters.party is not None else agreement_intervals,
        known=when.instant is not None,
        names=tuple(values),
        status=filters.status is not None,
        search=None,
        sort=filters.sort,
        descending=filters.descending,
        limited=filters.limit is not None,
        one_scan=session.get_bind().dialect.name == "postgresql",
    )
    params = {**when.params, **values, "offset": filters.offset if offset is None else offset}
    if filters.status is not None:
        params["status"] = filters.status.value
    if filters.limit is not None:
        params["limit"] = filters.limit
    if not filters.q:
        counts, rows, parties = _listed(session, shape, params)
    else:
        _one_snapshot(session)  # a search is two statements
        others = _left_out(session, filters.q)
        if others is None:  # the rows of the texts found, through `by_text`
            shape, params["pattern"] = replace(shape, search=Search.MATCH), pattern(filters.q)
            counts, rows, parties = _listed(session, shape, params)
        else:  # most texts match: the list without the search, less the few that do not
            if others:  # (an empty IN is not written the same way by every dialect)
                shape, params["others"] = replace(shape, search=Search.OTHERS), others
            counts, rows, parties = _listed(session, shape, params)
    return AgreementPage(
        agreements=tuple(listed_agreement(row, parties.get(row.agreement_id, {})) for row in rows),
        total=_total(counts, filters.status),
        counts=counts,
        as_of=filters.as_of,
        known_at=known_at,
    )


class Search(Enum):
    """How a search selects rows (`_left_out` tells which)."""

    OTHERS = "others"  # every row but those of the few texts left out (bound `others`)
    MATCH = "match"  # the rows of the texts that match the bound `pattern`


@dataclass(frozen=True)
class Shape:
    """What a list's statements depend on besides their bound values: each statement is
    built once per shape (SQLAlchemy's construction costs more than a small list's SQL)."""

    table: Table
    known: bool  # known at an instant (else: the rows still believed)
    names: tuple[str, ...]  # the bound filters asked for (BOUND_FILTERS)
    status: bool  # a status asked for (bound `status`; else every status but not yet drafted)
    search: Search | None
    sort: str
    descending: bool
    limited: bool  # a bound `limit` (else every agreement from `offset`)
    one_scan: bool  # the counts in one scan (see `_counts_query`)

    def order(self, columns: Any, *, tie: bool = True) -> list[Any]:
        """The list's order over `columns` (a table's, or a statement's with a `sort_key`),
        ties broken by agreement id unless `tie` is false (a table's page: the order its
        `by_reference` index gives)."""
        reference = columns.reference.desc() if self.descending else columns.reference.asc()
        ties = [columns.agreement_id] if tie else []
        if self.sort == "reference":
            return [reference, *ties]
        key = columns.get(self.sort)
        key = columns.sort_key if key is None else key  # a statement's, or the table's own
        key = key.desc() if self.descending else key.asc()
        return [key.nulls_last(), columns.reference, *ties]

    def window(self, query: Any) -> Any:
        query = query.offset(bindparam("offset"))
        return query.limit(bindparam("limit")) if self.limited else query

    def wanted(self, table: Table) -> list[ColumnElement[bool]]:
        """The bound filters and the search (not the status: the counts ignore it)."""
        found = [table.c[name] == bindparam(name) for name in self.names]
        key = table.c.titles_key
        if self.search is Search.OTHERS:
            found.append(key.not_in(bindparam("others", expanding=True)))
        elif self.search is Search.MATCH:
            # from each text found to its rows through `by_text` (SQLite scanned every row
            # still believed, testing each key against the list, when the key was hidden
            # from the index: 2.5-3.7 times the summary's scan for a word in one title of 7)
            texts = select(agreement_texts.c.key).where(_matches(bindparam("pattern")))
            found.append(key.in_(texts))
        return found

    def shown(self, column: Any) -> ColumnElement[bool]:
        if self.status:
            return column == bindparam("status")
        return column != _inline(AgreementStatus.NOT_YET_DRAFTED.value)


def _one_snapshot(session: Session) -> None:
    """The counts, the page and its rows from one snapshot, whatever is recorded meanwhile
    (SQLite's read transactions already see one; PostgreSQL's default sees one per query)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


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


def _matches(found: Any) -> ColumnElement[bool]:
    """The texts that hold the LIKE pattern `found` (see `listed.pattern`)."""
    t = agreement_texts
    return or_(  # the texts are stored in search_text's form
        t.c.reference.like(found, escape="\\"),
        t.c.titles_text.like(found, escape="\\"),
    )


FEW = 200  # texts: a search that all but fewer match is the list less their rows


def _left_out(session: Session, q: str) -> list[int] | None:
    """The keys of the texts `q` does not match if they are fewer than FEW, else None: one
    statement, which stops after FEW such texts and then returns one row."""
    found = session.execute(_left_out_query(FEW), {"pattern": pattern(q)}).all()
    if found[0].n >= FEW:
        return None
    return [int(row.key) for row in found if row.key is not None]


@functools.cache
def _left_out_query(few: int) -> Any:
    t = agreement_texts
    others = select(t.c.key).where(~_matches(bindparam("pattern"))).limit(few).cte("others")
    counted = select(func.count().label("n")).select_from(others).subquery("counted")
    return select(others.c.key, counted.c.n).select_from(
        counted.outerjoin(others, counted.c.n < few)
    )


@functools.cache
def _counts_query(
    table: Table, known_at_an_instant: bool, names: tuple[str, ...], less: bool, one_scan: bool
) -> Any:
    """Per status, a range of the `now` index (`now_by_kind` with a kind): a branch each,
    or (`one_scan`, for PostgreSQL, whose planner takes longer over sixteen branches than
    its executor over the ranges) one scan that descends the index once per status."""
    c = table.c
    wanted = [table.c[name] == bindparam(name) for name in names]
    valid = [c.valid_from <= bindparam("day"), c.valid_until >= bindparam("day")]
    believed = [c.recorded_to == OPEN_SQL]
    if known_at_an_instant:
        believed.append(c.recorded_from <= bindparam("instant"))
    queries = [
        select(_inline(status.value).label("status"), func.count().label("n")).where(
            c.status == _inline(status.value), *believed, *valid, *wanted
        )
        for status in AgreementStatus
    ]
    if one_scan:
        every = c.status.in_([_inline(status.value) for status in AgreementStatus])
        queries = [
            select(c.status.label("status"), func.count().label("n"))
            .where(every, *believed, *valid, *wanted)
            .group_by(c.status)
        ]
    if known_at_an_instant:
        closed = [c.recorded_to < OPEN_SQL, c.recorded_to > bindparam("instant")]
        since = [c.recorded_from <= bindparam("instant"), *valid, *wanted]
        queries.append(select(c.status, func.count()).where(*closed, *since).group_by(c.status))
    if less:
        left_out = c.titles_key.in_(bindparam("others", expanding=True))
        rows = bound_rows(table, known_at_an_instant)
        queries.append(
            select(c.status, -func.count()).where(*rows, *wanted, left_out).group_by(c.status)
        )
    queries.append(select(_inline(UNFINISHED), func.count()).select_from(unfinished))
    return union_all(*queries)


@functools.cache
def _searched_query(shape: Shape) -> Any:
    """A search's page and counts: the texts are scanned once and the rows they name read
    through the `by_text` index into one materialised set, from which the database makes
    both (the hits never travel to Python, only the page)."""
    table = shape.table
    c = table.c
    hits = (
        select(c.status, c.reference, c.agreement_id, c[shape.sort].label("sort_key"))
        .where(*bound_rows(table, shape.known), *shape.wanted(table))
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    found = select(hits.c.agreement_id, hits.c.reference, hits.c.sort_key)
    page = shape.window(found.where(shape.shown(hits.c.status)).order_by(*shape.order(hits.c)))
    counted = union_all(
        select(hits.c.status, func.count().label("n")).group_by(hits.c.status),
        select(_inline(UNFINISHED), func.count()).select_from(unfinished),
    )
    return _answer(shape, page.cte("page"), counted.subquery("counted"))


def _tally(session: Session, rows: Iterable[Any]) -> dict[AgreementStatus, int]:
    counts: dict[AgreementStatus, int] = {}
    for value, count in rows:
        if value == UNFINISHED:
            if count:
                require_complete_views(session)  # raises, saying how to finish
        elif count:
            status = AgreementStatus(value)
            counts[status] = counts.get(status, 0) + count
    return {status: n for status, n in counts.items() if n}


def _inline(value: str) -> ColumnElement[str]:
    """A constant written into the SQL, so that each branch is planned for its status (an
    enum's value, a plain word: quoted as it is)."""
    assert value.replace("_", "").isalnum(), value
    return literal_column(f"'{value}'", String)


def _total(counts: dict[AgreementStatus, int], status: AgreementStatus | None) -> int:
    if status is not None:
        return counts.get(status, 0)
    return sum(n for s, n in counts.items() if s is not AgreementStatus.NOT_YET_DRAFTED)


ROW = ("agreement_id", "reference", "title", "titles", "kind", "character", "status", "parties")


def _listed(
    session: Session, shape: Shape, params: dict[str, Any]
) -> tuple[dict[AgreementStatus, int], list[Any], dict[str, dict[str, PartyStatus]]]:
    """The counts, the page's agreement rows in order, and their parties' standings, in
    one statement (`_listed_query`), so from one snapshot."""
    counted: list[tuple[str, int]] = []
    rows: list[Any] = []
    parties: dict[str, dict[str, PartyStatus]] = {}
    query = _searched_query(shape) if shape.search is Search.MATCH else _listed_query(shape)
    for row in session.execute(query, params):
        if row.part == 0:
            rows.append(row)
        elif row.part == 1:
            parties.setdefault(row.agreement_id, {})[row.party] = PartyStatus(row.party_status)
        else:
            counted.append((row.status, row.n))
    return _tally(session, counted), rows, parties


@functools.cache
def _listed_query(shape: Shape) -> Any:
    """The page walks the `by_reference` index until it is full (with a party, that party's
    rows, joined to the agreements' own); the standings are those of the page's agreements.

    Rows still believed are tested with `>=` (the same rows: nothing is recorded after
    OPEN) so that the planner does not take the `now` index, which would sort every row."""
    a, table = agreement_intervals, shape.table
    rows = bound_rows(table, shape.known)
    if not shape.known:
        rows[-1] = table.c.recorded_to >= OPEN_SQL
    key = table.c.reference if shape.sort == "reference" else table.c[shape.sort]
    columns = [a] if table is a else [table.c.agreement_id, table.c.reference]
    found = select(*columns, key.label("sort_key")).where(
        *rows, *shape.wanted(table), shape.shown(table.c.status)
    )
    page = shape.window(found.order_by(*shape.order(table.c, tie=False))).cte("page")
    less = shape.search is Search.OTHERS
    counts = _counts_query(table, shape.known, shape.names, less, shape.one_scan).subquery()
    return _answer(shape, page, counts)


def _answer(shape: Shape, page: Any, counts: Any) -> Any:
    """One statement for a list: its page's agreement rows in order (part 0: the `page` CTE's
    own, or read by its ids and `sort_key`), their parties' standings (part 1) and the
    `counts` (part 2: status, n), the other columns empty."""
    a, p = agreement_intervals, party_intervals
    key = page.c.sort_key
    if "title" in page.c:  # the page holds the agreements' rows
        listed = select(literal_column("0").label("part"), key, *page.c[ROW])
    else:
        listed = (
            select(literal_column("0").label("part"), key, *a.c[ROW])
            .join_from(a, page, a.c.agreement_id == page.c.agreement_id)
            .where(*bound_rows(a, shape.known))
        )
    nothing = [cast(null(), a.c[name].type).label(name) for name in ROW[1:]]
    ours = p.c.agreement_id.in_(select(page.c.agreement_id))
    standings = select(
        literal_column("1"), cast(null(), key.type), p.c.agreement_id, *nothing, p.c.party,
        p.c.party_status,
    ).where(ours, *bound_rows(p, shape.known))  # fmt: skip
    listed = listed.add_columns(null().label("party"), null().label("party_status"))
    status, n = counts.c
    counted = select(
        literal_column("2"), cast(null(), key.type), cast(null(), String(36)),
        *(status if name == "status" else cast(null(), a.c[name].type) for name in ROW[1:]),
        null(), null(), n,
    )  # fmt: skip
    none = cast(null(), n.type).label("n")
    both = union_all(listed.add_columns(none), standings.add_columns(none), counted)
    both = both.subquery("both")
    return select(both).order_by(both.c.part, *shape.order(both.c))


__all__ = [
    "AgreementPage",
    "CurrentPage",
    "Filters",
    "ListedAgreement",
    "ListedParty",
    "When",
    "agreements_as_of",
    "current_agreements",
]
