"""States as a snapshot row stores them: the long tuples pickled apart, unpickled on first read.

A state of a long history is mostly its long tuples (a 10,000-event roadmap: 10,000 versions
and as many milestone rows, tens of thousands of objects), and a caller asking for its status
or its parties never reads them. The stored body is the other fields and, pickled separately,
the long tuples; `state_from_body` gives an `AgreementState` whose long tuples are unpickled
when one of them is first read. The body was authenticated whole before this module sees it
(stored_snapshots.SnapshotRows.load): nothing here is read from outside the MAC'd bytes.

The lazy state is an `AgreementState` (a subclass): its fields, `to_dict`, equality with a
plain state of the same values, `dataclasses.replace`, copies and pickles (which give a plain
`AgreementState`) behave as the plain state's.
"""

from __future__ import annotations

import gc
import pickle
from dataclasses import fields
from typing import Any

from registry.domain.state import AgreementState

LONG = 32  # a tuple field with more items than this is unpickled only when read
_PENDING = "_pending_fields"  # names and pickled values of the fields not yet unpickled


def unpickled(body: bytes) -> Any:
    """An authenticated body's objects. The collector is paused meanwhile: a state holds tens
    of thousands of fresh objects, none of them garbage, and collecting while they are made
    rescans the whole heap again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(body)  # authenticated first: stored_snapshots.SnapshotRows.load
    finally:
        if collecting:
            gc.enable()


def state_body(state: AgreementState) -> bytes:
    """The bytes a state row stores: (short fields, pickled long tuples or None)."""
    short: dict[str, Any] = {}
    long: dict[str, Any] = {}
    for field in fields(AgreementState):
        value = getattr(state, field.name)
        (long if isinstance(value, tuple) and len(value) > LONG else short)[field.name] = value
    later = pickle.dumps(long, protocol=pickle.HIGHEST_PROTOCOL) if long else None
    return pickle.dumps((short, tuple(long), later), protocol=pickle.HIGHEST_PROTOCOL)


def state_from_body(body: bytes) -> AgreementState:
    """The state of an authenticated `state_body`, its long tuples unpickled on first read."""
    short, names, later = unpickled(body)
    if later is None:
        return AgreementState(**short)
    return LazyState.restored(short, frozenset(names), later)


def _plain_state(values: dict[str, Any]) -> AgreementState:
    return AgreementState(**values)


class LazyState(AgreementState):
    """An AgreementState whose long tuples are unpickled when one of them is first read."""

    @classmethod
    def restored(cls, short: dict[str, Any], names: frozenset[str], later: bytes) -> LazyState:
        state = object.__new__(cls)
        state.__dict__.update(short)
        state.__dict__[_PENDING] = (names, later)
        return state

    def __getattr__(self, name: str) -> Any:
        """Only called for a field not yet unpickled (or no such attribute)."""
        found = object.__getattribute__(self, "__dict__")
        pending = found.get(_PENDING)
        if pending is None or name not in pending[0]:
            if name in found:  # unpickled meanwhile by another thread
                return found[name]
            raise AttributeError(name)
        found.update(unpickled(pending[1]))  # idempotent: two threads may both do it
        found.pop(_PENDING, None)
        return found[name]

    def values(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(AgreementState)}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AgreementState):
            return NotImplemented
        return all(
            getattr(self, field.name) == getattr(other, field.name)
            for field in fields(AgreementState)
        )

    __hash__ = AgreementState.__hash__

    def __repr__(self) -> str:
        return repr(_plain_state(self.values()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_plain_state, (self.values(),))
