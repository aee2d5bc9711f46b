"""`registry verify` spread over processes finds exactly what it finds in one."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from registry.store.events import verification
from registry.store.events.tables import checkpoints, merkle_nodes
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)


def three_ratified_agreements(registry) -> None:  # type: ignore[no-untyped-def]
    """Three agreements drafted, signed and ratified; a store that verifies, in workers too."""
    for number in range(3):
        reference = f"PK-KZ-2026-{900 + number}"
        draft_transit_agreement(registry, reference)
        record_signatures_and_ratification(registry, reference)
    assert verify_store(registry, workers=2).ok


def test_verification_in_worker_processes_reports_what_one_process_reports(
    sqlite_settings: Settings,
):
    with open_registry(sqlite_settings) as registry:
        three_ratified_agreements(registry)
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction(commit=True) as session:
            row = session.execute(select(cls.id, cls.state).order_by(cls.id.desc())).first()
            forged = bytes(row.state).replace(b'"sig":"', b'"sig":"AA', 1)
            session.execute(update(cls).where(cls.id == row.id).values(state=forged))
        alone, spread = verify_store(registry, workers=1), verify_store(registry, workers=2)
    assert not alone.ok
    assert spread.problems == alone.problems
    assert (spread.events, spread.agreements) == (alone.events, alone.agreements)


def test_workers_over_many_pages_report_every_problem_one_process_reports(
    sqlite_settings: Settings, monkeypatch
):  # type: ignore[no-untyped-def]
    many_pages(sqlite_settings, monkeypatch)


@pytest.mark.postgres
def test_workers_over_many_pages_on_postgres(postgres_settings: Settings, monkeypatch):  # type: ignore[no-untyped-def]
    many_pages(postgres_settings, monkeypatch)


def many_pages(settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Pages of 4 events: the ranges, the checkpoint notes opened by the workers and the tree
    are checked across page boundaries, with workers started by fork (inside the parent's
    read transaction, which they must not join) and by spawn."""
    monkeypatch.setattr(verification, "PAGE", 4)
    with open_registry(settings) as registry:
        three_ratified_agreements(registry)
        cls = registry.signed_recorder.events_record_cls
        with registry.transaction(commit=True) as session:
            rows = session.execute(select(cls.id, cls.state).order_by(cls.id)).all()
            middle = rows[len(rows) // 2]
            forged = bytes(middle.state).replace(b'"sig":"', b'"sig":"AA', 1)
            session.execute(update(cls).where(cls.id == middle.id).values(state=forged))
            session.execute(
                update(merkle_nodes)
                .where(merkle_nodes.c.level == 1, merkle_nodes.c.idx == 3)
                .values(hash=b"\0" * 32)
            )
            size = session.execute(select(checkpoints.c.size).order_by(checkpoints.c.size)).all()
            edited = size[len(size) // 2].size
            note = session.execute(
                select(checkpoints.c.note).where(checkpoints.c.size == edited)
            ).scalar_one()
            session.execute(
                update(checkpoints)
                .where(checkpoints.c.size == edited)
                .values(note=note.replace(f"\n{edited}\n", f"\n{edited + 1}\n", 1))
            )
        alone = verify_store(registry, workers=1)
        forked = verify_store(registry, workers=2)
        idle = threading.Event()
        other = threading.Thread(target=idle.wait)  # another thread: workers are spawned
        other.start()
        try:
            spawned = verify_store(registry, workers=2)
        finally:
            idle.set()
            other.join()
    problems = "\n".join(alone.problems)
    assert f"notification {middle.id}" in problems
    assert "stored node (1, 3) has the wrong hash" in problems
    assert f"checkpoint of size {edited} does not verify" in problems
    assert forked.problems == alone.problems
    assert spawned.problems == alone.problems
    assert (forked.events, forked.agreements) == (alone.events, alone.agreements)
