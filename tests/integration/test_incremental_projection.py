"""The projection's incremental Head (store/reads/projection.py) gives, after every event, the
spans a full recompute gives: the status timeline of the events so far (timeline.py, which
the unit tests pin to `state_as_of` day by day), each standing turned into rows. Random
histories: multilateral, bilateral and non-binding ones with corrections, clause-computed
entries into force (dates, counts of instruments), withdrawals and terminations, and the same
facts recorded in a shuffled order (nearly every act backdated against the one before), so
that a party's own fact takes the one-party path and a fact that moves what every party
shares (an entry into force by the count of consents) takes the every-party one."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.clause_force import clause_days, general_entry, party_entry
from registry.domain.corrections import Corrections
from registry.domain.events import AgreementEvent, Drafted, EventCorrected
from registry.domain.history import Shared, entry_of
from registry.domain.record import Record
from registry.domain.timeline import clause_change_days, status_timeline
from registry.ledger.payload import format_instant
from registry.store.reads.intervals import LAST_DAY
from registry.store.reads.projection import (
    WHOLE,
    Head,
    Span,
    _key,
    _lengthen,
    replayed,
)
from registry.store.reads.projection_rows import standing_values
from tests.unit.domain.clause_strategies import clause_histories
from tests.unit.domain.strategies import histories

examples = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ONE_DAY = timedelta(days=1)


def full_spans(events: list[AgreementEvent]) -> dict[str, list[Span]]:
    """The spans of every owner from the standings of the whole timeline, computed afresh."""
    agreement_id = str(events[0].originator_id)
    periods = status_timeline(events)
    spans: dict[str, list[Span]] = {}
    for number, period in enumerate(periods):
        last = number + 1 == len(periods)
        until = LAST_DAY if last else periods[number + 1].start - ONE_DAY
        whole, parties, _ = standing_values(agreement_id, period.standing)
        _lengthen(spans.setdefault(WHOLE, []), period.start, until, whole)
        for code, values in parties:
            _lengthen(spans.setdefault(code, []), period.start, until, values)
    return spans


def shuffled(events: list[AgreementEvent], order: list[int]) -> list[AgreementEvent]:
    """The same facts recorded in another order (versions renumbered): the Drafted event
    first, the others as `order` draws them; a history without corrections."""
    drafted, *facts = [e for e in events if not isinstance(e, EventCorrected)]
    facts = [facts[n] for n in order if n < len(facts)] + [
        f for n, f in enumerate(facts) if n not in order
    ]
    first = drafted.timestamp
    return [
        dataclasses.replace(
            event, originator_version=number + 1, timestamp=first + timedelta(minutes=number)
        )
        for number, event in enumerate([drafted, *facts])
    ]


def assert_every_step_is_the_full_recompute(events: list[AgreementEvent]) -> None:
    ordered = sorted(events, key=lambda e: e.originator_version)
    head = Head(str(ordered[0].originator_id))
    for number, event in enumerate(ordered):
        head.take(event, event.originator_version, format_instant(event.timestamp))
        expected = full_spans(ordered[: number + 1])
        assert head.spans == expected, (number, type(event).__name__)
        assert set(head.open) == {
            _key(owner, span) for owner, spans in expected.items() for span in spans
        }
        head.saved()


def assert_a_restored_head_goes_on_as_the_kept_one(events: list[AgreementEvent], cut: int) -> None:
    """A Head read back from the tables (no lines kept) takes the next events as one that
    followed every event: a cold writer's rows are a warm one's."""
    ordered = sorted(events, key=lambda e: e.originator_version)
    cut = max(1, min(cut, len(ordered)))
    kept = replayed(ordered)
    older = replayed(ordered[:cut])
    stored = ([(key, since) for key, since in older.open.items()], set(older.new_texts))
    head = Head.restore(older.agreement_id, ordered[:cut], stored)
    for event in ordered[cut:]:
        head.take(event, event.originator_version, format_instant(event.timestamp))
    assert head.spans == kept.spans
    assert head.open == kept.open


@examples
@given(histories())
def test_each_event_leaves_the_spans_a_full_recompute_gives(events) -> None:  # type: ignore[no-untyped-def]
    assert_every_step_is_the_full_recompute(events)


@examples
@given(histories(), st.lists(st.integers(0, 80), max_size=80, unique=True))
def test_facts_recorded_out_of_order_leave_the_spans_a_full_recompute_gives(events, order) -> None:  # type: ignore[no-untyped-def]
    assert_every_step_is_the_full_recompute(shuffled(events, order))


@examples
@given(clause_histories(), st.lists(st.integers(0, 20), max_size=20, unique=True))
def test_entries_into_force_by_the_clause_leave_the_spans_a_full_recompute_gives(  # type: ignore[no-untyped-def]
    history, order
) -> None:
    _, events = history
    assert_every_step_is_the_full_recompute(events)
    assert_every_step_is_the_full_recompute(shuffled(events, order))


@examples
@given(histories(), st.integers(1, 60))
def test_a_head_read_back_from_the_tables_goes_on_as_the_kept_one(events, cut) -> None:  # type: ignore[no-untyped-def]
    assert_a_restored_head_goes_on_as_the_kept_one(events, cut)


@examples
@given(clause_histories(), st.data())
def test_the_shared_entry_into_force_is_the_clauses(history, data) -> None:  # type: ignore[no-untyped-def]
    _, events = history
    corrections = Corrections()
    for event in events:
        corrections.take(event)
    facts = corrections.in_order()
    assert isinstance(facts[0], Drafted)
    on = data.draw(st.dates(date(2024, 1, 1), date(2027, 1, 1)))
    record = Record.of([facts[0], *(f for f in facts[1:] if f.effective.start <= on)])
    shared = Shared.of(record, on)
    assert shared.entry == general_entry(record)
    for party in record.parties:
        bound = record.bound_on(party.code)
        assert entry_of(record, party.code, bound, shared) == party_entry(record, party.code)
    whole = Record.of(facts)
    assert clause_change_days(whole) == clause_days(whole)
