"""The local store as `registry mirror` (registry/mirror.py) reads and writes it.

The mirror verifies with registry.ledger alone; everything it asks of its own store is here,
one call each: the log it holds (size, root, last instant, the chains' heads, the keyring),
the strict opening of a chunk's envelopes on the machine's other cores, and the chunk's
transaction (events, leaves, nodes, read models, and for the last chunk the server's
checkpoint).

With workers (parallel_mirror.py), the envelopes are opened in worker processes, a batch at a
time, by the mirror's own check, and the read models of each verified chunk are projected
there too (the instants are signed in the entries, as an import's are): the mirror checks
the chains, the order and the tree in this process, leaf by leaf, as the serial path does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from registry.domain.events import EVENT_TYPES
from registry.domain.keyring import Keyring
from registry.ledger import merkle
from registry.ledger.payload import EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.chunks import (
    CHUNK,
    PARALLEL_LEAST,
    VerifiedEvent,
    append_verified,
    locked_log,
    project_verified,
)
from registry.store.bulk.workers import worker_count
from registry.store.events.log import CheckpointMismatch, entries
from registry.store.events.verify_log import edge_keys
from registry.store.log_reads import held_nodes, last_envelopes
from registry.store.reads.projection import Heads

# The mirror's check of one envelope with a trust: None, or why it is refused (its message).
Check = Callable[[Trust, int, bytes], str | None]


class MirrorStore:
    """One mirror run's side of its local store. Use as a context manager: with workers, the
    pool lives as long as the run (`start`), and is closed on leaving."""

    def __init__(self, registry: Registry, *, chunk: int = CHUNK) -> None:
        self.registry = registry
        self.chunk = chunk
        self.heads = Heads(size=chunk)  # the agreements' projection heads, chunk to chunk
        self.workers: Any = None  # parallel_mirror.Workers, once started
        self.stored = 0  # events stored by this run
        self.made: list[Any] | None = None  # the workers' rows of the chunk to store
        self._exit = ExitStack()

    def __enter__(self) -> MirrorStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._exit.close()
        if self.workers is not None:
            self.registry.read_model_heads.clear()  # the workers', not this registry's

    # -- what the store holds ------------------------------------------------------------------

    def log_size(self) -> int:
        """Entries in the local log (more than its checkpoint covers after an interrupted run)."""
        with self.registry.transaction() as session:
            return self.registry.signed_recorder.log.size(session)

    def root(self, size: int) -> bytes:
        """The root of the local tree of its first `size` leaves."""
        return merkle.root_at(self._edge(size), size)

    def root_after(self, size: int, leaves: Sequence[bytes]) -> bytes:
        """The root of the local tree of `size` leaves extended by `leaves` (not yet stored)."""
        tree = self._edge(size)
        for level, index, digest in merkle.append_leaves(tree, size, list(leaves)):
            tree.put(level, index, digest)
        return merkle.root_at(tree, size + len(leaves))

    def _edge(self, size: int) -> merkle.MemoryNodeStore:
        tree = merkle.MemoryNodeStore()
        for (level, index), digest in held_nodes(self.registry, edge_keys(size)).items():
            tree.put(level, index, digest)
        return tree

    def recorded_at(self, index: int) -> str:
        """The recorded instant of the local log's leaf `index`."""
        with self.registry.transaction() as session:
            (row,) = entries(session, index, 1)
        return str(row.recorded)

    def keyring_envelopes(self) -> list[bytes]:
        """The stored keyring events' envelopes, in version order."""
        return [bytes(e.state) for e in self.registry.recorder.select_events(Keyring.ID)]

    def last_envelopes(self, streams: set[str]) -> list[bytes]:
        """The stored last envelope of each of `streams` the store holds (their chains' heads)."""
        return last_envelopes(self.registry, [UUID(stream) for stream in streams])

    # -- opening envelopes -------------------------------------------------------------------

    def start(self, check: Check, trust: Trust, entries: int, workers: int | None = None) -> None:
        """Fork the workers for a mirror of about `entries` entries (by default one per core
        for a large one; none for a small one), each with `check` and its copy of `trust`."""
        count = worker_count(workers, entries, PARALLEL_LEAST)
        if count < 1:
            return
        from registry.store.bulk.parallel_mirror import Workers

        self.workers = self._exit.enter_context(Workers(self.registry, check, trust, count))

    @property
    def parallel(self) -> bool:
        return self.workers is not None

    def check_later(self, start: int, envelopes: Sequence[bytes]) -> Any:
        """Send leaves `start` onwards to the workers' `check` (only once started); `checked`
        gives the answers. The caller opens a keyring event itself, and `learn`s it before it
        sends the leaves after it."""
        return self.workers.send(start, envelopes)

    def checked(self, ticket: Any) -> list[str | None]:
        """Each leaf's problem (None: none) of a `check_later`, in leaf order."""
        return self.workers.receive(ticket)

    def learn(self, keyring: Sequence[EventPayload]) -> None:
        """Keyring events verified by the caller: the workers' trust takes them for the
        leaves sent from now on."""
        if self.workers is not None and keyring:
            self.workers.learn(list(keyring))

    # -- storing a chunk -------------------------------------------------------------------------

    def project(self, payloads: Sequence[EventPayload]) -> None:
        """With workers, start projecting a verified chunk's read models (`store` takes them):
        the workers are sent the stored, verified events of an agreement they do not hold."""
        if self.workers is not None:
            self.workers.project(list(payloads), self.registry.trust())

    def projected(self) -> None:
        """Wait for the rows `project` started (`store` writes them)."""
        if self.workers is not None:
            self.made = self.workers.rows()

    def store(
        self,
        rows: Sequence[tuple[EventPayload, bytes]],
        size: int,
        note: str | None,
        refused: Callable[[int], Exception],
        mismatch: Callable[[CheckpointMismatch], Exception],
    ) -> None:
        """One transaction on a local log of `size` entries (else `refused(held)`): the
        chunk's events, leaves and nodes, their read models, and with `note` (the last chunk)
        the server's checkpoint, archived only if it signs the tree they give (else
        `mismatch(error)`). The read models start from the chunks before, which keep this
        chunk's once it has committed."""
        registry = self.registry
        events = [
            VerifiedEvent(
                UUID(payload.agreement),
                payload.version,
                payload.type,
                get_topic(EVENT_TYPES[payload.type]),
                payload.recorded,
                data,
            )
            for payload, data in rows
        ]
        made, self.made = self.made, None
        if self.workers is not None and made is None:
            made = self.workers.rows()
        trust = registry.trust()  # the keyring as committed: it signed the older events projected
        written = None
        try:
            with locked_log(registry, size, refused) as session:
                append_verified(
                    registry.signed_recorder,
                    session,
                    events,
                    checkpoint_note=note,
                    checkpoint=note is not None,
                )
                if made is not None:
                    for part in made:
                        part.save(session)
                else:
                    payloads = [payload for payload, _ in rows]
                    written = project_verified(registry, session, payloads, self.heads, trust)
        except CheckpointMismatch as error:
            raise mismatch(error) from None
        if written is not None:
            self.heads.keep(written)
        self.stored += len(events)
