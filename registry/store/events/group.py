"""Group commit: concurrent writers in one process share one write transaction.

Each writer queues its request and waits. Whoever finds no transaction running becomes the
leader: it takes every request queued so far and runs them as one group (one lock, one
checkpoint, one commit, so one fsync), then wakes the others. Requests that arrive meanwhile
form the next group, so groups grow with the load and a lone writer never waits for company.
Each request still gets its own answer: the runner sets a result or an error on every member.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_GROUP = 64


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
    def __init__(self, run: Callable[[list[Member]], None], max_group: int = MAX_GROUP) -> None:
        self._run = run
        self._max_group = max_group
        self._queue: list[Member] = []
        self._leading = False
        self._changed = threading.Condition()

    def waiting(self) -> int:
        """How many requests are queued for the next group."""
        with self._changed:
            return len(self._queue)

    def submit(self, member: Member) -> Any:
        """Queue `member`, lead a group or wait for one to carry it; its result or error."""
        with self._changed:
            self._queue.append(member)
        while True:
            with self._changed:
                while self._leading and not member.done:
                    self._changed.wait()
                if member.done:
                    return member.outcome()
                self._leading = True
                group = self._queue[: self._max_group]
                del self._queue[: self._max_group]
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
