"""The log beside the events: one signed checkpoint per write, proofs from stored nodes, rebuilds.

`LogScenario` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from registry.cli import main
from registry.ledger import merkle
from registry.ledger.checkpoint import open_checkpoint
from registry.store.application import Registry
from registry.store.events.log import TransparencyLog, note_verifier
from registry.store.events.mapper import TamperedEvent
from registry.store.events.tables import checkpoints, log_entries
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    OnPostgres,
    OnSQLite,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)
from tests.integration.test_transfer import env_of

REF = "PK-KZ-2026-900"


class LogScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            yield registry

    def test_every_write_issues_a_signed_checkpoint_and_all_are_kept(self, registry: Registry):
        before = registry.checkpoint()
        assert before is not None
        draft_transit_agreement(registry)
        recorded = record_signatures_and_ratification(registry, REF)

        with registry.transaction() as session:
            sizes = [row.size for row in session.execute(select(checkpoints.c.size))]
        assert sizes == list(range(sizes[0], before.size + 5))
        latest = registry.checkpoint()
        assert latest is not None and latest.size == before.size + 4
        assert recorded[-1].checkpoint == latest
        opened = open_checkpoint(
            latest.note, note_verifier(registry.settings.log_origin, registry.anchors())
        )
        assert (opened.size, opened.root_hash) == (latest.size, latest.root_hash)

    def test_each_event_is_proved_included_in_the_latest_checkpoint(self, registry: Registry):
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        latest = registry.checkpoint()
        assert latest is not None
        with registry.transaction() as session:
            rows = session.execute(select(log_entries).order_by(log_entries.c.leaf_index)).all()
            for opened in registry.opened_events(REF):
                (row,) = [
                    r
                    for r in rows
                    if r.stream_id == opened.payload.agreement
                    and r.version == opened.payload.version
                ]
                proof = TransparencyLog.inclusion_proof(session, row.leaf_index, latest.size)
                merkle.verify_inclusion(
                    merkle.leaf_hash(opened.envelope),
                    row.leaf_index,
                    latest.size,
                    proof,
                    latest.root_hash,
                )

    def test_checkpoints_are_consistent_with_each_other(self, registry: Registry):
        first = registry.checkpoint()
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        last = registry.checkpoint()
        assert first is not None and last is not None
        with registry.transaction() as session:
            proof = TransparencyLog.consistency_proof(session, first.size, last.size)
        merkle.verify_consistency(first.size, last.size, first.root_hash, last.root_hash, proof)

    def test_the_tree_rebuilt_from_the_events_gives_the_signed_root(self, registry: Registry):
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, REF)
        with registry.signed_recorder.datastore.engine.begin() as connection:
            connection.execute(text("DELETE FROM registry_merkle_nodes WHERE level > 0"))
            connection.execute(text("UPDATE registry_log_entries SET envelope_sha256 = 'x'"))
        assert not verify_store(registry).ok

        rebuilt = registry.rebuild_log()

        assert rebuilt == registry.checkpoint()
        assert verify_store(registry).ok

    def test_a_rebuild_refuses_events_that_no_longer_give_the_signed_root(self, registry: Registry):
        draft_transit_agreement(registry)
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction() as session:
            last = session.execute(select(cls.id).order_by(cls.id.desc()).limit(1)).scalar_one()
        with registry.signed_recorder.datastore.engine.begin() as connection:
            connection.execute(text("DELETE FROM registry_events WHERE id = :id"), {"id": last})
        with pytest.raises(TamperedEvent, match="nothing was rebuilt"):
            registry.rebuild_log()

    def test_registry_checkpoint_prints_the_latest_signed_note(self, registry: Registry):
        draft_transit_agreement(registry)
        result = CliRunner().invoke(main, ["checkpoint"], env=env_of(registry.settings))
        assert result.exit_code == 0, result.output
        latest = registry.checkpoint()
        assert latest is not None and result.output == latest.note
        assert result.output.startswith(f"{registry.settings.log_origin}\n{latest.size}\n")


class TestOnSQLite(OnSQLite, LogScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, LogScenario):
    pass
