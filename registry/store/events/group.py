"""Group commit: concurrent writers in one process share one write transaction.

Each writer queues its request and waits. Whoever finds no transaction running becomes the
leader: it takes every request queued so far and runs them as one group (one lock, one
checkpoint, one commit, so one fsync), then wakes the others. Requests that arrive meanwhile
form the next group, so groups grow with the load and a lone writer never waits for company.
Each request still gets its own answer: the runner sets a result or an error on every member.

A leader also waits, briefly, for writers on their way: a command announces itself (`coming`)
before it runs, and the writers of the last group are expected back, so a leader waits for
them (at most `GATHER_SECONDS`, and only while fewer are queued than the last group held or
an announced command is still running) instead of committing a group of one and leaving them
the next fsync. A lone writer's groups are of one: it never waits.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

MAX_GROUP = 64
GATHER_SECONDS = 0.008  # how long a leader waits at most for writers on their way

_announced: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "registry_group_announced", default=None
)


@dataclass
class Member:
    """One writer's request in a group, and then its answer."""

    events: list[Any]
    kwargs: dict[str, Any]
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    result: Any = None
    error: BaseException | None = None
    done: bool = False

    def succeed(self, result: Any) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    def __init__(
        self,
        run: Callable[[list[Member]], None],
        max_group: int = MAX_GROUP,
        gather_seconds: float = GATHER_SECONDS,
    ) -> None:
        self._run = run
        self._max_group = max_group
        self._gather_seconds = gather_seconds
        self._queue: list[Member] = []
        self._leading = False
        self._coming = 0  # requests announced and not submitted yet
        self._last_size = 1  # the size of the last group run
        self._changed = threading.Condition()

    @contextmanager
    def coming(self) -> Iterator[None]:
        """Announce a request about to be submitted from this context (a command running)."""
        pending = [True]
        token = _announced.set(pending)
        with self._changed:
            self._coming += 1
        try:
            yield
        finally:
            _announced.reset(token)
            if pending[0]:  # left without submitting (a refused command)
                self._arrived(pending)

    def _arrived(self, pending: list[bool]) -> None:
        with self._changed:
            if pending[0]:
                pending[0] = False
                self._coming -= 1
                self._changed.notify_all()

    def waiting(self) -> int:
        """How many requests are queued for the next group."""
        with self._changed:
            return len(self._queue)

    def submit(self, member: Member) -> Any:
        """Queue `member`, lead a group or wait for one to carry it; its result or error."""
        pending = _announced.get()
        with self._changed:
            self._queue.append(member)
            if pending is not None and pending[0]:
                pending[0] = False
                self._coming -= 1
            self._changed.notify_all()
        while True:
            with self._changed:
                while self._leading and not member.done:
                    self._changed.wait()
                if member.done:
                    return member.outcome()
                self._gather(member)
                if self._leading or member.done:
                    continue  # another leader took the queue while this one gathered
                self._leading = True
                group = self._queue[: self._max_group]
                del self._queue[: self._max_group]
                self._last_size = len(group)
            try:
                self._run(group)
            except BaseException as error:  # the runner answers each member; this is a bug
                for one in group:
                    if not one.done:
                        one.fail(error)
                raise
            finally:
                for one in group:
                    if not one.done:
                        one.fail(RuntimeError("the group commit ended without an answer"))
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()

    def _gather(self, member: Member) -> None:
        """Wait (holding the condition) while writers on their way may still join the group
        `member` is in, unless another leader has taken it meanwhile."""
        deadline = time.monotonic() + self._gather_seconds
        while not self._leading and not member.done and len(self._queue) < self._max_group:
            if self._coming == 0 and len(self._queue) >= self._last_size:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._changed.wait(remaining)
