"""`registry verify` spread over processes finds exactly what it finds in one."""

from __future__ import annotations

from sqlalchemy import select, update

from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)


def test_verification_in_worker_processes_reports_what_one_process_reports(
    sqlite_settings: Settings,
):
    with open_registry(sqlite_settings) as registry:
        for number in range(3):
            reference = f"PK-KZ-2026-{900 + number}"
            draft_transit_agreement(registry, reference)
            record_signatures_and_ratification(registry, reference)
        assert verify_store(registry, workers=2).ok
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction(commit=True) as session:
            row = session.execute(select(cls.id, cls.state).order_by(cls.id.desc())).first()
            forged = bytes(row.state).replace(b'"sig":"', b'"sig":"AA', 1)
            session.execute(update(cls).where(cls.id == row.id).values(state=forged))
        alone, spread = verify_store(registry, workers=1), verify_store(registry, workers=2)
    assert not alone.ok
    assert spread.problems == alone.problems
    assert (spread.events, spread.agreements) == (alone.events, alone.agreements)
