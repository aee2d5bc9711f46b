"""The list of agreements as they stand today (`registry_agreements`, written by projection.py).

It serves lists and search; every answer that matters to an auditor is recomputed from the
verified events (see application.state), and `rebuild_views` recreates these rows from the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import select

from registry.store.events.tables import agreements

if TYPE_CHECKING:
    from registry.store.application import Registry


def agreement_ids(registry: Registry) -> list[UUID]:
    from registry.store.events.unfinished import require_complete_views

    with registry.transaction() as session:
        require_complete_views(session)
        rows = session.execute(select(agreements.c.id).order_by(agreements.c.reference))
        return [UUID(row.id) for row in rows]
