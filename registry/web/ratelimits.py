"""Rate limits whose counts every worker shares, through Flask-Limiter (the `limits` library).

`REGISTRY_RATELIMIT_STORAGE_URL` names the storage: any `limits` URL, e.g. `redis://host:6379/0`
for several hosts. Without it, the counts live in a small SQLite file in the instance folder
(`ratelimits.sqlite3`, mode 0600) that every worker process of the instance opens: each count is
one `INSERT … ON CONFLICT … RETURNING` statement under SQLite's write lock, so concurrent workers
never lose an increment. `memory://` (per process) is only for tests that want no file.

The windows are fixed (Flask-Limiter's default strategy): a client gets at most N requests in
each window of S seconds, counted from its first request in the window.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import Storage

STORAGE_URL = "REGISTRY_RATELIMIT_STORAGE_URL"
SQLITE_SCHEME = "registry-sqlite"
FILE_NAME = "ratelimits.sqlite3"


class SQLiteFileStorage(Storage):
    """`limits` storage in one SQLite file, shared by the processes that open it."""

    STORAGE_SCHEME = [SQLITE_SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened again after a fork (gunicorn forks its workers)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            path = Path(self.path)
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counts "
                "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)"
            )
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        (count,) = db.execute(
            "INSERT INTO counts (key, count, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ? THEN excluded.count ELSE count + excluded.count END, "
            "expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END "
            "RETURNING count",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        if count == amount and random.random() < 1 / 64:  # now and then, forget finished windows
            db.execute("DELETE FROM counts WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        row = (
            self._db()
            .execute("SELECT count FROM counts WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = (
            self._db()
            .execute("SELECT expires FROM counts WHERE key = ? AND expires > ?", (key, now))
            .fetchone()
        )
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counts").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counts WHERE key = ?", (key,))


def storage_url(app: Flask) -> str:
    configured = app.config.get(STORAGE_URL) or os.environ.get(STORAGE_URL)
    if configured:
        return str(configured)
    home: Path = app.config["REGISTRY_SETTINGS"].home
    return f"{SQLITE_SCHEME}://{home / FILE_NAME}"


def init_limiter(app: Flask) -> Limiter:
    """The one limiter of the app (login and API), on the shared storage."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage_url(app),
        strategy="fixed-window",
        key_prefix="registry",
    )
    app.extensions["registry_limiter"] = limiter
    return limiter
