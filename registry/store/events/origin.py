"""The log's origin: its identity, fixed by the first checkpoint it signed.

The origin names the log in every checkpoint, is the log key's name (so it is part of the
verifier key everyone pins) and keys every witness's state for the log. It should be the
scheme-less URL of the log's prefix (C2SP tlog-tiles), e.g. `registry.example.org/api/v1/log`.
Once a checkpoint is archived it cannot change in place: an instance whose configured origin
differs from its archive's is refused until it is set back or the log is migrated (README).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.store.events.tables import checkpoints


def syntax_problem(origin: str) -> str | None:
    """Why `origin` is not a scheme-less URL prefix usable as a key name, or None."""
    if not origin:
        return "REGISTRY_LOG_ORIGIN is empty"
    if "://" in origin:
        return f"the origin {origin!r} has a scheme: drop it (e.g. {origin.split('://', 1)[1]})"
    if origin.endswith("/"):
        return f"the origin {origin!r} ends with '/': drop it"
    if any(c.isspace() or c == "+" for c in origin):
        return f"the origin {origin!r} holds a space or '+', which a key name may not"
    return None


def archived_origin(session: Session) -> str | None:
    """The origin line of the latest archived checkpoint (None before the first)."""
    note = session.execute(
        select(checkpoints.c.note).order_by(checkpoints.c.size.desc()).limit(1)
    ).scalar()
    return note.split("\n", 1)[0] if note else None


def origin_problem(session: Session, configured: str) -> str | None:
    """Why this store may not serve under `configured`, or None."""
    problem = syntax_problem(configured)
    if problem:
        return problem
    archived = archived_origin(session)
    if archived is not None and archived != configured:
        return (
            f"this log's checkpoints are signed for origin {archived!r} but REGISTRY_LOG_ORIGIN "
            f"is {configured!r}: set it back, or migrate the log to the new origin (README: "
            "Changing the log's origin)"
        )
    return None
