"""A state from a snapshot is exactly what the full replay of the signed events gives, for every
(as_of, known_at): random histories with backdated records and corrections, each read through
the snapshots of a long-lived reader, of a new process (stored snapshots) and of the replay.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, NotYetRecorded
from registry.domain.history import state_as_of
from registry.ledger.payload import parse_instant
from registry.store.application import Registry
from registry.store.settings import Settings
from tests.integration.helpers import (
    ASTANA,
    ISLAMABAD,
    drafted_data,
    open_registry,
    signed_data,
)

FIRST = date(2026, 1, 1)
references = (f"PROP-{n:04d}" for n in itertools.count())

days = st.integers(0, 150).map(lambda n: PartialDate.of(FIRST + timedelta(days=n)))
parties = st.sampled_from(["PAK", "KAZ"])
steps = st.one_of(
    st.tuples(st.just("Signed"), parties, days),
    st.tuples(st.just("ConsentExpressed"), parties, days),
    st.tuples(st.just("EnteredIntoForce"), st.none(), days),
    st.tuples(st.just("correct"), st.integers(2, 12), days),
)
queries = st.lists(
    st.tuples(st.none() | st.integers(-5, 160), st.none() | st.integers(0, 14)),
    min_size=1,
    max_size=8,
)


def data_of(step: tuple[str, Any, PartialDate]) -> tuple[str, dict[str, Any], str | None]:
    kind, arg, _ = step
    if kind == "Signed":
        return kind, signed_data(arg), None
    if kind == "ConsentExpressed":
        return kind, {"party": arg, "instrument": "ratification"}, None
    if kind == "EnteredIntoForce":
        return kind, {}, None
    effective = str(step[2])
    return "EventCorrected", {"corrects": arg, "new_effective": effective}, "backdated fix"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    from tests.conftest import settings_for

    settings: Settings = settings_for(tmp_path_factory.mktemp("property") / "instance")
    with open_registry(settings) as registry:
        yield registry


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(steps, min_size=1, max_size=10), asked=queries)
def test_snapshot_states_are_the_full_replays(
    registry: Registry,
    history: list[tuple[str, Any, PartialDate]],
    asked: list[tuple[int | None, int | None]],
) -> None:
    ref = next(references)
    drafted = registry.draft(
        effective=PartialDate.of(FIRST), actor=ISLAMABAD, data=drafted_data(ref)
    )
    instants = [parse_instant(drafted.recorded)]
    for step in history:
        kind, data, reason = data_of(step)
        try:
            recorded = registry.record(
                ref, kind, effective=step[2], actor=ASTANA, data=data, reason=reason
            )
        except DomainError:
            continue  # refused by the treaty rules: nothing stored
        instants.append(parse_instant(recorded.recorded))
        registry.state(ref)  # a snapshot at every head, replaced by the next event
    replayed = Registry(registry.settings, can_sign=False)  # no stored snapshots: full replay
    restored = Registry(registry.settings)  # starts from the stored snapshot
    try:
        events = replayed.agreement(ref).history
        for day_offset, instant_index in asked:
            as_of = None if day_offset is None else FIRST + timedelta(days=day_offset)
            known_at = None
            if instant_index is not None:
                moment = instants[min(instant_index, len(instants) - 1)]
                known_at = moment - timedelta(microseconds=instant_index % 2)  # at, or just before
            try:
                expected = state_as_of(events, as_of=as_of, known_at=known_at)
            except NotYetRecorded:
                for reader in (registry, restored, replayed):
                    with pytest.raises(NotYetRecorded):
                        reader.state(ref, as_of=as_of, known_at=known_at)
                continue
            for reader in (registry, restored, replayed, registry, restored):  # twice: memos
                assert reader.state(ref, as_of=as_of, known_at=known_at) == expected
    finally:
        replayed.close()
        restored.close()
