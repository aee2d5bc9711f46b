"""Read models of current state, written in the same transaction as the events.

They serve lists and search; every answer that matters to an auditor is recomputed from the
verified events (see application.state), and `rebuild` recreates these rows from the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from registry.domain.agreement import Agreement
from registry.domain.history import state_as_of
from registry.domain.search_text import search_text
from registry.domain.state import AgreementState
from registry.store.events.tables import agreements

if TYPE_CHECKING:
    from registry.store.application import Registry


def summary_row(state: AgreementState, version: int, last_recorded: str) -> dict[str, Any]:
    titles = dict(state.titles)
    return {
        "id": str(state.id),
        "reference": state.reference,
        "title": titles.get("en") or next(iter(titles.values()), ""),
        # the search text (search_text.py): the reference and every title, one a line
        "titles_text": search_text("\n".join([state.reference, *titles.values()])),
        "kind": state.kind.value,
        "character": state.character.value,
        "status": state.status.value,
        "parties": ",".join(p.code for p in state.parties),
        "version": version,
        "last_recorded": last_recorded,
        "signed": _first(str(p.signed) for p in state.parties if p.signed is not None),
        "in_force": _first(
            str(day)
            for day in (state.entered_into_force, *(p.in_force for p in state.parties))
            if day is not None
        ),
    }


def _first(days: Any) -> str | None:
    found = list(days)
    return min(found) if found else None


def current_summary(events: Any, version: int, last_recorded: str) -> dict[str, Any]:
    """The list row of an agreement as it stands today, as known now: one rule for every writer."""
    return summary_row(state_as_of(events, as_of=date.today()), version, last_recorded)


def summary_projection(agreement: Agreement) -> Callable[[Session, list[Any]], None]:
    def project(session: Session, sealed: list[Any]) -> None:
        mine = [s for s in sealed if s.stream == agreement.id]
        if not mine:
            return
        write_summary(
            session, current_summary(agreement.history, mine[-1].version, mine[-1].recorded)
        )

    return project


def write_summary(session: Session, row: dict[str, Any]) -> None:
    session.execute(delete(agreements).where(agreements.c.id == row["id"]))
    session.execute(insert(agreements), row)


def agreement_ids(registry: Registry) -> list[UUID]:
    from registry.store.events.unfinished import require_complete_views

    with registry.transaction() as session:
        require_complete_views(session)
        rows = session.execute(select(agreements.c.id).order_by(agreements.c.reference))
        return [UUID(row.id) for row in rows]
