"""The transparency log as the entry points read it: each answer one read transaction on the
registry, so that no view, command or client opens a session of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import and_, func, select

from registry.ledger.tiles import TileRef
from registry.store.events.cosigning import cosigned, has_witnesses
from registry.store.events.log import IssuedCheckpoint, SqlNodeReader, TransparencyLog, entries
from registry.store.events.origin import origin_problem
from registry.store.events.tiles import bundle_notifications, tile_hashes

if TYPE_CHECKING:
    from registry.store.application import Registry


def checkpoint_of_size(registry: Registry, size: int) -> IssuedCheckpoint | None:
    """The archived checkpoint of that size (None: none was issued)."""
    with registry.transaction() as session:
        return TransparencyLog.checkpoint_at(session, size)


def with_cosignatures(
    registry: Registry, checkpoint: IssuedCheckpoint
) -> tuple[IssuedCheckpoint, bool]:
    """The checkpoint with the witnesses' cosignatures collected so far, and whether any
    witness is configured (its cosignature may still arrive)."""
    with registry.transaction() as session:
        return cosigned(session, checkpoint), has_witnesses(session)


def cosigned_checkpoint_of_size(registry: Registry, size: int) -> IssuedCheckpoint | None:
    with registry.transaction() as session:
        checkpoint = TransparencyLog.checkpoint_at(session, size)
        return cosigned(session, checkpoint) if checkpoint else None


def latest_cosigned(registry: Registry) -> IssuedCheckpoint | None:
    """The latest checkpoint with its cosignatures (None: the log is empty)."""
    with registry.transaction() as session:
        latest = TransparencyLog.latest(session)
        return cosigned(session, latest) if latest else None


def log_entries(registry: Registry, start: int, count: int) -> list[Any]:
    """The leaf rows `[start, start + count)` (leaf index and notification id)."""
    with registry.transaction() as session:
        return entries(session, start, count)


def inclusion_proof(
    registry: Registry, index: int, size: int
) -> tuple[list[bytes], IssuedCheckpoint | None]:
    """The proof of leaf `index` in the tree of `size`, and the checkpoint of that size, in
    one snapshot."""
    with registry.transaction() as session:
        hashes = TransparencyLog.inclusion_proof(session, index, size)
        return hashes, TransparencyLog.checkpoint_at(session, size)


def consistency_proof(
    registry: Registry, first: int, second: int
) -> tuple[list[bytes], IssuedCheckpoint | None]:
    with registry.transaction() as session:
        hashes = TransparencyLog.consistency_proof(session, first, second)
        return hashes, TransparencyLog.checkpoint_at(session, second)


def hash_tile(registry: Registry, ref: TileRef) -> list[bytes]:
    """A hash tile's hashes."""
    with registry.transaction() as session:
        return tile_hashes(session, ref)


def bundle_leaves(registry: Registry, ref: TileRef) -> tuple[list[int], list[bytes]]:
    """An entry bundle's notification ids and its leaves' hashes, in one snapshot."""
    with registry.transaction() as session:
        ids = bundle_notifications(session, ref)
        return ids, tile_hashes(session, TileRef(0, ref.index, ref.width))


def held_nodes(registry: Registry, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored Merkle nodes at `keys` (level, index)."""
    with registry.transaction() as session:
        return SqlNodeReader(session).nodes(keys)


def served_origin_problem(registry: Registry) -> str | None:
    """What is wrong with the configured log origin for this store (None: nothing)."""
    with registry.transaction() as session:
        return origin_problem(session, registry.settings.log_origin)


def last_envelopes(registry: Registry, streams: Sequence[UUID]) -> list[bytes]:
    """The stored bytes of the last event of each of `streams` that the store holds, a query
    per thousand streams (well below SQLite's limit of bound parameters), not one per stream."""
    cls = registry.signed_recorder.events_record_cls
    ids = sorted(streams)
    found: list[bytes] = []
    with registry.transaction() as session:
        for first in range(0, len(ids), 1000):
            latest = (
                select(cls.originator_id, func.max(cls.originator_version).label("version"))
                .where(cls.originator_id.in_(ids[first : first + 1000]))
                .group_by(cls.originator_id)
                .subquery()
            )
            query = select(cls.state).join(
                latest,
                and_(
                    cls.originator_id == latest.c.originator_id,
                    cls.originator_version == latest.c.version,
                ),
            )
            found += [bytes(state) for state in session.execute(query).scalars()]
    return found
