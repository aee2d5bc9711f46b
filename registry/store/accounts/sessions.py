"""Web sessions kept on the server, so that logging out or a new password really ends them.

A session cookie is signed but lives in the browser: a copy saved before logout would still be
valid if the server did not remember which sessions are open. Each login opens a row here; the
cookie carries the session's random secret, only its SHA-256 is stored, and every request asks
whether the row is still there. Logout deletes the row; a new password, disabling the account
or a role change deletes every row of the user (see Accounts).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Index, String, Table, delete, insert, select
from sqlalchemy.orm import Session

from registry.store.events.datastore import write_intent
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry

web_sessions = Table(
    "registry_web_sessions",
    metadata,
    Column("secret_sha256", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("opened", String(27), nullable=False),
    Index("registry_web_sessions_by_user", "username"),
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def end_sessions_of(session: Session, username: str) -> None:
    """Ends every web session of `username`, inside the caller's transaction."""
    session.execute(delete(web_sessions).where(web_sessions.c.username == username))


class WebSessions:
    """The open web sessions of one registry's database."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def open(self, username: str) -> str:
        """A new session's secret (for the cookie); only its hash is kept."""
        secret = secrets.token_urlsafe(32)
        opened = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with write_intent(), self.registry.transaction(commit=True) as session:
            session.execute(
                insert(web_sessions).values(
                    secret_sha256=_digest(secret), username=username, opened=opened
                )
            )
        return secret

    def is_open(self, username: str, secret: str) -> bool:
        with self.registry.transaction() as session:
            row = session.execute(
                select(web_sessions.c.username).where(
                    web_sessions.c.secret_sha256 == _digest(secret)
                )
            ).first()
        return row is not None and row.username == username

    def end(self, secret: str) -> None:
        with write_intent(), self.registry.transaction(commit=True) as session:
            session.execute(
                delete(web_sessions).where(web_sessions.c.secret_sha256 == _digest(secret))
            )

    def end_all(self, username: str) -> None:
        with write_intent(), self.registry.transaction(commit=True) as session:
            end_sessions_of(session, username)
