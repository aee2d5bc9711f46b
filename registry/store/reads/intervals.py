"""The registry-wide as-of read model: status intervals in both clocks, per agreement and party.

Each row says: from `valid_from` to `valid_until` (effective dates, both inclusive) the agreement
(or one party of it) stood so, according to what the registry had recorded from `recorded_from`
until just before `recorded_to` (recorded instants, as microseconds since 1970-01-01 UTC). "Every
agreement as of D, known at T" is one row per agreement: valid_from <= D <= valid_until and
recorded_from <= T < recorded_to. A party's rows also carry the agreement's own columns, so that
"the agreements of party P" is the same query on the party table.

Open ends are sentinels, not NULLs, so that both clocks are plain ranges for the indexes:
`valid_until` is `date.max` (which is also how `as_of=None`, no cut-off, is answered: every
act has started by then) and `recorded_to` is `OPEN`, later than any real instant.

Maintenance is the classic bitemporal "close and reinsert": after each event of an agreement,
recorded at instant r, the rows of its timeline as known at r that differ from the open ones
are closed (recorded_to = r) and the new ones inserted (recorded_from = r). projection.py does
it, incrementally, for every writer; this module declares the tables.

Search text (reference and titles) lives once per agreement and wording in
`registry_agreement_texts`; rows point to it by `titles_key`, so a search tests a few keys in
the index instead of reading every row.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    literal_column,
)
from sqlalchemy.orm import Session

from registry.domain.catalogue import standing_neutral
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    pass

PARTY_ACTS = ("signed", "consent", "consented", "in_force", "withdrawal")  # timeline.party_acts
LAST_DAY = date.max
OPEN = 2**63 - 1  # recorded_to of the rows still believed: after any instant
OPEN_SQL = literal_column(str(OPEN))  # written into the SQL, so that the partial indexes apply
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant_number(moment: datetime) -> int:
    """An instant as the integer the tables hold: microseconds since 1970-01-01 UTC."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def _reference() -> Column[str]:
    # byte order on PostgreSQL too, the order of SQLite and of Python's str
    kind = String(64).with_variant(String(64, collation="C"), "postgresql")
    return Column("reference", kind, nullable=False)


def _period() -> list[Column[Any]]:
    return [
        Column("valid_from", Date, nullable=False),
        Column("valid_until", Date, nullable=False),
        Column("recorded_from", BigInteger, nullable=False),
        Column("recorded_to", BigInteger, nullable=False),
    ]


agreement_intervals = Table(
    "registry_agreement_intervals",
    metadata,
    Column("agreement_id", String(36), nullable=False),
    *_period(),
    Column("status", String(30), nullable=False),
    _reference(),
    Column("title", Text, nullable=False),
    Column("titles", Text, nullable=False),  # JSON object, language -> title
    Column("titles_key", BigInteger, nullable=False),  # registry_agreement_texts.key
    Column("kind", String(40), nullable=False),
    Column("character", String(20), nullable=False),
    Column("parties", Text, nullable=False),  # JSON list of codes, in the state's order
    # the first signature and the first entry into force known on those days (reduced ISO
    # dates), for sorting lists by them
    Column("signed", String(10), nullable=True),
    Column("in_force", String(10), nullable=True),
    PrimaryKeyConstraint("agreement_id", "valid_from", "recorded_from"),
)

party_intervals = Table(
    "registry_party_intervals",
    metadata,
    Column("agreement_id", String(36), nullable=False),
    Column("party", String(64), nullable=False),
    *_period(),
    Column("party_status", String(30), nullable=False),
    # the party's own acts known on those days (reduced ISO dates, a consent kind), for
    # "a party's agreements" (store/party_view.py)
    *(Column(name, String(30), nullable=True) for name in PARTY_ACTS),
    Column("status", String(30), nullable=False),  # the agreement's, and so on
    _reference(),
    Column("titles_key", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("character", String(20), nullable=False),
    PrimaryKeyConstraint("agreement_id", "party", "valid_from", "recorded_from"),
)

agreement_texts = Table(
    "registry_agreement_texts",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(36), nullable=False, index=True),
    Column("reference", String(64), nullable=False),  # in search_text's form, as the titles
    Column("titles_text", Text, nullable=False),  # every title, one a line, in that form
)


def _indexes(table: Table, *lead: str) -> None:
    """The three ways in, each covering what the lists filter, count and sort on.

    `now`: the rows still believed, by status then period end, so that counting by status as
    of D is one range per status (no sort) over mostly one row per agreement: for a past D,
    its periods that end on or after D. `past`: the rows closed since, by when they were
    closed, for "known at T" (few, unless T is long ago). `by_reference`: every row, in list
    order, for the page: walked until the page is full, both clocks tested in the index.
    `by_text`: every row by its wording, for a search, which starts from the texts found.
    `now_by_kind`: `now` led by the kind, so that a kind filter counts only its own rows.
    """
    current, closed = table.c.recorded_to == OPEN_SQL, table.c.recorded_to < OPEN_SQL
    period = ("valid_until", "valid_from", "recorded_from")
    listed = ("kind", "character", "titles_key")
    for name, columns, where in (
        ("now", (*lead, "status", *period, *listed, "recorded_to"), current),
        ("now_by_kind", (*lead, "kind", "status", *period, "character", "titles_key",
                         "recorded_to"), current),
        ("past", (*lead, "recorded_to", *period, "status", *listed), closed),
        ("by_reference", (*lead, "reference", *period, "recorded_to", "status", *listed,
                          "agreement_id"), None),
        ("by_text", ("titles_key", *lead, *period, "recorded_to", "status", "kind",
                     "character", "reference", "agreement_id"), None),
    ):  # fmt: skip
        Index(
            f"{table.name}_{name}",
            *(table.c[column] for column in columns),
            sqlite_where=where,
            postgresql_where=where,
        )


_indexes(agreement_intervals)
_indexes(party_intervals, "party")

# -- rows from a timeline --------------------------------------------------------------------

AGREEMENT = "agreement"
PARTY = "party"
VALUES = {  # the columns that say what a row says: all but agreement_id and the recorded period
    AGREEMENT: ("valid_from", "valid_until", "status", "reference", "title", "titles",
                "titles_key", "kind", "character", "parties", "signed", "in_force"),
    PARTY: ("party", "valid_from", "valid_until", "party_status", "status", "reference",
            "titles_key", "kind", "character", *PARTY_ACTS),
}  # fmt: skip
TABLES = {AGREEMENT: agreement_intervals, PARTY: party_intervals}


def titles_key(agreement_id: str, reference: str, titles_text: str) -> int:
    """The same key for the same wording of the same agreement, here and in a rebuild."""
    digest = hashlib.sha256(f"{agreement_id}\n{reference}\n{titles_text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: a BIGINT everywhere


# Events that change no status, name or party in a standing (see domain.timeline.Standing):
# recording one leaves every interval as it was, so maintenance need not recompute them.
STANDING_NEUTRAL = standing_neutral()  # declared per type: `standing=False`


# -- writing many rows -----------------------------------------------------------------------


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) in one batch below the ORM (`insert_bound`).
    Each value goes through its column type's own bind processing, so the rows stored are
    those `session.execute(insert(table), rows)` stores (a bulk load writes tens of thousands)."""
    if rows:
        insert_bound(session, table, bound_rows(table, rows, session.connection().dialect))


Bound = tuple[list[str], list[Any]]  # column names, each row's values as the driver takes them

# A batch of at most this many rows is one multi-row INSERT on PostgreSQL (one round trip);
# a larger one is a COPY (two round trips, but far less work per row).
SMALL_BATCH = 200


def bound_rows(table: Table, rows: list[dict[str, Any]], dialect: Any) -> Bound:
    """`rows` as `insert_bound` writes them (made where the rows are: a bulk worker)."""
    if not rows:
        return [], []
    names = [column.name for column in table.columns if column.name in rows[0]]
    if dialect.name == "postgresql":
        return names, [[row[name] for name in names] for row in rows]
    processors = _processors(table, tuple(names), dialect)
    return names, [
        tuple(
            row[name] if process is None else process(row[name])
            for name, process in zip(names, processors, strict=True)
        )
        for row in rows
    ]


def insert_bound(session: Session, table: Table, bound: Bound) -> None:
    """Insert rows bound by `bound_rows`: the driver's executemany of one INSERT (compiled
    once per table and columns) on SQLite; on PostgreSQL one multi-row INSERT for a small
    batch (a commit's few rows), COPY for a large one."""
    names, values = bound
    if not values:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        connection.exec_driver_sql(_sqlite_insert(table, tuple(names), ""), values)
    elif len(values) <= SMALL_BATCH:
        _insert_postgres(connection, table, names, "", values)
    else:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        columns = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f"COPY {_qualified(table)} ({columns}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)


def upsert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows`, each replacing the row of the same primary key if there is one (what
    a DELETE of those keys and an INSERT store), in one statement: INSERT ... ON CONFLICT
    DO UPDATE, on SQLite and PostgreSQL. The rows' keys must differ."""
    if not rows:
        return
    connection = session.connection()
    names, values = bound_rows(table, rows, connection.dialect)
    upsert = _upsert_clause(table, tuple(names))
    if connection.dialect.name == "postgresql":
        for start in range(0, len(values), SMALL_BATCH):
            part = values[start : start + SMALL_BATCH]
            _insert_postgres(connection, table, names, upsert, part)
    else:
        connection.exec_driver_sql(_sqlite_insert(table, tuple(names), upsert), values)


def close_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Set `recorded_to` = row["to"] on the stored rows whose primary key columns equal
    row["k_<column>"]: the driver's executemany of one UPDATE, made once per table."""
    if not rows:
        return
    connection = session.connection()
    keys = tuple(column.name for column in table.primary_key.columns)
    names = [f"k_{key}" for key in keys]
    processors = _processors(table, keys, connection.dialect)
    values = [
        (
            row["to"],
            *(
                row[name] if process is None else process(row[name])
                for name, process in zip(names, processors, strict=True)
            ),
        )
        for row in rows
    ]
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    where = " AND ".join(f'"{key}" = {mark}' for key in keys)
    statement = f'UPDATE {_qualified(table)} SET "recorded_to" = {mark} WHERE {where}'
    connection.exec_driver_sql(statement, values)


@lru_cache(maxsize=256)
def _processors(table: Table, names: tuple[str, ...], dialect: Any) -> tuple[Any, ...]:
    return tuple(table.c[name].type._cached_bind_processor(dialect) for name in names)


@lru_cache(maxsize=256)
def _sqlite_insert(table: Table, names: tuple[str, ...], tail: str) -> str:
    """The INSERT of one row of `names` (executemany runs it for each), then `tail`."""
    columns = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO {_qualified(table)} ({columns}) VALUES ({marks}){tail}"


def _insert_postgres(
    connection: Any, table: Table, names: list[str], tail: str, values: list[Any]
) -> None:
    """One INSERT of every row in `values`, then `tail`: one round trip."""
    columns = ", ".join(f'"{name}"' for name in names)
    row = "(" + ", ".join(["%s"] * len(names)) + ")"
    flat = [value for one in values for value in one]
    statement = (
        f"INSERT INTO {_qualified(table)} ({columns}) VALUES {', '.join([row] * len(values))}"
    )
    connection.exec_driver_sql(statement + tail, tuple(flat))


@lru_cache(maxsize=256)
def _upsert_clause(table: Table, names: tuple[str, ...]) -> str:
    keys = [column.name for column in table.primary_key.columns]
    changed = [name for name in names if name not in keys]
    sets = ", ".join(f'"{name}" = excluded."{name}"' for name in changed)
    on = ", ".join(f'"{key}"' for key in keys)
    return f" ON CONFLICT ({on}) DO UPDATE SET {sets}"


def _qualified(table: Table) -> str:
    return ".".join(f'"{part}"' for part in (table.schema, table.name) if part)
