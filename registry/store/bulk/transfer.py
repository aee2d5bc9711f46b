"""What export and import share: the file's format, its errors and the root of its leaves."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import StoredEvent

from registry.domain.keyring import Keyring
from registry.ledger import merkle

FORMAT = "agreement-registry-export/v1"
KEYRING_MARK = f'"agreement":"{Keyring.ID}"'.encode()

Lines = Callable[[], Iterable[bytes]]  # the file's lines, read afresh at each call


class TransferError(Exception):
    """A file that cannot be imported or exported; the message says what was written."""


def trailer_line(note: str) -> bytes:
    return json.dumps({"checkpoint": note, "format": FORMAT}, sort_keys=True).encode()


@dataclass
class RootAccumulator:
    """RFC 9162 root of the leaves added so far, keeping only the perfect subtrees' roots."""

    size: int = 0
    edge: list[tuple[int, bytes]] = field(default_factory=list)  # (level, hash), left to right

    def add(self, leaf: bytes) -> None:
        level, digest = 0, leaf
        while self.edge and self.edge[-1][0] == level:
            digest = merkle.node_hash(self.edge.pop()[1], digest)
            level += 1
        self.edge.append((level, digest))
        self.size += 1

    def root(self) -> bytes:
        if not self.edge:
            return merkle.EMPTY_ROOT
        digest = self.edge[-1][1]
        for _level, left in reversed(self.edge[:-1]):
            digest = merkle.node_hash(left, digest)
        return digest


def stored_event(row: Any) -> StoredEvent:
    """A row of the events table (id order), as the mapper opens it."""
    return StoredEvent(row.originator_id, row.originator_version, row.topic, bytes(row.state))
