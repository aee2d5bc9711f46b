"""`registry mirror` on several cores (mirroring.py): each chunk's envelopes opened strictly
by the mirror's own check in worker processes (workers.py), and each verified chunk's read
models projected there (parallel_import.ImportShare.project), while this process checks the
chains, the order and the tree, leaf by leaf, and writes.

A chunk's envelopes go out as one contiguous share per worker and come back in leaf order
as each one's problem (None: none); they are sent before the chunk before is written, so
the workers check them while this process writes. A keyring event changes who may sign the
leaves after it: the mirror opens it itself, and `learn`s it to the workers before it sends
the leaves after it, so every leaf is judged by the keyring as it stood before that leaf.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from registry.ledger.payload import EventPayload
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.parallel_import import ImportShare, Projector
from registry.store.bulk.workers import Pool, WorkerFailed

Check = Any  # mirroring.Check: (trust, leaf index, envelope bytes) -> problem or None
Ticket = list[tuple[int, object]]  # (worker, call) of each share of a `send`, in leaf order


class MirrorShare(ImportShare):
    """One worker's side: the mirror's check with this worker's copy of the trust, and the
    read-model Heads of its agreements (ImportShare.project)."""

    def __init__(self, check: Check, trust: Trust, dialect: Any) -> None:
        super().__init__(None, dialect)  # type: ignore[arg-type]  # no import lines here
        self.check, self.trust = check, trust

    def problems(self, start: int, envelopes: list[bytes]) -> list[str | None]:
        return [self.check(self.trust, start + n, data) for n, data in enumerate(envelopes)]

    def learn(self, keyring: list[EventPayload]) -> None:
        for payload in keyring:
            self.trust.apply(payload)  # verified by the mirror, in its keyring's order


class Workers:
    """This process's side: the pool, and which answer each worker owes next."""

    def __init__(self, registry: Registry, check: Check, trust: Trust, count: int) -> None:
        dialect = registry.signed_recorder.datastore.engine.dialect  # type: ignore[union-attr]

        def make() -> MirrorShare:
            return MirrorShare(check, trust, dialect)

        self.pool = Pool(count, make)
        self.projector = Projector(registry, self.pool, trust)
        self.owed: list[deque[object]] = [deque() for _ in range(count)]  # per worker, in order
        self.projection: list[object] = []

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.pool.close()

    def _ask(self, worker: int, token: object, method: str, *args: Any) -> None:
        self.pool.ask(worker, method, *args)
        self.owed[worker].append(token)

    def _answer(self, worker: int, token: object) -> Any:
        """The worker's answer to the call `token`; the answers it owes before it (to
        `learn`) are read first, and a failure among them raised."""
        while True:
            owed = self.owed[worker].popleft()
            value = self.pool.answer(worker)
            if owed is token:
                return value

    def send(self, start: int, envelopes: Sequence[bytes]) -> Ticket:
        """Ask for the check of leaves `start` onwards, a contiguous share per worker, each in
        one call (a worker is idle when it is sent one: it reads it at once)."""
        ticket: Ticket = []
        share = -(-len(envelopes) // len(self.pool))  # ceiling
        for worker, first in enumerate(range(0, len(envelopes), share)):
            token = object()
            self._ask(
                worker, token, "problems", start + first, list(envelopes[first : first + share])
            )
            ticket.append((worker, token))
        return ticket

    def receive(self, ticket: Ticket) -> list[str | None]:
        """Each leaf's problem (None: none), in leaf order."""
        found: list[str | None] = []
        for worker, token in ticket:
            found += self._answer(worker, token)
        return found

    def learn(self, keyring: list[EventPayload]) -> None:
        for worker in range(len(self.pool)):
            self._ask(worker, object(), "learn", keyring)

    def project(self, payloads: list[EventPayload], trust: Trust) -> None:
        self.projector.trust = trust  # it verifies the stored events it ships
        self.projector.send(payloads)
        self.projection = [object() for _ in range(len(self.pool))]
        for worker, token in enumerate(self.projection):
            self.owed[worker].append(token)

    def rows(self) -> list[Any]:
        """Every worker's rows of the chunk sent to `project`; the first failure is raised
        once all have answered."""
        found, failed = [], None
        for worker, token in enumerate(self.projection):
            try:
                found.append(self._answer(worker, token))
            except WorkerFailed as error:
                failed = failed or error
        if failed is not None:
            raise failed
        return found
