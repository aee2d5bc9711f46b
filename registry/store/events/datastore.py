"""The SQLAlchemy datastore, made safe for several writer processes on one SQLite file.

SQLite's default deferred transactions let two writers read the same log head and then fail
(or worse, with a stale `prev`) when they upgrade to a write lock. A write transaction here
starts with BEGIN IMMEDIATE, so the `recorded` instant, the `prev` hash and the leaf index are
fixed while holding SQLite's write lock; reads stay deferred and run beside a writer (WAL).
PostgreSQL needs none of this: the recorder takes a table lock inside the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import event

_write_intent: ContextVar[bool] = ContextVar("registry_write_intent", default=False)

SQLITE_BUSY_TIMEOUT_MS = 30_000


@contextmanager
def write_intent() -> Iterator[None]:
    """Marks the transaction opened inside as a writer (BEGIN IMMEDIATE on SQLite)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


class RegistryDatastore(SQLAlchemyDatastore):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.engine is not None and self.engine.dialect.name == "sqlite":
            _take_over_sqlite_transactions(self.engine)

    def init_sqlite_wal_mode(self) -> None:
        # Done per connection, before any transaction, in `_take_over_sqlite_transactions`.
        self._tried_init_sqlite_wal_mode = True


def _take_over_sqlite_transactions(engine: Any) -> None:
    # The pysqlite recipe from SQLAlchemy's docs: stop the driver's implicit BEGIN and
    # emit our own, so that writers can ask for IMMEDIATE.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")
