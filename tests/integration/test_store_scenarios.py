"""One story of the signed store, told on SQLite and again on PostgreSQL.

`StoreScenario` holds the tests; `TestOnSQLite` and `TestOnPostgres` only say which database.
"""

from __future__ import annotations

import multiprocessing
from datetime import date

import pytest
from eventsourcing.persistence import ProgrammingError, StoredEvent
from sqlalchemy import func, select, text

from registry.domain.errors import DomainError
from registry.domain.keyring import Keyring
from registry.domain.values import AgreementStatus, ConsentKind
from registry.ledger.canonical import sha256_hex
from registry.store.application import Registry
from registry.store.errors import AgreementNotFound, VersionConflict
from registry.store.events.mapper import TamperedEvent
from registry.store.events.tables import log_entries
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    ASTANA,
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

REF = "PK-KZ-2026-900"


def count_rows(registry: Registry, table: object = None) -> int:
    table = table if table is not None else registry.signed_recorder.events_record_cls.__table__
    with registry.transaction() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar() or 0)


def _write_milestones(settings: Settings, prefix: str, count: int) -> int:
    """A separate process recording `count` milestones on one agreement, retrying conflicts."""
    conflicts = 0
    registry = Registry(settings)
    try:
        for number in range(count):
            while True:
                try:
                    registry.record(
                        REF,
                        "MilestoneRecorded",
                        effective=day("2026-03-01"),
                        actor=ISLAMABAD,
                        data={
                            "milestone": f"{prefix}-{number}",
                            "title": f"Step {number}",
                            "status": "planned",
                        },
                    )
                    break
                except VersionConflict:
                    conflicts += 1
    finally:
        registry.close()
    return conflicts


class StoreScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            yield registry

    def test_a_recorded_agreement_reads_back_verified_with_its_state(self, registry: Registry):
        draft_transit_agreement(registry)
        last = record_signatures_and_ratification(registry, REF)[-1]

        state = registry.state(REF)
        assert state.status is AgreementStatus.SIGNED
        pakistan = next(row for row in state.parties if row.code == "PAK")
        assert pakistan.consent is ConsentKind.RATIFICATION
        assert str(pakistan.consented) == "2026-02-15"
        assert last.version == 4
        opened = registry.opened_events(REF)
        assert [o.payload.version for o in opened] == [1, 2, 3, 4]
        assert opened[1].payload.prev == sha256_hex(opened[0].envelope)
        assert {o.payload.actor for o in opened} == {ISLAMABAD, ASTANA}
        assert verify_store(registry).ok

    def test_the_reference_and_the_id_name_the_same_agreement(self, registry: Registry):
        recorded = draft_transit_agreement(registry)
        assert registry.state(REF.lower()).id == recorded.agreement_id
        assert registry.state(str(recorded.agreement_id)).reference == REF
        with pytest.raises(AgreementNotFound):
            registry.state("PK-KZ-1999-000")

    def test_a_second_draft_of_the_same_reference_is_a_conflict(self, registry: Registry):
        draft_transit_agreement(registry)
        with pytest.raises(VersionConflict):
            draft_transit_agreement(registry)

    def test_of_two_writers_at_one_version_one_wins_and_nothing_partial_is_stored(
        self, registry: Registry, settings: Settings
    ):
        draft_transit_agreement(registry)
        other = Registry(settings)
        try:
            mine, theirs = registry.agreement(REF), other.agreement(REF)
            mine.sign(
                effective=day("2026-02-03"),
                actor=ISLAMABAD,
                party="PAK",
                signatory="A",
                capacity="Minister",
                signature_type=_simple(),
                place=None,
            )
            theirs.sign(
                effective=day("2026-02-03"),
                actor=ASTANA,
                party="KAZ",
                signatory="B",
                capacity="Minister",
                signature_type=_simple(),
                place=None,
            )
            registry.commit(mine)
            events, leaves = count_rows(registry), count_rows(registry, log_entries)
            with pytest.raises(VersionConflict):
                other.commit(theirs)
            assert (count_rows(registry), count_rows(registry, log_entries)) == (events, leaves)
            assert registry.agreement(REF).version == 2
        finally:
            other.close()
        assert verify_store(registry).ok

    def test_expected_version_guards_against_recording_over_someone_else(self, registry: Registry):
        draft_transit_agreement(registry)
        with pytest.raises(VersionConflict, match="someone else"):
            registry.record(
                REF,
                "Signed",
                effective=day("2026-02-03"),
                actor=ISLAMABAD,
                data=signed_data("PAK"),
                expected_version=7,
            )

    def test_a_refused_command_stores_nothing(self, registry: Registry):
        draft_transit_agreement(registry)
        before = count_rows(registry)
        with pytest.raises(DomainError):
            registry.record(
                REF,
                "ConsentExpressed",
                effective=day("2026-02-15"),
                actor=ISLAMABAD,
                data={"party": "PAK", "instrument": "ratification"},
            )
        assert count_rows(registry) == before

    def test_two_processes_writing_one_agreement_lose_nothing_and_keep_the_chain(
        self, registry: Registry, settings: Settings
    ):
        draft_transit_agreement(registry)
        context = multiprocessing.get_context("spawn")
        with context.Pool(2) as pool:
            pool.starmap(_write_milestones, [(settings, "a", 15), (settings, "b", 15)])
        state = registry.state(REF)
        assert len(state.milestones) == 30
        opened = registry.opened_events(REF)
        assert [o.payload.version for o in opened] == list(range(1, 32))
        recorded = [o.payload.recorded for o in opened]
        assert recorded == sorted(recorded) and len(set(recorded)) == len(recorded)
        report = verify_store(registry)
        assert report.ok, report.problems

    def test_the_recorder_refuses_an_event_the_mapper_did_not_seal(self, registry: Registry):
        forged = StoredEvent(
            originator_id=Keyring.ID, originator_version=99, topic="x", state=b"{}"
        )
        with pytest.raises(ProgrammingError):
            registry.recorder.insert_events([forged])

    @pytest.fixture
    def clock(self) -> SteppingClock:
        return SteppingClock(at("2026-01-15T09:00:00"))

    @pytest.fixture
    def clocked(self, settings: Settings, clock: SteppingClock):  # type: ignore[no-untyped-def]
        with open_registry(settings, clock=clock) as registry:
            yield registry

    def test_ratified_on_15_february_recorded_on_3_march(
        self, clocked: Registry, clock: SteppingClock
    ):
        registry = clocked
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

        today_view = registry.state(REF, as_of=date(2026, 2, 20))
        first_march_view = registry.state(REF, as_of=date(2026, 2, 20), known_at=at("2026-03-01"))

        def pakistan(state):  # type: ignore[no-untyped-def]
            return next(row for row in state.parties if row.code == "PAK")

        assert pakistan(today_view).consent is ConsentKind.RATIFICATION
        assert pakistan(first_march_view).consent is None
        assert str(pakistan(first_march_view).signed) == "2026-02-03"

    def test_a_corrected_signature_date_shows_the_original_to_earlier_views(
        self, clocked: Registry, clock: SteppingClock
    ):
        registry = clocked
        clock.set(at("2026-02-04T09:00:00"))
        registry.draft(effective=day("2026-02-01"), actor=ISLAMABAD, data=_declaration_data())
        signed = registry.record(
            "PK-KZ-2026-901",
            "Signed",
            effective=day("2026-02-04"),
            actor=ISLAMABAD,
            data=signed_data("PAK"),
        )
        clock.set(at("2026-02-10T09:00:00"))
        registry.record(
            "PK-KZ-2026-901",
            "EventCorrected",
            effective=day("2026-02-10"),
            actor=ISLAMABAD,
            reason="the joint declaration was signed on the 3rd",
            data={"corrects": signed.version, "action": "supersede", "new_effective": "2026-02-03"},
        )

        before = registry.state("PK-KZ-2026-901", known_at=at("2026-02-05"))
        after = registry.state("PK-KZ-2026-901")
        assert str(before.parties[0].signed) == "2026-02-04"
        assert str(after.parties[0].signed) == "2026-02-03"

    def test_reading_a_tampered_row_is_an_error(self, registry: Registry, settings: Settings):
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        row = _row_id(registry, REF, 2)
        _sql(
            registry,
            "UPDATE registry_events SET state = :s WHERE id = :id",
            s=_flip(_state(registry, row)),
            id=row,
        )
        with pytest.raises(TamperedEvent):
            registry.opened_events(REF)
        fresh = Registry(settings)  # a reader with nothing cached reads every envelope
        try:
            with pytest.raises(TamperedEvent):
                fresh.agreement(REF)
        finally:
            fresh.close()

    def test_a_cached_agreement_grows_only_along_the_stored_chain(
        self, registry: Registry, settings: Settings
    ):
        draft_transit_agreement(registry)
        registry.agreement(REF)  # now cached at version 1
        other = Registry(settings)
        try:
            other.record(
                REF, "Signed", effective=day("2026-02-03"), actor=ISLAMABAD, data=signed_data("PAK")
            )
        finally:
            other.close()
        row = _row_id(registry, REF, 1)
        _sql(
            registry,
            "UPDATE registry_events SET state = :s WHERE id = :id",
            s=_flip(_state(registry, row)),
            id=row,
        )
        with pytest.raises(TamperedEvent):
            registry.agreement(REF)  # fast-forwarding checks the link from version 1


def _simple():  # type: ignore[no-untyped-def]
    from registry.domain.values import SignatureType

    return SignatureType.SIMPLE


def _declaration_data() -> dict:
    return {
        "reference": "PK-KZ-2026-901",
        "titles": {"en": "Joint Declaration on Strategic Partnership"},
        "kind": "joint_declaration",
        "character": "non_binding",
        "multilateral": False,
        "parties": [
            {"code": "PAK", "name": "Pakistan", "type": "state"},
            {"code": "KAZ", "name": "Kazakhstan", "type": "state"},
        ],
    }


def _row_id(registry: Registry, ref: str, version: int) -> int:
    """The notification id (row id) of one event, for editing rows with plain SQL."""
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return int(
            session.execute(
                select(cls.id).where(
                    cls.originator_id == registry.resolve(ref), cls.originator_version == version
                )
            ).scalar_one()
        )


def _state(registry: Registry, row: int) -> bytes:
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return bytes(session.execute(select(cls.state).where(cls.id == row)).scalar_one())


def _flip(data: bytes, at_index: int = 40) -> bytes:
    return data[:at_index] + bytes([data[at_index] ^ 0x01]) + data[at_index + 1 :]


def _sql(registry: Registry, statement: str, **params: object) -> None:
    engine = registry.signed_recorder.datastore.engine
    with engine.begin() as connection:
        connection.execute(text(statement), params)


class TestOnSQLite(OnSQLite, StoreScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, StoreScenario):
    pass
