"""The transparency log kept beside the events: leaf index, stored Merkle nodes, checkpoints.

Everything here runs inside the write transaction that stores the envelopes, so the leaf
index, the tree and the signed checkpoint can never disagree with the events they cover.
Proofs read O(log n) stored nodes in one query; nothing rehashes the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from registry.ledger import merkle
from registry.ledger.canonical import sha256_hex
from registry.ledger.checkpoint import Checkpoint, sign_checkpoint
from registry.ledger.dsse import Envelope
from registry.ledger.keys import Keyring, SigningKey
from registry.ledger.note import NoteSigner, NoteVerifier
from registry.ledger.payload import EventPayload
from registry.ledger.tiles import MAX_ENTRY_SIZE
from registry.store.errors import EnvelopeTooLarge, StoreError
from registry.store.events.tables import checkpoints, log_entries, merkle_nodes


class CheckpointMismatch(StoreError):
    """A checkpoint signed elsewhere that does not sign the tree of the entries given."""


@dataclass(frozen=True)
class NewLeaf:
    notification_id: int
    stream_id: str
    version: int
    type: str
    recorded: str
    envelope: bytes


@dataclass(frozen=True)
class IssuedCheckpoint:
    size: int
    root_hash: bytes
    note: str


# The columns of an index row; `PlannedAppend.entries` holds them without `notification_id`,
# which the event row's insert gives.
ENTRY_COLUMNS = (
    "leaf_index", "notification_id", "stream_id", "version", "type", "recorded", "envelope_sha256"
)  # fmt: skip


@dataclass(frozen=True)
class PlannedAppend:
    """The rows one append writes beside its events (see `TransparencyLog.plan`)."""

    entries: list[tuple[int, str, int, str, str, str]]
    nodes: list[tuple[int, int, bytes]]  # the new nodes: the writer's right edge grows by them
    checkpoint: IssuedCheckpoint | None
    issued: str  # the instant the checkpoint row is filed under
    store_nodes: bool = True  # False for a log that keeps only the leaf index (a baseline)


class _Overlay:
    """Nodes just made, in front of a reader of the nodes stored before."""

    def __init__(self, made: dict[tuple[int, int], bytes], behind: Any) -> None:
        self.made, self.behind = made, behind

    def node(self, level: int, index: int) -> bytes:
        return self.nodes([(level, index)])[(level, index)]

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found = {key: self.made[key] for key in keys if key in self.made}
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(merkle.read_nodes(self.behind, missing))
        return found


class SqlNodeReader:
    """merkle.NodeReader over the node table, fetching a whole proof's nodes in one query."""

    def __init__(self, session: Session | Any) -> None:
        self.session = session

    def node(self, level: int, index: int) -> bytes:
        found = self.nodes([(level, index)])
        if (level, index) not in found:
            raise KeyError((level, index))
        return found[(level, index)]

    def nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found: dict[tuple[int, int], bytes] = {}
        for start in range(0, len(keys), 200):
            chunk = keys[start : start + 200]
            condition = or_(
                *(
                    and_(merkle_nodes.c.level == lvl, merkle_nodes.c.idx == idx)
                    for lvl, idx in chunk
                )
            )
            rows = self.session.execute(
                select(merkle_nodes.c.level, merkle_nodes.c.idx, merkle_nodes.c.hash).where(
                    condition
                )
            )
            found.update({(row.level, row.idx): bytes(row.hash) for row in rows})
        return found


def signer_for(origin: str, key: SigningKey) -> NoteSigner:
    return NoteSigner.from_signing_key(origin, key)


class TransparencyLog:
    def __init__(self, origin: str, log_key: SigningKey | None) -> None:
        self.origin = origin
        self.signer = signer_for(origin, log_key) if log_key is not None else None

    def size(self, session: Session) -> int:
        last = session.execute(select(func.max(log_entries.c.leaf_index))).scalar()
        return 0 if last is None else int(last) + 1

    def append(
        self, session: Session, leaves: Sequence[NewLeaf], issued: str, signed: str | None = None
    ) -> IssuedCheckpoint:
        """Index, hash into the tree and sign a checkpoint for `leaves`, in this transaction.

        With `signed`, a checkpoint note signed elsewhere (a mirror's copy of its source's) is
        archived instead, and only if it signs the tree the leaves give.
        """
        size = self.index(session, leaves)
        if signed is not None:
            return self.archive_checkpoint(session, size + len(leaves), signed, issued)
        return self.issue_checkpoint(session, size + len(leaves), issued)

    def index(self, session: Session, leaves: Sequence[NewLeaf]) -> int:
        """Index `leaves` and hash them into the tree, without a checkpoint (a mirror's chunk
        before its last, which only the source can sign); returns the size before them."""
        size = self.size(session)
        self.add_leaves(session, leaves, size, SqlNodeReader(session))
        return size

    def append_at(
        self, session: Session, leaves: Sequence[NewLeaf], issued: str, size: int, edge: Any
    ) -> tuple[IssuedCheckpoint, list[tuple[int, int, bytes]]]:
        """`append` for a writer that knows the size and the tree's right edge (`edge`, a node
        reader), both checked under the lock: no read of the log at all. Returns the
        checkpoint and the nodes stored."""
        if not leaves:
            return self.issue_checkpoint(session, size, issued), []
        planned = self.plan(leaves, issued, size, edge)
        session.execute(
            insert(log_entries),
            [
                dict(
                    zip(ENTRY_COLUMNS, (*entry[:1], leaf.notification_id, *entry[1:]), strict=True)
                )
                for entry, leaf in zip(planned.entries, leaves, strict=True)
            ],
        )
        if planned.store_nodes:
            session.execute(
                insert(merkle_nodes),
                [{"level": lvl, "idx": idx, "hash": digest} for lvl, idx, digest in planned.nodes],
            )
        checkpoint = planned.checkpoint
        if checkpoint is not None:
            session.execute(
                insert(checkpoints),
                {"size": checkpoint.size, "root_hash": checkpoint.root_hash,
                 "note": checkpoint.note, "issued": issued},
            )  # fmt: skip
        return checkpoint or IssuedCheckpoint(size + len(leaves), b"", ""), planned.nodes

    def plan(self, leaves: Sequence[NewLeaf], issued: str, size: int, edge: Any) -> PlannedAppend:
        """What appending `leaves` (at least one) after the first `size` writes, computed
        without the database: their index rows, the tree's new nodes (from `edge`, a reader
        of the right edge) and the signed checkpoint of the new size, which no checkpoint can
        have yet (a size is reached once)."""
        check_entry_sizes(leaves)
        entries = [
            (size + n, x.stream_id, x.version, x.type, x.recorded, sha256_hex(x.envelope))
            for n, x in enumerate(leaves)
        ]
        nodes = merkle.append_leaves(edge, size, [merkle.leaf_hash(x.envelope) for x in leaves])
        new_size = size + len(leaves)
        root = merkle.root_at(_Overlay({(lvl, idx): d for lvl, idx, d in nodes}, edge), new_size)
        if self.signer is None:
            raise RuntimeError("this registry instance has no log key: it cannot sign checkpoints")
        note = sign_checkpoint(Checkpoint(self.origin, new_size, root), self.signer)
        return PlannedAppend(entries, nodes, IssuedCheckpoint(new_size, root, note), issued)

    def add_leaves(
        self, session: Session, leaves: Sequence[NewLeaf], size: int, reader: Any
    ) -> list[tuple[int, int, bytes]]:
        """Index `leaves` after the first `size` and store the Merkle nodes they make."""
        check_entry_sizes(leaves)
        if not leaves:
            return []
        session.execute(
            insert(log_entries),
            [
                {
                    "leaf_index": size + offset,
                    "notification_id": leaf.notification_id,
                    "stream_id": leaf.stream_id,
                    "version": leaf.version,
                    "type": leaf.type,
                    "recorded": leaf.recorded,
                    "envelope_sha256": sha256_hex(leaf.envelope),
                }
                for offset, leaf in enumerate(leaves)
            ],
        )
        nodes = merkle.append_leaves(reader, size, [merkle.leaf_hash(x.envelope) for x in leaves])
        session.execute(
            insert(merkle_nodes),
            [{"level": level, "idx": idx, "hash": digest} for level, idx, digest in nodes],
        )
        return nodes

    def archive_checkpoint(
        self, session: Session, size: int, note: str, issued: str
    ) -> IssuedCheckpoint:
        """Keep a checkpoint signed elsewhere; the caller has verified its signature."""
        root = merkle.root_at(SqlNodeReader(session), size)
        claimed = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
        if (claimed.origin, claimed.size, claimed.root_hash) != (self.origin, size, root):
            raise CheckpointMismatch(
                f"the checkpoint of {claimed.origin} for size {claimed.size} does not sign "
                f"the tree of the {size} entries given: nothing was stored"
            )
        if self.checkpoint_at(session, size) is None:
            session.execute(
                insert(checkpoints),
                {"size": size, "root_hash": root, "note": note, "issued": issued},
            )
        return IssuedCheckpoint(size, root, note)

    def issue_checkpoint(self, session: Session, size: int, issued: str) -> IssuedCheckpoint:
        if self.signer is None:
            raise RuntimeError("this registry instance has no log key: it cannot sign checkpoints")
        root = merkle.root_at(SqlNodeReader(session), size)
        note = sign_checkpoint(Checkpoint(self.origin, size, root), self.signer)
        existing = session.execute(
            select(checkpoints.c.note).where(checkpoints.c.size == size)
        ).scalar()
        if existing is None:
            session.execute(
                insert(checkpoints),
                {"size": size, "root_hash": root, "note": note, "issued": issued},
            )
        return IssuedCheckpoint(size, root, note)

    @staticmethod
    def latest(session: Session) -> IssuedCheckpoint | None:
        row = session.execute(
            select(checkpoints).order_by(checkpoints.c.size.desc()).limit(1)
        ).first()
        return IssuedCheckpoint(row.size, bytes(row.root_hash), row.note) if row else None

    @staticmethod
    def checkpoint_at(session: Session, size: int) -> IssuedCheckpoint | None:
        row = session.execute(select(checkpoints).where(checkpoints.c.size == size)).first()
        return IssuedCheckpoint(row.size, bytes(row.root_hash), row.note) if row else None

    @staticmethod
    def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_proof(SqlNodeReader(session), index, size)

    @staticmethod
    def consistency_proof(session: Session, size1: int, size2: int) -> list[bytes]:
        return merkle.consistency_proof(SqlNodeReader(session), size1, size2)

    @staticmethod
    def root_at(session: Session, size: int) -> bytes:
        return merkle.root_at(SqlNodeReader(session), size)


def check_entry_sizes(leaves: Sequence[NewLeaf]) -> None:
    """Refuse (the whole transaction) an envelope too long to be an entry of the log's tiles."""
    for leaf in leaves:
        if len(leaf.envelope) > MAX_ENTRY_SIZE:
            raise EnvelopeTooLarge(
                f"{leaf.type} for {leaf.stream_id} v{leaf.version} would be a signed envelope of "
                f"{len(leaf.envelope):,} bytes; the log holds entries of at most "
                f"{MAX_ENTRY_SIZE:,}: shorten its text (documents are attached by hash, not "
                "content); nothing was recorded"
            )


def recorded_of(envelope: bytes) -> str:
    """The `recorded` instant an envelope's payload names."""
    return EventPayload.from_bytes(Envelope.from_bytes(envelope).payload).recorded


def note_verifier(origin: str, anchors: Keyring) -> NoteVerifier:
    """The checkpoint verifier: the anchors' log key under the log's origin name."""
    for entry in anchors.values():
        if entry.role == "log":
            return NoteVerifier.from_public_bytes(origin, entry.public_key.raw)
    raise KeyError("the trust anchors hold no log key")


def leaf_indexes(session: Session, stream_id: str) -> dict[int, int]:
    """Version -> leaf index for one stream."""
    rows = session.execute(
        select(log_entries.c.version, log_entries.c.leaf_index).where(
            log_entries.c.stream_id == stream_id
        )
    )
    return {int(row.version): int(row.leaf_index) for row in rows}


def entries(session: Session, start: int, limit: int) -> list[Any]:
    """Log entries from leaf `start` on, in leaf order (the follower's feed)."""
    return list(
        session.execute(
            select(log_entries)
            .where(log_entries.c.leaf_index >= start)
            .order_by(log_entries.c.leaf_index)
            .limit(limit)
        )
    )


def rebuild_tree(session: Session, notifications: Sequence[Any]) -> bytes:
    """Recompute the leaf index and the stored nodes from the events (given in log order).

    Checkpoints are not touched: they are what was signed and served, and the rebuilt tree
    must give their roots again (`registry verify` checks that). Returns the rebuilt root.
    """
    session.execute(delete(merkle_nodes))
    session.execute(delete(log_entries))
    reader = SqlNodeReader(session)
    size = 0
    for start in range(0, len(notifications), 1000):
        chunk = notifications[start : start + 1000]
        payloads = [EventPayload.from_bytes(Envelope.from_bytes(n.state).payload) for n in chunk]
        session.execute(
            insert(log_entries),
            [
                {
                    "leaf_index": size + offset,
                    "notification_id": n.id,
                    "stream_id": payload.agreement,
                    "version": payload.version,
                    "type": payload.type,
                    "recorded": payload.recorded,
                    "envelope_sha256": sha256_hex(n.state),
                }
                for offset, (n, payload) in enumerate(zip(chunk, payloads, strict=True))
            ],
        )
        nodes = merkle.append_leaves(reader, size, [merkle.leaf_hash(n.state) for n in chunk])
        session.execute(
            insert(merkle_nodes),
            [{"level": level, "idx": idx, "hash": digest} for level, idx, digest in nodes],
        )
        size += len(chunk)
    return merkle.root_at(reader, size)
