"""Rows edited behind the registry's back, with plain SQL, are each reported by `registry verify`.

`TamperingScenario` holds the cases; it runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from registry.cli import main
from registry.ledger.canonical import sha256_hex
from registry.ledger.keys import SigningKey
from registry.ledger.payload import EventPayload, format_instant, seal
from registry.store.application import Registry
from registry.store.settings import Settings
from tests.integration.helpers import (
    ISLAMABAD,
    OnPostgres,
    OnSQLite,
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)
from tests.integration.test_transfer import env_of

REF = "PK-KZ-2026-900"


def run_verify(settings: Settings):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["verify"], env=env_of(settings))


class TamperingScenario:
    @pytest.fixture
    def registry(self, settings: Settings):  # type: ignore[no-untyped-def]
        with open_registry(settings) as registry:
            draft_transit_agreement(registry)
            record_signatures_and_ratification(registry, REF)
            draft_transit_agreement(registry, "PK-KZ-2026-902")
            yield registry

    def rows(self, registry: Registry, ref: str = REF) -> list[tuple[int, int, bytes]]:
        """(notification id, version, envelope) of one agreement's rows."""
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction() as session:
            found = session.execute(
                select(cls.id, cls.originator_version, cls.state)
                .where(cls.originator_id == registry.resolve(ref))
                .order_by(cls.originator_version)
            )
            return [(int(r.id), int(r.originator_version), bytes(r.state)) for r in found]

    def sql(self, registry: Registry, statement: str, **params: object) -> None:
        with registry.signed_recorder.datastore.engine.begin() as connection:
            connection.execute(text(statement), params)

    def test_an_intact_store_verifies(self, registry: Registry, settings: Settings):
        result = run_verify(settings)
        assert result.exit_code == 0, result.output
        assert "intact" in result.output

    def test_a_changed_byte_is_reported(self, registry: Registry, settings: Settings):
        row, _, state = self.rows(registry)[1]
        changed = state.replace(b'"keyid":"', b'"keyid":"0', 1)[:-1]
        self.sql(
            registry,
            "UPDATE registry_events SET state = :s WHERE id = :id",
            s=changed + b"}",
            id=row,
        )
        result = run_verify(settings)
        assert result.exit_code == 1
        assert f"notification {row}" in result.output

    def test_a_flipped_signature_bit_is_reported(self, registry: Registry, settings: Settings):
        row, _, state = self.rows(registry)[2]
        index = state.index(b'"sig":"') + 10
        flipped = (
            state[:index]
            + (b"A" if state[index : index + 1] != b"A" else b"B")
            + state[index + 1 :]
        )
        self.sql(
            registry, "UPDATE registry_events SET state = :s WHERE id = :id", s=flipped, id=row
        )
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "signature" in result.output.lower()

    def test_a_deleted_middle_event_is_reported(self, registry: Registry, settings: Settings):
        row, _, _ = self.rows(registry)[1]
        self.sql(registry, "DELETE FROM registry_events WHERE id = :id", id=row)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "version 2 is missing" in result.output
        assert "does not match notification" in result.output

    def test_swapped_events_are_reported(self, registry: Registry, settings: Settings):
        (row2, _, state2), (row3, _, state3) = self.rows(registry)[1:3]
        self.sql(
            registry, "UPDATE registry_events SET state = :s WHERE id = :id", s=state3, id=row2
        )
        self.sql(
            registry, "UPDATE registry_events SET state = :s WHERE id = :id", s=state2, id=row3
        )
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "row is version 2 but signed as 3" in result.output

    def test_events_reordered_in_the_log_are_reported(self, registry: Registry, settings: Settings):
        first = self.rows(registry)[3][0]
        other = self.rows(registry, "PK-KZ-2026-902")[0][0]
        self.sql(registry, "UPDATE registry_events SET id = :t WHERE id = :a", t=-1, a=first)
        self.sql(registry, "UPDATE registry_events SET id = :a WHERE id = :b", a=first, b=other)
        self.sql(registry, "UPDATE registry_events SET id = :b WHERE id = :t", b=other, t=-1)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "log order" in result.output
        assert "not after the event before it" in result.output

    def test_an_inserted_forgery_by_an_unknown_key_is_reported(
        self, registry: Registry, settings: Settings
    ):
        self.insert_forgery(registry, SigningKey.generate(), actor=ISLAMABAD)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "no trusted key has keyid" in result.output
        assert "not in the log index" in result.output

    def test_a_forgery_signed_by_the_registry_authority_is_reported(
        self, registry: Registry, settings: Settings
    ):
        assert registry.keystore is not None
        self.insert_forgery(registry, registry.keystore.authority(), actor=ISLAMABAD)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "is signed by the registry authority key" in result.output

    def test_dropping_the_newest_event_is_reported(self, registry: Registry, settings: Settings):
        row, _, _ = self.rows(registry, "PK-KZ-2026-902")[-1]
        self.sql(registry, "DELETE FROM registry_events WHERE id = :id", id=row)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "the event store has no such event" in result.output
        assert "covers more events than the store holds" in result.output

    def test_an_edited_merkle_node_is_reported(self, registry: Registry, settings: Settings):
        self.sql(
            registry,
            "UPDATE registry_merkle_nodes SET hash = :h WHERE level = 1 AND idx = 0",
            h=b"\x00" * 32,
        )
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "stored node (1, 0) has the wrong hash" in result.output

    def test_an_edited_checkpoint_is_reported(self, registry: Registry, settings: Settings):
        with registry.transaction() as session:
            size, note = session.execute(
                text("SELECT size, note FROM registry_checkpoints ORDER BY size DESC LIMIT 1")
            ).one()
        forged = note.replace(f"\n{size}\n", f"\n{size + 1}\n", 1)
        self.sql(
            registry, "UPDATE registry_checkpoints SET note = :n WHERE size = :s", n=forged, s=size
        )
        result = run_verify(settings)
        assert result.exit_code == 1
        assert f"checkpoint of size {size} does not verify" in result.output

    def test_events_signed_after_a_compromise_are_reported(
        self, registry: Registry, settings: Settings
    ):
        keyid = registry.trust().current_keyid(ISLAMABAD, datetime.now(UTC))
        assert keyid is not None
        compromised = datetime.now(UTC) - timedelta(days=1)
        registry.revoke_officer_key(ISLAMABAD, keyid, reason="key leaked", invalid_from=compromised)
        result = run_verify(settings)
        assert result.exit_code == 1
        assert "revoked" in result.output

    def insert_forgery(self, registry: Registry, key: SigningKey, *, actor: str) -> None:
        rows = self.rows(registry)
        _, version, last = rows[-1]
        payload = EventPayload(
            agreement=str(registry.resolve(REF)),
            version=version + 1,
            type="Terminated",
            effective="2026-06-01",
            precision="day",
            recorded=format_instant(datetime.now(UTC) + timedelta(seconds=5)),
            actor=actor,
            prev=sha256_hex(last),
            data={"source": None, "reason": "forged"},
        )
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction(commit=True) as session:
            session.add(
                cls(
                    originator_id=registry.resolve(REF),
                    originator_version=version + 1,
                    topic="registry.domain.events:Terminated",
                    state=seal(payload, key),
                )
            )


class TestOnSQLite(OnSQLite, TamperingScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, TamperingScenario):
    pass
