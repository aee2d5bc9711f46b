"""Worker processes for the bulk paths: the per-agreement work on the machine's other cores.

A bulk chunk's work on each agreement (its commands, sealing its envelopes, its read-model
rows; an import's strict opening and verification) does not depend on the other agreements'.
`Pool` forks a few processes, each holding its own state (made by `make()` in the child),
and talks to each over its own pipe: a call names a method of that state and its arguments,
and the answer is its result. Agreements are shared out by id (`share`), so each one's state
stays in one process from chunk to chunk.

The children never touch the database: the parent alone holds connections and the write
lock, and a forked child neither uses nor closes the connections it inherited (they stay
referenced until it leaves by `os._exit`, and psycopg does not close another process's
connection). A child reads its pipe until the parent closes it, or dies: a parent killed by
SIGKILL leaves no worker behind.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any
from uuid import UUID

from registry.store.errors import StoreError

WORKERS_SETTING = "REGISTRY_BULK_WORKERS"  # processes for a bulk path; 0: none (serial)
PROFILE_SETTING = "REGISTRY_BULK_PROFILE"  # a folder: each worker leaves its cProfile there


class WorkerFailed(Exception):
    """A worker's call raised; the message is its error, the traceback its own."""

    def __init__(self, kind: str, message: str, trace: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind, self.trace = kind, trace


def worker_count(requested: int | None, events: int, least: int) -> int:
    """How many workers a bulk path of about `events` events uses: `requested`, else the
    REGISTRY_BULK_WORKERS setting, else one per core when there is more than one and the
    work is large enough to repay starting them (at least `least` events); 0 means serial."""
    if requested is None and os.environ.get(WORKERS_SETTING):
        value = os.environ[WORKERS_SETTING]
        if not value.strip().isdigit():
            raise StoreError(
                f"{WORKERS_SETTING} must be a whole number of processes, not {value!r}"
            )
        requested = int(value)
    if requested is not None:
        return max(requested, 0)
    cores = len(os.sched_getaffinity(0))
    return cores if cores > 1 and events >= least else 0


def share(stream: UUID, workers: int) -> int:
    """The worker that holds an agreement's state."""
    return stream.int % workers


class Pool:
    """`count` forked workers, each serving the methods of its own `make()`."""

    def __init__(self, count: int, make: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        # What the parent holds stays out of the children's garbage collections: scanning it
        # there would cost time and copy every page it touches (copy-on-write).
        frozen = gc.get_freeze_count() > 0  # by the caller, who will unfreeze
        gc.freeze()
        try:
            self._start(count, make, context)
        finally:
            if not frozen:
                gc.unfreeze()

    def _start(self, count: int, make: Callable[[], Any], context: Any) -> None:
        for _ in range(count):
            mine, theirs = context.Pipe()
            process = context.Process(
                target=_serve, args=(theirs, make, [*self.pipes, mine]), daemon=True
            )
            process.start()
            theirs.close()
            self.pipes.append(mine)
            self.processes.append(process)

    def __len__(self) -> int:
        return len(self.pipes)

    def __enter__(self) -> Pool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def ask(self, worker: int, method: str, *args: Any) -> None:
        self.pipes[worker].send((method, args))

    def answer(self, worker: int) -> Any:
        outcome, value = self.pipes[worker].recv()
        if outcome == "error":
            raise WorkerFailed(*value)
        return value

    def ask_each(self, method: str, arguments: Sequence[tuple[Any, ...]]) -> None:
        """Call `method` on every worker, with its own arguments."""
        for worker, args in enumerate(arguments):
            self.ask(worker, method, *args)

    def answers(self) -> list[Any]:
        """Every worker's answer to its last call; the first failure is raised once all
        have answered (so no answer is left in a pipe)."""
        found, failed = [], None
        for worker in range(len(self.pipes)):
            try:
                found.append(self.answer(worker))
            except WorkerFailed as error:
                failed = failed or error
                found.append(None)
        if failed is not None:
            raise failed
        return found

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
            pipe.close()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()
        self.pipes, self.processes = [], []


def _serve(pipe: Connection, make: Callable[[], Any], inherited: list[Connection]) -> None:
    for other in inherited:  # the parent's ends: only the parent may hold them open
        other.close()
    folder = os.environ.get(PROFILE_SETTING)
    if not folder:
        return _calls(pipe, make())
    import cProfile

    profile = cProfile.Profile()
    try:
        profile.runcall(_calls, pipe, make())
    finally:
        profile.dump_stats(os.path.join(folder, f"worker-{os.getpid()}.prof"))


def _calls(pipe: Connection, state: Any) -> None:
    while True:
        try:
            call = pipe.recv()
        except (EOFError, OSError):
            return
        if call is None:
            return
        method, args = call
        try:
            result = ("ok", getattr(state, method)(*args))
        except Exception as error:
            result = ("error", (type(error).__name__, str(error), traceback.format_exc()))
        try:
            pipe.send(result)
        except OSError:  # the parent has gone
            return
