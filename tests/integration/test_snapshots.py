"""Snapshots of verified streams (registry/store/reads/snapshots.py) are derived and never
trusted over the signed events: each is checked against the stored head before use.

`SnapshotScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import base64
import pickle
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from registry.cli import main
from registry.domain.agreement import Agreement
from registry.domain.history import state_as_of
from registry.domain.state import AgreementState
from registry.ledger import merkle
from registry.store.application import Registry
from registry.store.events import proofs
from registry.store.events.cosigning import cosigned
from registry.store.events.log import TransparencyLog
from registry.store.events.mapper import TamperedEvent
from registry.store.reads.stored_snapshots import snapshots
from registry.store.reads.stored_states import LONG, LazyState
from registry.store.settings import Settings
from tests.integration.helpers import (
    ASTANA,
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    day,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
    roadmap_data,
)
from tests.integration.test_store_scenarios import _flip, _row_id, _sql, _state
from tests.integration.test_transfer import env_of

REF = "PK-KZ-2026-900"
ROADMAP = "PK-KZ-2026-RM1"
ROADMAP_DRAFT = roadmap_data(ROADMAP)


class SnapshotScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            draft_transit_agreement(registry)
            record_signatures_and_ratification(registry, REF)
            yield registry

    def tamper(self, registry: Registry, version: int) -> int:
        row = _row_id(registry, REF, version)
        _sql(
            registry,
            "UPDATE registry_events SET state = :s WHERE id = :id",
            s=_flip(_state(registry, row)),
            id=row,
        )
        return row

    def test_a_second_read_is_served_from_the_snapshot(self, registry: Registry):
        first = registry.snapshot(REF)
        assert registry.snapshot(REF) is first
        assert registry.state(REF, as_of=date(2026, 2, 20)) is registry.state(
            REF, as_of=date(2026, 2, 20)
        )
        assert first.head.version == 4

    def test_an_event_recorded_by_another_process_replaces_the_snapshot(
        self, registry: Registry, settings: Settings
    ):
        before = registry.state(REF)
        other = Registry(settings)
        try:
            other.record(
                REF,
                "ConsentExpressed",
                effective=day("2026-02-16"),
                actor=ASTANA,
                data={"party": "KAZ", "instrument": "ratification"},
            )
        finally:
            other.close()
        after = registry.state(REF)
        assert before.party("KAZ").consent is None  # type: ignore[union-attr]
        assert after.party("KAZ").consent is not None  # type: ignore[union-attr]
        assert registry.snapshot(REF).head.version == 5

    def test_a_snapshot_whose_head_row_was_changed_is_discarded(self, registry: Registry):
        registry.state(REF)  # the snapshot ends at version 4
        self.tamper(registry, 4)
        with pytest.raises(TamperedEvent):
            registry.state(REF)
        with pytest.raises(TamperedEvent):
            registry.opened_events(REF)

    def test_a_snapshot_whose_head_row_was_removed_is_discarded(self, registry: Registry):
        registry.state(REF)
        _sql(registry, "DELETE FROM registry_events WHERE id = :id", id=_row_id(registry, REF, 4))
        assert registry.snapshot(REF).head.version == 3
        assert registry.state(REF).party("PAK").consent is None  # type: ignore[union-attr]

    def test_verify_finds_a_row_changed_below_the_snapshot_head(
        self, registry: Registry, settings: Settings
    ):
        registry.state(REF)
        row = self.tamper(registry, 2)
        result = CliRunner().invoke(main, ["verify"], env=env_of(settings))
        assert result.exit_code == 1
        assert f"notification {row}" in result.output
        assert registry.state(REF).party("PAK").consent is not None  # type: ignore[union-attr]
        fresh = Registry(settings, can_sign=False)  # no MAC key: it reads every envelope
        try:
            with pytest.raises(TamperedEvent):
                fresh.state(REF)
        finally:
            fresh.close()

    def test_a_revocation_discards_the_snapshots_of_what_it_invalidates(self, registry: Registry):
        registry.record(
            REF,
            "ConsentExpressed",
            effective=day("2026-02-16"),
            actor=ISLAMABAD,
            data={"party": "KAZ", "instrument": "ratification"},
        )
        registry.state(REF)  # verified while the officer's key is valid
        keyid = registry.opened_events(REF)[-1].keyid
        registry.revoke_officer_key(
            ISLAMABAD,
            keyid,
            reason="key compromised",
            invalid_from=datetime.now(UTC) - timedelta(days=1),
        )
        with pytest.raises(TamperedEvent):
            registry.state(REF)

    def test_a_new_process_starts_from_the_stored_snapshot(
        self, registry: Registry, settings: Settings
    ):
        expected = registry.state(REF, as_of=date(2026, 2, 20))
        fresh = Registry(settings)
        try:
            assert fresh.snapshot(REF).opened is None  # restored, not verified whole again
            assert fresh.state(REF, as_of=date(2026, 2, 20)) == expected
            assert fresh.state(REF, as_of=date(2026, 2, 4)) == registry.state(
                REF, as_of=date(2026, 2, 4)
            )
            assert [o.payload for o in fresh.opened_events(REF)] == [
                o.payload for o in registry.opened_events(REF)
            ]
        finally:
            fresh.close()

    def test_an_altered_stored_snapshot_is_deleted_unread(
        self, registry: Registry, settings: Settings
    ):
        expected = registry.state(REF)
        forged = pickle.dumps(replace(expected, summary="forged"))
        _sql(registry, "UPDATE registry_snapshots SET body = :b", b=forged)
        fresh = Registry(settings)
        try:
            assert fresh.state(REF) == expected
            assert fresh.snapshot(REF).opened is not None  # verified whole, not restored
        finally:
            fresh.close()
        assert self.stored_keys(registry) == ["", "-|-"]  # rewritten from the verified events

    def test_a_stored_snapshot_of_another_head_is_discarded(
        self, registry: Registry, settings: Settings
    ):
        registry.state(REF)
        self.tamper(registry, 4)
        fresh = Registry(settings)
        try:
            with pytest.raises(TamperedEvent):
                fresh.state(REF)
        finally:
            fresh.close()
        assert self.stored_keys(registry) == []

    def test_proofs_kept_on_a_snapshot_are_proven_again_when_the_log_grows(
        self, registry: Registry
    ):
        first = proofs.agreement_events(registry, REF)
        kept = proofs.agreement_events(registry, REF).records
        assert all(a is b for a, b in zip(kept, first.records, strict=True))
        draft_transit_agreement(registry, "PK-KZ-2026-901")  # another stream: same head here
        again = proofs.agreement_events(registry, REF)
        checkpoint = registry.checkpoint()
        assert checkpoint is not None
        assert again.checkpoint.size == checkpoint.size == first.checkpoint.size + 1
        opened = registry.opened_events(REF)
        for event, record in zip(opened, again.records, strict=True):
            assert record["checkpoint"] == checkpoint.note
            merkle.verify_inclusion(
                merkle.leaf_hash(event.envelope),
                record["index"],
                checkpoint.size,
                [base64.b64decode(h) for h in record["inclusion"]],
                checkpoint.root_hash,
            )

    def test_a_new_cosignature_is_a_new_checkpoint_note_for_the_kept_proofs(
        self, registry: Registry
    ):
        before = proofs.agreement_events(registry, REF)
        line = "— witness.example/w1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        _sql(
            registry,
            "INSERT INTO registry_cosignatures (size, witness, line, timestamp) "
            "VALUES (:size, 'w1', :line, 1)",
            size=before.checkpoint.size,
            line=line,
        )
        after = proofs.agreement_events(registry, REF)
        with registry.transaction() as session:
            latest = TransparencyLog.latest(session)
            assert latest is not None
            expected = cosigned(session, latest)
        assert after.checkpoint == expected
        assert after.checkpoint.note == before.checkpoint.note + line
        assert all(record["checkpoint"] == expected.note for record in after.records)

    def test_proofs_kept_on_a_snapshot_are_not_served_once_its_head_row_changed(
        self, registry: Registry
    ):
        proofs.agreement_events(registry, REF)
        self.tamper(registry, 4)
        with pytest.raises(TamperedEvent):
            proofs.agreement_events(registry, REF)

    def test_a_long_state_restored_by_a_new_process_is_the_replayed_state(
        self, registry: Registry, settings: Settings
    ):
        roadmap = self.long_roadmap(registry, LONG + 8)
        expected = registry.state(ROADMAP, as_of=date(2026, 2, 20))
        fresh = Registry(settings)
        try:
            restored = fresh.state(ROADMAP, as_of=date(2026, 2, 20))
            assert isinstance(restored, LazyState)  # its long tuples not yet unpickled
            assert restored.status == expected.status
            assert restored == expected and expected == restored
            assert restored.to_dict() == expected.to_dict()
            assert len(restored.milestones) == LONG + 8
            assert restored == state_as_of(fresh.snapshot(ROADMAP).events, as_of=date(2026, 2, 20))
            plain = pickle.loads(pickle.dumps(restored))
            assert type(plain) is AgreementState and plain == expected
            assert replace(restored, summary="other").summary == "other"
        finally:
            fresh.close()
        assert roadmap.version == expected.versions[-1]

    def test_a_long_state_row_of_an_older_head_is_not_served(
        self, registry: Registry, settings: Settings
    ):
        self.long_roadmap(registry, LONG + 8)
        registry.state(ROADMAP, as_of=date(2026, 2, 20))  # stored at this head
        other = Registry(settings)
        try:
            other.record(
                ROADMAP,
                "MilestoneRecorded",
                effective=day("2026-02-05"),
                actor=ISLAMABAD,
                data={"milestone": "late", "title": "Late", "status": "planned"},
            )
        finally:
            other.close()
        fresh = Registry(settings)
        try:
            state = fresh.state(ROADMAP, as_of=date(2026, 2, 20))
            assert state.milestone("late") is not None
            assert len(state.milestones) == LONG + 9
        finally:
            fresh.close()

    def test_a_restored_snapshot_without_its_rows_verifies_the_stream_again(
        self, registry: Registry, settings: Settings
    ):
        registry.state(REF)
        fresh = Registry(settings)
        try:
            snapshot = fresh.snapshot(REF)
            assert snapshot.opened is None  # restored: no row read yet
            _sql(registry, "DELETE FROM registry_snapshots")
            self.tamper(registry, 2)  # below the head: only a whole verification sees it
            with pytest.raises(TamperedEvent):
                snapshot.state(date(2026, 2, 20), None)
        finally:
            fresh.close()

    def long_roadmap(self, registry: Registry, milestones: int) -> Agreement:
        registry.draft(effective=day("2026-02-01"), actor=ISLAMABAD, data=ROADMAP_DRAFT)
        roadmap = registry.agreement(ROADMAP)
        for number in range(milestones):
            roadmap.record_milestone(
                effective=day("2026-02-02"),
                actor=ISLAMABAD,
                milestone=f"m-{number}",
                title=f"Milestone {number}",
            )
        registry.commit(roadmap)
        return roadmap

    def stored_keys(self, registry: Registry) -> list[str]:
        with registry.transaction() as session:
            rows = session.execute(select(snapshots.c.state_key).order_by(snapshots.c.state_key))
            return [row.state_key for row in rows]


class TestOnSQLite(OnSQLite, SnapshotScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, SnapshotScenario):
    pass
