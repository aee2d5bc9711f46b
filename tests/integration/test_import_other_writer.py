"""An import that finds another writer's entries in its log between two chunks refuses, with
a clear error, and leaves the whole chunks it stored and the other writer's entries: nothing
of the refused chunk. The other writer is a second Registry on the same database, drafting
an agreement from inside the import's progress callback (between two chunks' transactions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.store.application import Registry
from registry.store.bulk.archive import TransferError, export_lines, import_lines
from registry.store.events.verification import count_events
from registry.store.settings import Settings
from tests.integration.helpers import (
    draft_transit_agreement,
    open_registry,
    record_signatures_and_ratification,
)

CHUNK = 3


@pytest.fixture
def source(sqlite_settings: Settings):  # type: ignore[no-untyped-def]
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        record_signatures_and_ratification(registry, "PK-KZ-2026-900")
        yield registry


@pytest.mark.parametrize("workers", [0, 2])
def test_another_writer_between_chunks_stops_the_import_and_leaves_whole_chunks(
    source: Registry, tmp_path: Path, workers: int
) -> None:
    lines = list(export_lines(source))
    assert len(lines) - 1 > 2 * CHUNK  # the import has a chunk after the one interrupted
    settings = Settings(
        source.settings.home,
        f"sqlite:///{tmp_path / 'copy.sqlite3'}",
        source.settings.log_origin,
        source.settings.keys_dir,
    )
    target, other = Registry(settings), Registry(settings)
    try:
        drafted = []

        def another_writer(stored: int) -> None:
            if stored == CHUNK:  # the first chunk has committed; the second is not begun
                draft_transit_agreement(other, "PK-KZ-2026-901")
                drafted.append(count_events(other) - CHUNK)

        with pytest.raises(TransferError) as refused:
            import_lines(target, lines, chunk=CHUNK, progress=another_writer, workers=workers)
        assert str(refused.value) == (
            f"the log holds {CHUNK + drafted[0]} entries, not {CHUNK}: someone else wrote to it "
            "during the import; stop the other writer and run the import again"
        )
        held = list(export_lines(other))[:-1]
        assert held[:CHUNK] == lines[:CHUNK]  # the whole first chunk, as the file has it
        assert len(held) == CHUNK + drafted[0]  # and the other writer's: no line of the second
        assert not set(held[CHUNK:]) & set(lines)
        assert other.agreement("PK-KZ-2026-901").version == 1
    finally:
        target.close()
        other.close()
