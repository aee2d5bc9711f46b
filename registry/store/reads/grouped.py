"""The read models of one commit, written together with those of the other members of its
group (events/group.py): one `save_all` per group, one statement per table, instead of a
DELETE and COPYs per member."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from registry.store.reads.projection import ReadModelProjection, advance, save_all


class GroupedReadModels(ReadModelProjection):
    """The read models of one commit; the recorder runs those of a group's members together,
    so that a group writes them in one `save_all` (one statement per table, not per member)."""

    @staticmethod
    def together(session: Any, calls: Sequence[tuple[GroupedReadModels, list[Any]]]) -> None:
        advanced = []
        for models, sealed in calls:
            new: dict[UUID, list[tuple[int, str]]] = {}
            for event in sealed:
                if event.stream in models.histories:
                    new.setdefault(event.stream, []).append((event.version, event.recorded))
            mine = [
                advance(session, models.histories[stream], sorted(instants), heads=models.heads)
                for stream, instants in new.items()
            ]
            models.written.update({head.agreement_id: head for head in mine})
            advanced += mine
        save_all(session, advanced)
