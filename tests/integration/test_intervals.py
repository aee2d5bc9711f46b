"""The as-of read model answers what replay answers, for the whole registry, on SQLite and again
on PostgreSQL.

`IntervalScenario` holds the tests; `TestOnSQLite` and `TestOnPostgres` only say which database.
The property test records random accepted histories of several agreements through the real
signed store (interleaved, backdated, corrected, sometimes two events in one commit, on a
recorder clock that jumps by seconds or months), then asks the indexed list for random dates
and instants and compares every agreement with `history.state_as_of` on its verified events.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry.cli import main
from registry.domain.agreement import Agreement
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError, NotYetRecorded
from registry.domain.history import state_as_of
from registry.domain.timeline import partial_dates, status_timeline
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    LegalCharacter,
    PartyStatus,
)
from registry.store.application import Registry
from registry.store.events.tables import agreements as agreements_table
from registry.store.reads import queries
from registry.store.reads.intervals import (
    agreement_intervals,
    agreement_texts,
    party_intervals,
)
from registry.store.reads.projection import replayed
from registry.store.reads.queries import ListedAgreement
from registry.store.reads.rebuild import rebuild_views
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    SteppingClock,
    at,
    day,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
    signed_data,
)
from tests.unit.domain import builders
from tests.unit.domain.strategies import Clock, Step, steps

REF = "PK-KZ-2026-900"
NUMBERS = itertools.count(1)
SHAPES = ("bilateral", "multilateral", "non_binding", "clause")
# a multilateral treaty whose parties enter into force by its clause, for a fixed term
CLAUSES = {
    "entry_into_force": {
        "instruments": 2,
        "days_after": 30,
        "later_parties_days_after_deposit": 15,
    },
    "duration": {"years": 1},
}
GAPS = (timedelta(seconds=1), timedelta(hours=5), timedelta(days=3), timedelta(days=40))


def env_of(settings: Settings) -> dict[str, str]:
    return {
        "REGISTRY_HOME": str(settings.home),
        "REGISTRY_DATABASE_URL": settings.database_url,
        "REGISTRY_LOG_ORIGIN": settings.log_origin,
        "REGISTRY_KEYS_DIR": str(settings.keys_dir),
    }


def rows_of(registry: Registry) -> dict[str, set[tuple[Any, ...]]]:
    with registry.transaction() as session:
        return {
            table.name: {tuple(row) for row in session.execute(select(table))}
            for table in (agreement_intervals, party_intervals, agreement_texts)
        }


def listed(registry: Registry, as_of: date | None, known_at: datetime | None, **filters: Any):  # type: ignore[no-untyped-def]
    """Every agreement the read model lists, not-yet-drafted ones included, by id."""
    pages = [
        registry.list_as_of(as_of, known_at, limit=None, **filters),
        registry.list_as_of(
            as_of, known_at, limit=None, **filters, status=AgreementStatus.NOT_YET_DRAFTED
        ),
    ]
    return {a.id: a for page in pages for a in page.agreements}


def as_listed(agreement: ListedAgreement) -> tuple[Any, ...]:
    return (
        agreement.reference,
        agreement.title,
        agreement.titles,
        agreement.kind,
        agreement.character,
        agreement.status,
        tuple((p.code, p.status) for p in agreement.parties),
    )


def as_replayed(events: Any, as_of: date | None, known_at: datetime | None) -> Any:
    """What the list should say of an agreement: None if it was not yet known."""
    try:
        state = state_as_of(events, as_of=as_of, known_at=known_at)
    except NotYetRecorded:
        return None
    titles = dict(state.titles)
    return (
        state.reference,
        titles.get("en") or next(iter(titles.values()), ""),
        titles,
        state.kind,
        state.character,
        state.status,
        tuple((row.code, row.status) for row in state.parties),
    )


# -- random histories ------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    agreement: int  # which of the program's agreements (modulo their number)
    step: Step
    gap: timedelta  # on the recorder's clock, before the commit
    commit: bool  # False: the next move's event goes into the same commit


@dataclass(frozen=True)
class Program:
    drafts: tuple[tuple[str, PartialDate], ...]
    moves: tuple[Move, ...]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    drafted_on = st.dates(date(2025, 6, 1), date(2026, 6, 1)).map(PartialDate.of)
    drafts = draw(st.lists(st.tuples(st.sampled_from(SHAPES), drafted_on), min_size=1, max_size=3))
    some_step = st.one_of(*[steps()] * 5, st.just(bring_into_force))
    moves = st.builds(
        Move, st.integers(0, 2), some_step, st.sampled_from(GAPS), st.booleans() | st.just(True)
    )
    return Program(tuple(drafts), tuple(draw(st.lists(moves, min_size=20, max_size=80))))


def bring_into_force(agreement: Agreement, dates: Clock) -> None:
    """Several events at once, so that random histories reach the later statuses (and
    commits of several events happen): every party signs, consents if binding, then force."""
    codes = [row.code for row in agreement.state.parties]
    for code in codes:
        builders.sign(agreement, code, dates.advance(1, "day"))
    if agreement.state.character is LegalCharacter.BINDING:
        for code in codes:
            builders.consent(agreement, code, dates.advance(3, "day"))
        agreement.enter_into_force(effective=dates.advance(10, "month"), actor=builders.OFFICER)


def new_agreement(shape: str, drafted_on: PartialDate) -> Agreement:
    reference = f"IV-{next(NUMBERS):05d}"
    if shape == "multilateral":
        return builders.draft(
            reference,
            effective=drafted_on,
            parties=(builders.PAKISTAN, builders.KAZAKHSTAN, builders.UZBEKISTAN),
            multilateral=True,
            kind=AgreementKind.FRAMEWORK,
        )
    if shape == "clause":
        return builders.draft(
            reference,
            effective=drafted_on,
            parties=(builders.PAKISTAN, builders.KAZAKHSTAN, builders.UZBEKISTAN),
            multilateral=True,
            clauses=CLAUSES,
        )
    if shape == "non_binding":
        return builders.draft(
            reference,
            effective=drafted_on,
            parties=(builders.ISSI, builders.FPRI),
            character=LegalCharacter.NON_BINDING,
            kind=AgreementKind.MEMORANDUM_OF_UNDERSTANDING,
        )
    return builders.draft(reference, effective=drafted_on, withdrawal_notice_months=3)


def record(
    registry: Registry,
    clock: SteppingClock,
    program: Program,
    writer: Callable[[], Registry] | None = None,
) -> list[Agreement]:
    """Run the program through the store, skipping the steps the rules refuse; `writer`
    chooses the registry that makes each commit after the drafts."""
    agreements, dates = [], []
    for shape, drafted_on in program.drafts:
        agreement = new_agreement(shape, drafted_on)
        clock.set(clock.now + timedelta(hours=1))
        registry.commit(agreement)
        agreements.append(agreement)
        dates.append(Clock())
        dates[-1].today = drafted_on.start
    pending: set[int] = set()
    for move in program.moves:
        index = move.agreement % len(agreements)
        with suppress(DomainError):  # refused (a lifecycle may have done a few steps first)
            move.step(agreements[index], dates[index])
        if not agreements[index].pending_events:
            continue
        pending.add(index)
        if move.commit:
            clock.set(clock.now + move.gap)
            committing = writer() if writer is not None else registry
            for waiting in sorted(pending):
                committing.commit(agreements[waiting])
            pending.clear()
    for waiting in sorted(pending):
        registry.commit(agreements[waiting])
    return agreements


def stored_rows(registry: Registry, agreement_id: Any) -> dict[str, set[tuple[Any, ...]]]:
    with registry.transaction() as session:
        return {
            table.name: {
                tuple(row)
                for row in session.execute(
                    select(table).where(table.c.agreement_id == str(agreement_id))
                )
            }
            for table in (agreement_intervals, party_intervals, agreement_texts)
        }


def replayed_rows(events: Any) -> dict[str, set[tuple[Any, ...]]]:
    """The rows a rebuild makes of these events, from nothing."""
    head = replayed(events)
    found: dict[str, set[tuple[Any, ...]]] = {
        agreement_intervals.name: set(),
        party_intervals.name: set(),
        agreement_texts.name: {tuple(row.values()) for row in head.text_rows()},
    }
    for kind, row in head.rows():
        table = agreement_intervals if kind == "agreement" else party_intervals
        found[table.name].add(tuple(row[column.name] for column in table.columns))
    return found


def summary_of(registry: Registry, agreement_id: Any) -> tuple[Any, ...]:
    with registry.transaction() as session:
        row = session.execute(
            select(agreements_table).where(agreements_table.c.id == str(agreement_id))
        ).one()
    return row.status, row.parties, row.signed, row.in_force, row.version


def summary_today(events: Any) -> tuple[Any, ...]:
    """What the list row says: the state today, its first signature and entry into force."""
    state = state_as_of(events, as_of=date.today())
    signed = [str(row.signed) for row in state.parties if row.signed is not None]
    in_force = [str(row.in_force) for row in state.parties if row.in_force is not None]
    if state.entered_into_force is not None:
        in_force.append(str(state.entered_into_force))
    return (
        state.status.value,
        ",".join(row.code for row in state.parties),
        min(signed, default=None),
        min(in_force, default=None),
        len(events),
    )


def moments(histories: list[Any]) -> tuple[list[date], list[datetime]]:
    """The dates and instants where answers change, and the day or microsecond before."""
    days: set[date] = set()
    instants: set[datetime] = set()
    for events in histories:
        for period in status_timeline(events)[1:]:  # the days the clauses give, too
            days |= {period.start, period.start - timedelta(days=1)}
        for event in events:
            instants |= {event.timestamp, event.timestamp - timedelta(microseconds=1)}
            for partial in partial_dates(event):
                days |= {partial.start, partial.start - timedelta(days=1), partial.end}
    return sorted(days), sorted(instants)


# -- the scenario ----------------------------------------------------------------------------


def random_histories(max_examples: int) -> Any:
    """Hypothesis settings for a test recording random histories into one registry."""
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def moments_to_ask(histories: list[Any]) -> tuple[Any, Any]:
    """Strategies for `as_of` and `known_at`: none, the edges of what `histories` hold, or
    (for days) any day of a few years around them."""
    days, instants = moments(histories)
    any_day = st.none() | st.sampled_from(days) | st.dates(date(2025, 1, 1), date(2031, 1, 1))
    return any_day, st.none() | st.sampled_from(instants)


class RandomHistoriesScenario:
    """A registry on a stepping clock, for random histories (subclassed per database)."""

    @pytest.fixture
    def clock(self) -> SteppingClock:
        return SteppingClock(at("2026-01-15T09:00:00"))

    @pytest.fixture
    def registry(self, settings: Settings, clock: SteppingClock) -> Iterator[Registry]:
        with open_registry(settings, clock=clock) as registry:
            yield registry


class IntervalScenario(RandomHistoriesScenario):
    def test_the_read_model_answers_what_replay_answers_for_random_histories(
        self, registry: Registry, clock: SteppingClock
    ):
        @random_histories(max_examples=25)
        @given(programs(), st.data())
        def check(program: Program, data: st.DataObject) -> None:
            agreements = record(registry, clock, program)
            histories = [registry.agreement(a.id).history for a in agreements]
            any_day, any_instant = moments_to_ask(histories)
            for _ in range(12):
                as_of, known_at = data.draw(any_day), data.draw(any_instant)
                party = data.draw(st.sampled_from(("PAK", "UZB", "AFG", "ISSI")))
                everything = listed(registry, as_of, known_at)
                with_party = listed(registry, as_of, known_at, party=party)
                searched = agreements[data.draw(st.integers(0, len(agreements) - 1))]
                by_reference = listed(registry, as_of, known_at, q=searched.reference.lower())
                for agreement, events in zip(agreements, histories, strict=True):
                    expected = as_replayed(events, as_of, known_at)
                    found = everything.get(agreement.id)
                    assert (as_listed(found) if found else None) == expected, (as_of, known_at)
                    has_party = expected is not None and party in [c for c, _ in expected[-1]]
                    assert (agreement.id in with_party) == has_party, (as_of, known_at, party)
                    if agreement is searched:
                        assert (agreement.id in by_reference) == (expected is not None)

        check()
        incremental = rows_of(registry)
        rebuild_views(registry)
        assert rows_of(registry) == incremental

    def test_commits_of_random_sizes_by_warm_and_cold_writers_give_the_rebuilt_rows(
        self, registry: Registry, settings: Settings, clock: SteppingClock
    ):
        """The incremental path: random histories, each commit of random size made by the
        writer that holds the projection's Heads or by one that must read the rows back (as
        another process would), give after every commit exactly the rows a replay from
        scratch gives, a list row that is the state today, and the answers of replay."""
        with open_registry(settings, init=False, clock=clock) as cold:

            @hypothesis_settings(
                max_examples=20,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            )
            @given(programs(), st.data())
            def check(program: Program, data: st.DataObject) -> None:
                def writer() -> Registry:
                    if data.draw(st.booleans()):
                        return registry
                    cold.read_model_heads.clear()
                    return cold

                agreements = record(registry, clock, program, writer=writer)
                for agreement in agreements:
                    events = registry.agreement(agreement.id).history
                    assert stored_rows(registry, agreement.id) == replayed_rows(events)
                    assert summary_of(registry, agreement.id) == summary_today(events)
                histories = [registry.agreement(a.id).history for a in agreements]
                days, instants = moments(histories)
                for _ in range(6):
                    as_of = data.draw(st.none() | st.sampled_from(days))
                    known_at = data.draw(st.none() | st.sampled_from(instants))
                    everything = listed(registry, as_of, known_at)
                    for agreement, events in zip(agreements, histories, strict=True):
                        found = everything.get(agreement.id)
                        expected = as_replayed(events, as_of, known_at)
                        assert (as_listed(found) if found else None) == expected

            check()

    def test_ratified_on_15_february_recorded_on_3_march(
        self, registry: Registry, clock: SteppingClock
    ):
        clock.set(at("2026-02-01T09:00:00"))
        draft_transit_agreement(registry)
        clock.set(at("2026-02-03T10:00:00"))
        registry.record(
            REF, "Signed", effective=day("2026-02-03"), actor=ISLAMABAD, data=signed_data("PAK")
        )
        clock.set(at("2026-03-03T11:00:00"))
        registry.record(
            REF,
            "ConsentExpressed",
            effective=day("2026-02-15"),
            actor=ISLAMABAD,
            data={"party": "PAK", "instrument": "ratification"},
        )

        today = registry.list_as_of(date(2026, 2, 20)).agreements
        first_march = registry.list_as_of(date(2026, 2, 20), at("2026-03-01")).agreements

        assert [(a.reference, a.status) for a in today] == [(REF, AgreementStatus.SIGNED)]
        assert today[0].parties[0].status is PartyStatus.BOUND
        assert first_march[0].parties[0].status is PartyStatus.SIGNED
        bound_now = registry.list_as_of(date(2026, 2, 20), party="PAK").agreements
        assert [p.status for p in bound_now[0].parties] == [PartyStatus.BOUND, PartyStatus.LISTED]

    def test_a_corrected_signature_date_shows_the_original_to_earlier_views(
        self, registry: Registry, clock: SteppingClock
    ):
        clock.set(at("2026-02-04T09:00:00"))
        registry.draft(effective=day("2026-02-01"), actor=ISLAMABAD, data=declaration())
        signed = registry.record(
            "PK-KZ-2026-901",
            "Signed",
            effective=day("2026-02-04"),
            actor=ISLAMABAD,
            data=signed_data("PAK"),
        )
        registry.record(
            "PK-KZ-2026-901",
            "Signed",
            effective=day("2026-02-04"),
            actor=ISLAMABAD,
            data=signed_data("KAZ"),
        )
        clock.set(at("2026-02-10T09:00:00"))
        registry.record(
            "PK-KZ-2026-901",
            "EventCorrected",
            effective=day("2026-02-10"),
            actor=ISLAMABAD,
            reason="Pakistan signed the joint declaration on the 3rd",
            data={"corrects": signed.version, "action": "supersede", "new_effective": "2026-02-03"},
        )

        def pakistan(known_at: datetime | None) -> PartyStatus:
            (found,) = registry.list_as_of(date(2026, 2, 3), known_at).agreements
            return found.parties[0].status

        assert pakistan(at("2026-02-05")) is PartyStatus.LISTED
        assert pakistan(None) is PartyStatus.SIGNED

    def test_a_withdrawal_notified_today_ends_a_bilateral_agreement_when_it_takes_effect(
        self, registry: Registry, clock: SteppingClock
    ):
        clock.set(at("2026-02-01T09:00:00"))
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        registry.record(
            REF,
            "ConsentExpressed",
            effective=day("2026-02-20"),
            actor=ISLAMABAD,
            data={"party": "KAZ", "instrument": "ratification"},
        )
        registry.record(
            REF, "EnteredIntoForce", effective=day("2026-03-01"), actor=ISLAMABAD, data={}
        )
        registry.record(
            REF,
            "WithdrawalNotified",
            effective=day("2026-04-01"),
            actor=ISLAMABAD,
            data={"party": "KAZ", "takes_effect": "2027-04-01"},
        )

        def status(as_of: date | None) -> AgreementStatus:
            (found,) = registry.list_as_of(as_of).agreements
            return found.status

        assert status(date(2026, 6, 1)) is AgreementStatus.IN_FORCE
        assert status(date(2027, 3, 31)) is AgreementStatus.IN_FORCE
        assert status(date(2027, 4, 1)) is AgreementStatus.TERMINATED
        assert status(None) is AgreementStatus.TERMINATED  # every known act, whatever its date

    def test_lists_filter_count_and_page_by_reference(self, registry: Registry):
        for number in (3, 1, 2):
            draft_transit_agreement(registry, f"PK-KZ-2026-90{number}")
        record_signatures_and_ratification(registry, "PK-KZ-2026-902")
        registry.draft(
            effective=day("2026-02-01"), actor=ISLAMABAD, data=declaration("PK-KZ-2026-904")
        )

        everything = registry.list_as_of(date(2026, 3, 1), limit=2)
        second = registry.list_as_of(date(2026, 3, 1), limit=2, offset=2)
        assert [a.reference for a in everything.agreements + second.agreements] == [
            "PK-KZ-2026-901",
            "PK-KZ-2026-902",
            "PK-KZ-2026-903",
            "PK-KZ-2026-904",
        ]
        assert everything.total == 4
        assert everything.counts == {AgreementStatus.DRAFT: 3, AgreementStatus.SIGNED: 1}
        signed = registry.list_as_of(date(2026, 3, 1), status=AgreementStatus.SIGNED)
        assert [a.reference for a in signed.agreements] == ["PK-KZ-2026-902"]
        assert signed.total == 1 and signed.counts == everything.counts
        kind = registry.list_as_of(date(2026, 3, 1), kind=AgreementKind.JOINT_DECLARATION)
        assert [a.reference for a in kind.agreements] == ["PK-KZ-2026-904"]
        character = registry.list_as_of(None, character=LegalCharacter.BINDING)
        assert character.total == 3
        assert registry.list_as_of(None, q="strategic").agreements[0].reference == "PK-KZ-2026-904"
        assert registry.list_as_of(None, q="транзит").total == 3
        assert registry.list_as_of(None, q="ТРАНЗИТНОЙ").total == 3  # any script, any case
        assert registry.list_as_of(None, q="pk-kz-2026-90").total == 4
        assert registry.list_as_of(None, q="100%").total == 0
        assert registry.list_as_of(None, party="UZB").total == 0
        before = registry.list_as_of(date(2026, 1, 1))
        assert before.total == 0
        assert before.counts == {AgreementStatus.NOT_YET_DRAFTED: 4}

    def test_a_search_gives_the_same_list_however_many_texts_it_matches(
        self, registry: Registry, monkeypatch: pytest.MonkeyPatch
    ):
        """A search reads the rows of the texts found, or (most texts found) the whole list
        less the rows of the others: both give what the rows of the texts found give."""
        for number in (3, 1, 2):
            draft_transit_agreement(registry, f"PK-KZ-2026-90{number}")
        record_signatures_and_ratification(registry, "PK-KZ-2026-902")
        registry.draft(
            effective=day("2026-02-01"), actor=ISLAMABAD, data=declaration("PK-KZ-2026-904")
        )
        amended = registry.record(
            "PK-KZ-2026-901",
            "TextAmended",
            effective=day("2026-02-10"),
            actor=ISLAMABAD,
            data={"summary": "Transport added", "titles": {"en": "Transit and Transport"}},
        )
        known = datetime.fromisoformat(amended.recorded)  # before the second amendment
        registry.record(
            "PK-KZ-2026-903",
            "TextAmended",
            effective=day("2026-02-12"),
            actor=ISLAMABAD,
            data={"summary": "Renamed", "titles": {"en": "Strategic Transit"}},
        )

        def lists() -> list[Any]:
            return [
                (page.total, page.counts, [a.to_dict() for a in page.agreements])
                for q in ("pk-kz-2026-90", "transit", "транзит", "strategic", "nothing")
                for as_of in (None, date(2026, 2, 9), date(2026, 2, 11), date(2026, 3, 1))
                for known_at in (None, known)
                for status in (None, AgreementStatus.SIGNED)
                for page in [
                    registry.list_as_of(as_of, known_at, q=q, status=status, limit=2),
                    registry.list_as_of(as_of, known_at, q=q, status=status, offset=2),
                ]
            ]

        expected = lists()  # few texts in all: the rows of those found
        for few in (1, 2, 3, 4):
            monkeypatch.setattr(queries, "FEW", few)
            assert lists() == expected, few

    def test_a_title_amended_later_is_found_by_its_new_words_from_that_date_on(
        self, registry: Registry
    ):
        draft_transit_agreement(registry)
        registry.record(
            REF,
            "TextAmended",
            effective=day("2026-02-10"),
            actor=ISLAMABAD,
            data={"summary": "Transport added", "titles": {"en": "Transit and Transport"}},
        )

        def found(words: str, as_of: date) -> list[str]:
            return [a.title for a in registry.list_as_of(as_of, q=words).agreements]

        assert found("transport", date(2026, 2, 9)) == []
        assert found("transport", date(2026, 2, 10)) == ["Transit and Transport"]
        assert found("transit trade", date(2026, 2, 9)) == ["Agreement on Transit Trade"]
        assert found("transit trade", date(2026, 2, 10)) == []
        assert found("транзит", date(2026, 2, 10)) == []  # the Russian title went with it

    @pytest.fixture
    def initialised(self, settings: Settings) -> Iterator[Registry]:
        """A registry as `registry init` leaves it, for the commands."""
        with open_registry(settings) as registry:
            yield registry

    def test_rebuilding_the_views_gives_the_rows_maintenance_wrote(
        self, initialised: Registry, settings: Settings
    ):
        registry = initialised
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        registry.record(
            REF,
            "EventCorrected",
            effective=day("2026-03-01"),
            actor=ISLAMABAD,
            reason="the ratification was deposited on the 16th",
            data={"corrects": 4, "action": "supersede", "new_effective": "2026-02-16"},
        )
        incremental = rows_of(registry)
        assert len(incremental[agreement_intervals.name]) > 1

        result = CliRunner().invoke(main, ["rebuild-views"], env=env_of(settings))

        assert result.exit_code == 0, result.output
        assert "rebuilt the views of 1 agreements" in result.output
        assert rows_of(registry) == incremental

    def test_the_list_command_reads_the_read_model(self, initialised: Registry, settings: Settings):
        draft_transit_agreement(initialised)
        record_signatures_and_ratification(initialised, REF)

        result = CliRunner().invoke(
            main, ["list", "--as-of", "2026-02-10", "--json"], env=env_of(settings)
        )

        assert result.exit_code == 0, result.output
        (found,) = json.loads(result.output)
        assert (found["reference"], found["status"]) == (REF, "signed")
        assert found["parties"] == [
            {"code": "PAK", "status": "signed"},
            {"code": "KAZ", "status": "signed"},
        ]


def declaration(reference: str = "PK-KZ-2026-901") -> dict[str, Any]:
    return {
        "reference": reference,
        "titles": {"en": "Joint Declaration on Strategic Partnership"},
        "kind": "joint_declaration",
        "character": "non_binding",
        "multilateral": False,
        "parties": [
            {"code": "PAK", "name": "Pakistan", "type": "state"},
            {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
        ],
    }


class TestOnSQLite(OnSQLite, IntervalScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, IntervalScenario):
    pass
