"""The statements of a small append (a web form's commit, a group of them), below the ORM.

A commit of a few events writes the same rows every time: the event rows, their log index
rows, the Merkle nodes they complete and the signed checkpoint. Through SQLAlchemy's Core each
statement costs more Python than the database takes to run it, and on PostgreSQL each is a
round trip. Here they are written with the driver's cursor, on the session's own connection
(so inside the write transaction that holds the lock): on PostgreSQL, the lock, the read
of the last event rows and of the log's size are one round trip and every insert (and the
NOTIFY eventsourcing's subscribers listen for) is one statement of data-modifying CTEs; on
SQLite, each statement is a plain `sqlite3` execute. Values go through each column's own
bind processing, so the rows are those SQLAlchemy stores. Larger writes (bulk loads) keep
SQLAlchemy's batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.orm import Session

from registry.store.events.log import PlannedAppend
from registry.store.events.tables import checkpoints, log_entries, merkle_nodes

SMALL_APPEND = 64  # event rows; a larger write takes SQLAlchemy's batched statements
CATCH_UP = 256  # rows written by others that a writer reads rather than its whole head

EventRow = tuple[UUID, int, str, bytes]  # originator_id, originator_version, topic, state


@dataclass(frozen=True)
class StoredRow:
    """An event row as read back under the lock."""

    id: int
    stream: UUID
    version: int
    state: bytes


class AppendStatements:
    def __init__(self, events: Table, dialect: Any, channel: str) -> None:
        self.postgres = dialect.name == "postgresql"
        self.events = _qualified(events)
        self.channel = channel
        self._stream = events.c.originator_id.type._cached_bind_processor(dialect)
        self._stream_of = events.c.originator_id.type._cached_result_processor(dialect, None)
        self._last = f"SELECT id, state FROM {self.events} ORDER BY id DESC LIMIT 1"
        self._event = (
            f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
        self._entry = (
            f"INSERT INTO {_qualified(log_entries)} (leaf_index, notification_id, stream_id, "
            "version, type, recorded, envelope_sha256) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self._size = f"SELECT max(leaf_index) FROM {_qualified(log_entries)}"
        self._node = f"INSERT INTO {_qualified(merkle_nodes)} (level, idx, hash) VALUES (?, ?, ?)"
        self._checkpoint = (
            f"INSERT INTO {_qualified(checkpoints)} (size, root_hash, note, issued) "
            "VALUES (?, ?, ?, ?)"
        )

    @staticmethod
    def cursor(session: Session) -> Any:
        """A driver cursor on the session's connection (which begins its transaction)."""
        return session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def lock_and_last_row(self, cursor: Any) -> tuple[int, bytes] | None:
        """Take the write lock (PostgreSQL; SQLite's BEGIN IMMEDIATE took it) and read the
        last event row: one round trip."""
        if self.postgres:
            cursor.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE; {self._last}")
            cursor.nextset()
        else:
            cursor.execute(self._last)
        row = cursor.fetchone()
        return (int(row[0]), bytes(row[1])) if row is not None else None

    def lock_and_rows_from(self, cursor: Any, first: int) -> tuple[list[StoredRow], int]:
        """Take the write lock and read the event rows from id `first` on (at most
        `CATCH_UP` + 1 of them) and the log index's size: one round trip. `first` is a
        writer's own last row."""
        rows = (
            f"SELECT id, originator_id, originator_version, state FROM {self.events} "
            f"WHERE id >= {int(first)} ORDER BY id LIMIT {CATCH_UP + 1}"
        )
        if self.postgres:
            cursor.execute(f"LOCK TABLE {self.events} IN EXCLUSIVE MODE; {rows}; {self._size}")
            cursor.nextset()
        else:
            cursor.execute(rows)
        stream_of = self._stream_of
        found = [
            StoredRow(
                int(id_),
                stream_of(stream) if stream_of is not None else stream,
                int(version),
                bytes(state),
            )
            for id_, stream, version, state in cursor.fetchall()
        ]
        if self.postgres:
            cursor.nextset()
        else:
            cursor.execute(self._size)
        (last,) = cursor.fetchone()
        return found, 0 if last is None else int(last) + 1

    def last_row(self, cursor: Any) -> tuple[int, bytes] | None:
        """The last event row (under the lock already taken)."""
        cursor.execute(self._last)
        row = cursor.fetchone()
        return (int(row[0]), bytes(row[1])) if row is not None else None

    def insert(self, cursor: Any, rows: Sequence[EventRow], planned: PlannedAppend) -> list[int]:
        """Insert the event rows and what `planned` adds beside them; their ids, in order."""
        if self.postgres:
            return self._insert_postgres(cursor, rows, planned)
        ids = []
        for stream, version, topic, state in rows:
            cursor.execute(self._event, (self._stream(stream), version, topic, state))
            ids.append(int(cursor.lastrowid))
        cursor.executemany(
            self._entry,
            [(e[0], id_, *e[1:]) for e, id_ in zip(planned.entries, ids, strict=True)],
        )
        if planned.store_nodes and planned.nodes:
            cursor.executemany(self._node, planned.nodes)
        checkpoint = planned.checkpoint
        if checkpoint is not None:
            cursor.execute(
                self._checkpoint,
                (checkpoint.size, checkpoint.root_hash, checkpoint.note, planned.issued),
            )
        return ids

    def _insert_postgres(
        self, cursor: Any, rows: Sequence[EventRow], planned: PlannedAppend
    ) -> list[int]:
        """One statement: the event rows, their index rows (joined on stream and version to
        the ids the insert gives), the nodes, the checkpoint, the NOTIFY."""
        params: list[Any] = []
        values = []
        for stream, version, topic, state in rows:
            values.append("(%s, %s::bigint, %s, %s)")
            params += [self._stream(stream), version, topic, state]
        entries = []
        for entry in planned.entries:
            entries.append("(%s::bigint, %s::uuid, %s::integer, %s, %s, %s)")
            params += entry
        statement = [
            f"WITH e AS (INSERT INTO {self.events} "
            "(originator_id, originator_version, topic, state) "
            f"VALUES {', '.join(values)} RETURNING id, originator_id, originator_version), "
            f"v (leaf_index, stream_id, version, type, recorded, envelope_sha256) AS "
            f"(VALUES {', '.join(entries)}), "
            f"l AS (INSERT INTO {_qualified(log_entries)} (leaf_index, notification_id, "
            "stream_id, version, type, recorded, envelope_sha256) "
            "SELECT v.leaf_index, e.id, v.stream_id::text, v.version, v.type, v.recorded, "
            "v.envelope_sha256 FROM v JOIN e ON e.originator_id = v.stream_id "
            "AND e.originator_version = v.version)"
        ]
        if planned.store_nodes and planned.nodes:
            nodes = []
            for node in planned.nodes:
                nodes.append("(%s::smallint, %s::bigint, %s)")
                params += node
            statement.append(
                f", n AS (INSERT INTO {_qualified(merkle_nodes)} (level, idx, hash) "
                f"VALUES {', '.join(nodes)})"
            )
        checkpoint = planned.checkpoint
        if checkpoint is not None:
            statement.append(
                f", c AS (INSERT INTO {_qualified(checkpoints)} (size, root_hash, note, issued) "
                "VALUES (%s::bigint, %s, %s, %s))"
            )
            params += [checkpoint.size, checkpoint.root_hash, checkpoint.note, planned.issued]
        statement.append(
            " SELECT e.id, e.originator_id, e.originator_version, pg_notify(%s, '') FROM e"
        )
        params.append(self.channel)
        cursor.execute("".join(statement), params)
        found = {(row[1], int(row[2])): int(row[0]) for row in cursor.fetchall()}
        return [found[(stream, version)] for stream, version, _topic, _state in rows]


def _qualified(table: Table) -> str:
    return ".".join(f'"{part}"' for part in (table.schema, table.name) if part)
