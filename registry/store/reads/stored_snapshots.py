"""Snapshots kept in the database, so that a new process need not verify a long stream whole.

One table, `registry_snapshots`, holds per stream the decoded events of its verified
envelopes (row key "") and states derived from them (row key: the query's as_of and known_at;
body: stored_states.state_body).
Every row names the head it was derived at (version, digest of the head envelope, keyring
version) and carries an HMAC-SHA256 over all of that and its body, under a key only a holder
of the registry's private log key can compute. A row is used only when its MAC holds (a row
written by anyone else, or altered, is deleted unread: bodies are pickles, and a pickle is
never loaded before its MAC is checked) and its head is the store's head (else it is stale and
deleted). Writing is best effort, on read: a failed write loses a snapshot, never a read.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Integer, LargeBinary, String, Table, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from registry.domain import events as domain_events
from registry.domain import state as domain_state
from registry.domain.codec import format_instant
from registry.ledger.keys import SigningKey
from registry.store.events.tables import metadata

EVENTS_ROW = ""
STATE_ROWS_KEPT = 32  # per stream; beyond, the stream's state rows are dropped and rebuilt

snapshots = Table(
    "registry_snapshots",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("state_key", String(80), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("head_digest", LargeBinary(32), nullable=False),
    Column("keyring", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("mac", LargeBinary(32), nullable=False),
)


def _format_fingerprint() -> bytes:
    """Changes whenever a pickled class gains, loses or renames a field: rows of an older
    layout then fail their MAC and are rebuilt, never loaded into the new classes."""
    shapes = sorted(
        f"{module.__name__}.{name}:{','.join(f.name for f in fields(cls))}"
        for module in (domain_events, domain_state)
        for name, cls in vars(module).items()
        if isinstance(cls, type) and is_dataclass(cls)
    )
    # v2: a state row's body is stored_states.state_body's, not the pickled state
    return hashlib.sha256("\n".join(["snapshot v2", *shapes]).encode()).digest()


def state_key(as_of: date | None, known_at: datetime | None) -> str:
    """A state row's key: an exact (as_of, known_at), instants in UTC to the microsecond."""
    return f"{as_of.isoformat() if as_of else '-'}|{format_instant(known_at) if known_at else '-'}"


class SnapshotRows:
    """Reading and writing snapshot rows under one registry's MAC key."""

    def __init__(self, log_key: SigningKey) -> None:
        self._key = hashlib.sha256(log_key.sign(b"agreement-registry snapshot MAC key v1")).digest()
        self._format = _format_fingerprint()

    def _mac(self, stream: UUID, key: str, head: Any, body: bytes) -> bytes:
        header = struct.pack(">QQ", head.version, head.keyring) + head.digest
        message = b"\0".join([self._format, str(stream).encode(), key.encode(), header, body])
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def load(self, session: Session, stream: UUID, key: str, head: Any) -> bytes | None:
        """The body of row (stream, key) if its MAC holds and it is at `head`, for unpickling;
        a row that fails either is deleted, with the stream's other rows (in the caller's
        transaction, which the caller commits)."""
        row = session.execute(
            select(snapshots).where(
                snapshots.c.stream_id == str(stream), snapshots.c.state_key == key
            )
        ).first()
        if row is None:
            return None
        stored_head = type(head)(row.version, bytes(row.head_digest), row.keyring)
        body = bytes(row.body)
        if stored_head != head or not hmac.compare_digest(
            bytes(row.mac), self._mac(stream, key, stored_head, body)
        ):
            session.execute(delete(snapshots).where(snapshots.c.stream_id == str(stream)))
            return None
        return body

    def save(self, session: Session, stream: UUID, key: str, head: Any, body: bytes) -> None:
        where = snapshots.c.stream_id == str(stream)
        if key == EVENTS_ROW:  # a new head: every older row of the stream is stale
            session.execute(delete(snapshots).where(where))
        else:
            kept = session.execute(select(func.count()).where(where)).scalar_one()
            if kept > STATE_ROWS_KEPT:
                session.execute(delete(snapshots).where(where, snapshots.c.state_key != EVENTS_ROW))
            session.execute(delete(snapshots).where(where, snapshots.c.state_key == key))
        session.execute(
            snapshots.insert().values(
                stream_id=str(stream),
                state_key=key,
                version=head.version,
                head_digest=head.digest,
                keyring=head.keyring,
                body=body,
                mac=self._mac(stream, key, head, body),
            )
        )


WRITE_FAILURES = (SQLAlchemyError,)  # another reader wrote the same row first, a busy lock
