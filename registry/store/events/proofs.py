"""Envelopes as other systems receive them: each with its leaf index and inclusion proof.

Every record of one response is proven against one checkpoint, read in the same transaction
as the nodes of every proof (one query for a whole stream): an envelope beyond that checkpoint
is left out, never served with a proof that does not hold. The envelopes come verified from
the store's snapshots (reads/snapshots.py) and are not parsed again here. Proofs come from the
stored Merkle nodes, never from the client. The API and the CLI (`registry prove`) build the
same bundles from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from registry.domain.keyring import Keyring
from registry.ledger import merkle
from registry.ledger.bundle import make_bundle, make_opened_record, make_record
from registry.ledger.payload import EventPayload
from registry.store.application import Registry
from registry.store.errors import AgreementNotFound, StoreError
from registry.store.events.cosigning import cosignatures
from registry.store.events.log import IssuedCheckpoint, TransparencyLog, leaf_indexes
from registry.store.events.mapper import TamperedEvent
from registry.store.events.recorder import SealedEvent
from registry.store.events.tables import checkpoints, merkle_nodes
from registry.store.reads.snapshots import Snapshot

NODES_PER_QUERY = 400  # 800 bound values per query, within every SQLite's limit
PROBES_PER_QUERY = 4096  # (level, idx) pairs a query looks up in the primary key


class NoCheckpoint(StoreError):
    """The log is empty: nothing can be proven yet."""


@dataclass(frozen=True)
class ProvenEvents:
    agreement: UUID
    reference: str
    checkpoint: IssuedCheckpoint
    records: list[dict[str, Any]]
    snapshot: Snapshot | None = field(default=None, compare=False, repr=False)  # proven from

    @property
    def key(self) -> tuple[Any, ...]:
        """What the records depend on besides the snapshot's head: the checkpoint."""
        return (self.checkpoint.size, self.checkpoint.root_hash, self.checkpoint.note)

    @property
    def version(self) -> int:
        return len(self.records)


def latest_checkpoint(registry: Registry) -> IssuedCheckpoint:
    with registry.transaction() as session:
        return _latest_checkpoint(session)


def _latest_checkpoint(session: Session) -> IssuedCheckpoint:
    """The latest checkpoint with the witnesses' cosignatures appended (for policies), as
    `cosigned(TransparencyLog.latest(...))` gives it, in one prebuilt query."""
    rows = session.execute(LATEST_COSIGNED).all()
    if not rows:
        raise NoCheckpoint("the log is empty: no checkpoint has been issued yet")
    size, root, note = rows[0].size, bytes(rows[0].root_hash), rows[0].note
    return IssuedCheckpoint(size, root, note + "".join(row.line for row in rows if row.line))


_latest = select(checkpoints).order_by(checkpoints.c.size.desc()).limit(1).subquery("latest")
LATEST_COSIGNED = (
    select(_latest.c.size, _latest.c.root_hash, _latest.c.note, cosignatures.c.line)
    .outerjoin(cosignatures, cosignatures.c.size == _latest.c.size)
    .order_by(cosignatures.c.witness)
)


def prove_stream(
    registry: Registry, stream: UUID, checkpoint: IssuedCheckpoint
) -> list[dict[str, Any]]:
    """The verified envelopes of `stream` within `checkpoint`, each with its inclusion proof."""
    snapshot = registry.envelope_snapshot(stream)
    with registry.transaction() as session:
        return [record for _payload, record in _proven(session, snapshot, checkpoint)]


def _proven(
    session: Session, snapshot: Snapshot, checkpoint: IssuedCheckpoint
) -> list[tuple[EventPayload, dict[str, Any]]]:
    """Each opened event within `checkpoint` with its proof, all proofs from one query. The
    envelopes were opened (parsed strictly and verified) by the store: not parsed again.

    Kept on the snapshot, by the checkpoint's size, root and note (with its cosignatures):
    the snapshot is the stream's at one head, and the log below a checkpoint never changes,
    so a new event, a new checkpoint or a new cosignature is a new key, never a stale hit."""
    key = ("proofs", checkpoint.size, checkpoint.root_hash, checkpoint.note)  # ProvenEvents.key
    found = snapshot.derived.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    stream, opened = snapshot.stream, snapshot.opened
    assert opened is not None
    indexes = leaf_indexes(session, str(stream))
    within = []
    for event in opened:
        index = indexes.get(event.payload.version)
        if index is None:
            raise TamperedEvent(
                f"event {stream} v{event.payload.version} is missing from the log index"
            )
        if index >= checkpoint.size:
            break  # recorded after the checkpoint this response proves against
        within.append((event, index))
    paths = merkle.inclusion_proofs(
        StreamNodes(session), [index for _, index in within], checkpoint.size
    )
    proven = [
        (event.payload, make_opened_record(event.envelope, index, path, checkpoint.note))
        for (event, index), path in zip(within, paths, strict=True)
    ]
    return snapshot.remember(key, proven)  # type: ignore[no-any-return]


def agreement_events(registry: Registry, ref: str | UUID) -> ProvenEvents:
    """The agreement's verified envelopes, proven against the latest checkpoint, read in the
    same transaction as the proofs' nodes (the envelopes are the store's at that moment or
    earlier, so each lies within it)."""
    stream = registry.resolve(ref)
    if stream == Keyring.ID:
        raise AgreementNotFound(ref)
    snapshot = registry.envelope_snapshot(ref)
    with registry.transaction() as session:
        checkpoint = _latest_checkpoint(session)
        proven = _proven(session, snapshot, checkpoint)
    if not proven:
        raise AgreementNotFound(ref)
    reference = str(proven[0][0].data.get("reference", ""))
    records = [record for _, record in proven]
    return ProvenEvents(stream, reference, checkpoint, records, snapshot)


class StreamNodes:
    """merkle.NodeReader for the proofs of a whole stream: every node they need in a few
    queries, each `level IN (...) AND idx IN (...)` on the nodes' primary key.

    A row-value IN (`(level, idx) IN (...)`) reads the same rows in one statement, but SQLite
    answers it by scanning the whole node table (a few milliseconds per thousand leaves); the
    product of levels and indexes is one index probe per pair, so the keys are grouped by
    level into queries of at most PROBES_PER_QUERY pairs, and the rows not asked for dropped.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def node(self, level: int, index: int) -> bytes:
        found = self.nodes([(level, index)])
        if (level, index) not in found:
            raise KeyError((level, index))
        return found[(level, index)]

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        wanted = set(keys)
        found: dict[tuple[int, int], bytes] = {}
        for levels, indexes in _probe_groups(wanted):
            rows = self.session.execute(NODES_QUERY, {"levels": levels, "indexes": indexes})
            for level, idx, digest in rows:
                if (level, idx) in wanted:
                    found[(level, idx)] = bytes(digest)
        return found


def _probe_groups(keys: set[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Levels and indexes whose product covers `keys`, within PROBES_PER_QUERY pairs and
    NODES_PER_QUERY bound values per group."""
    by_level: dict[int, set[int]] = {}
    for level, idx in keys:
        by_level.setdefault(level, set()).add(idx)
    groups: list[tuple[list[int], list[int]]] = []
    levels: list[int] = []
    indexes: set[int] = set()
    for level, more in sorted(by_level.items()):
        merged = indexes | more
        if levels and (
            (len(levels) + 1) * len(merged) > PROBES_PER_QUERY
            or len(levels) + 1 + len(merged) > 2 * NODES_PER_QUERY
        ):
            groups.append((levels, sorted(indexes)))
            levels, merged = [], set(more)
        levels.append(level)
        indexes = merged
        while len(indexes) > 2 * NODES_PER_QUERY - 1:  # one level, many nodes: in chunks
            chunk = sorted(indexes)
            groups.append(([level], chunk[: 2 * NODES_PER_QUERY - 1]))
            indexes = set(chunk[2 * NODES_PER_QUERY - 1 :])
    if levels and indexes:
        groups.append((levels, sorted(indexes)))
    return groups


NODES_QUERY = select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash).where(
    merkle_nodes.c.level.in_(bindparam("levels", expanding=True)),
    merkle_nodes.c.idx.in_(bindparam("indexes", expanding=True)),
)


def agreement_bundle(registry: Registry, ref: str | UUID) -> dict[str, Any]:
    """An offline bundle: the agreement's events and the keyring, against one checkpoint."""
    proven = agreement_events(registry, ref)
    keyring = prove_stream(registry, Keyring.ID, proven.checkpoint)
    return make_bundle(
        registry.settings.log_origin,
        proven.checkpoint.note,
        keyring,
        proven.records,
        complete=True,
    )


def recorded_document(session: Session, sealed: SealedEvent, url: str) -> dict[str, Any]:
    """The answer to a POST, built inside its write transaction from what was just sealed."""
    checkpoint = TransparencyLog.latest(session)
    assert checkpoint is not None  # the transaction that sealed the event has just issued it
    proof = TransparencyLog.inclusion_proof(session, sealed.leaf_index, checkpoint.size)
    return {
        "agreement": str(sealed.stream),
        "version": sealed.version,
        "type": sealed.type,
        "recorded": sealed.recorded,
        "url": url,
        "record": make_record(sealed.envelope, sealed.leaf_index, proof, checkpoint.note),
    }
