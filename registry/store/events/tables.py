"""Tables beside the event store: the log's leaf index, Merkle nodes, checkpoints, read models.

All of them are derived from the events and rebuildable from the log; none is the source of
truth. They are written in the same transaction as the events they derive from.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# One row per envelope, in global order: the leaf index is dense, notification ids may not be.
log_entries = Table(
    "registry_log_entries",
    metadata,
    Column(
        "leaf_index",
        BigInteger().with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("notification_id", BigInteger, nullable=False, unique=True),
    Column("stream_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("recorded", String(27), nullable=False),
    Column("envelope_sha256", String(64), nullable=False),
    Index("registry_log_entries_stream", "stream_id", "version", unique=True),
)

# Hashes of perfect subtrees: (level, index) covers leaves [index * 2**level, (index+1) * 2**level).
merkle_nodes = Table(
    "registry_merkle_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# Every checkpoint ever issued, as the signed note text that was served.
checkpoints = Table(
    "registry_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("issued", String(27), nullable=False),
)

# The current state of each agreement, for lists and search.
agreements = Table(
    "registry_agreements",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("titles_text", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("character", String(20), nullable=False),
    Column("status", String(30), nullable=False),
    Column("parties", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("last_recorded", String(27), nullable=False),
    Column("signed", String(10), nullable=True),  # the first signature
    Column("in_force", String(10), nullable=True),  # the first entry into force
)
