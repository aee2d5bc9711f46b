"""Work that spans several transactions and has not finished: the registry will not serve
read models that such work leaves half built.

A bulk import commits its events chunk by chunk (each chunk with its leaf index, Merkle nodes
and a signed checkpoint, so the log is whole at every commit) and builds the list and as-of
read models at the end, in one transaction. Until that transaction commits, a row here says
so: lists and searches refuse with a message that says how to finish, instead of showing a
registry that looks empty or partial. The row is written in the first chunk's transaction and
deleted in the transaction that completes the views, so a crash anywhere leaves it exactly
when the views are incomplete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, String, Table, Text, delete, insert, select
from sqlalchemy.orm import Session

from registry.store.errors import StoreError
from registry.store.events.tables import metadata

unfinished = Table(
    "registry_unfinished",
    metadata,
    Column("task", String(32), primary_key=True),
    Column("detail", Text, nullable=False),  # JSON: what the task is making
    Column("finish", Text, nullable=False),  # what a user runs to finish it
)

IMPORT = "import"


class ViewsIncomplete(StoreError):
    """The read models are not complete: an import or a rebuild stopped before it finished."""


@dataclass(frozen=True)
class Unfinished:
    task: str
    detail: dict[str, Any]
    finish: str


def begin(session: Session, task: str, detail: dict[str, Any], finish: str) -> None:
    session.execute(delete(unfinished).where(unfinished.c.task == task))
    session.execute(
        insert(unfinished), {"task": task, "detail": json.dumps(detail), "finish": finish}
    )


def end(session: Session, task: str) -> None:
    session.execute(delete(unfinished).where(unfinished.c.task == task))


def find(session: Session, task: str) -> Unfinished | None:
    row = session.execute(select(unfinished).where(unfinished.c.task == task)).first()
    return Unfinished(row.task, json.loads(row.detail), row.finish) if row else None


def require_complete_views(session: Session) -> None:
    """Raise ViewsIncomplete, saying how to finish, while any task is unfinished."""
    row = session.execute(select(unfinished).limit(1)).first()
    if row is not None:
        raise ViewsIncomplete(
            f"the read models are incomplete: an {row.task} stopped before it finished; "
            f"{row.finish}"
        )
