"""The admin trail: who changed which account, role, signing key or API token, and when.

Accounts and tokens are ordinary rows (they must be changeable and erasable), so their history
is not in the signed log; this table keeps it, one row per administrative act, written in the
same transaction as the change where the change is a row (accounts, tokens), and right after it
where the change is a signed keyring event (keys, which the log itself also records). Rows are
only ever added. Auditors read it at /audit/admin-trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Integer, String, Table, Text, insert, select
from sqlalchemy.orm import Session

from registry.store.events.datastore import write_intent
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry

DETAIL_MAX = 500

admin_trail = Table(
    "registry_admin_trail",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", String(27), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("detail", Text, nullable=False),
)


class AdminAction(StrEnum):
    USER_ADDED = "user added"
    PASSWORD_CHANGED = "password changed"
    ROLE_CHANGED = "role changed"
    USER_DISABLED = "user disabled"
    USER_ENABLED = "user enabled"
    KEY_REGISTERED = "key registered"
    KEY_ROTATED = "key rotated"
    KEY_REVOKED = "key revoked"
    TOKEN_CREATED = "token created"
    TOKEN_REVOKED = "token revoked"


@dataclass(frozen=True)
class AdminEntry:
    id: int
    at: str
    actor: str
    action: AdminAction
    subject: str
    detail: str


def note(session: Session, actor: str, action: AdminAction, subject: str, detail: str = "") -> None:
    """Adds one entry inside the caller's transaction."""
    session.execute(
        insert(admin_trail).values(
            at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            actor=actor,
            action=action.value,
            subject=subject[:200],
            detail=detail[:DETAIL_MAX],
        )
    )


class AdminTrail:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def note(self, actor: str, action: AdminAction, subject: str, detail: str = "") -> None:
        with write_intent(), self.registry.transaction(commit=True) as session:
            note(session, actor, action, subject, detail)

    def entries(self, limit: int = 500) -> list[AdminEntry]:
        """The latest entries, newest first."""
        with self.registry.transaction() as session:
            rows = session.execute(
                select(admin_trail).order_by(admin_trail.c.id.desc()).limit(limit)
            ).all()
        return [
            AdminEntry(row.id, row.at, row.actor, AdminAction(row.action), row.subject, row.detail)
            for row in rows
        ]
