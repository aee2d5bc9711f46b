"""Export and import: JSON lines of envelopes, each line the exact signed bytes, then a trailer.

The last line of an export is its trailer, `{"checkpoint": NOTE, "format": FORMAT}`: NOTE is
the log's own signed checkpoint (a C2SP signed note) of the tree the exported envelopes
make, so a backup says itself how many events it holds and what root they give. A file cut
short (an export killed midway, `head -n`), one with an event edited, dropped, added or
moved, and one with no trailer at all are refused, naming what is missing, unless the
importer asks for `allow_partial` (and is told loudly what that means).

Export is here; import, which verifies such a file whole and stores it in chunks, is in
importing.py (and on several cores, parallel_import.py); both are reached from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from registry.ledger import merkle
from registry.store.application import Registry
from registry.store.bulk.importing import (
    Imported,
    import_file,
    import_lines,
    import_path,
    rebuild_all_views,
)
from registry.store.bulk.transfer import (
    FORMAT,
    RootAccumulator,
    TransferError,
    stored_event,
    trailer_line,
)
from registry.store.events.log import TransparencyLog

__all__ = [
    "FORMAT",
    "Imported",
    "TransferError",
    "export_lines",
    "import_file",
    "import_lines",
    "import_path",
    "rebuild_all_views",
    "trailer_line",
    "write_export",
]


# -- export ----------------------------------------------------------------------------------


def export_lines(registry: Registry) -> Iterator[bytes]:
    """Every envelope the latest checkpoint covers, verified, in log order; then the trailer."""
    trust = registry.trust()
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        latest = TransparencyLog.latest(session)
        if latest is None:
            raise TransferError("the registry holds no events: there is nothing to export")
        rows = session.execute(
            select(cls.originator_id, cls.originator_version, cls.topic, cls.state)
            .order_by(cls.id)
            .limit(latest.size)
            .execution_options(yield_per=1000)
        )
        tree = RootAccumulator()
        for row in rows:
            stored = stored_event(row)
            registry.mapper.open(stored, trust)  # never export what does not verify
            envelope = bytes(row.state)
            tree.add(merkle.leaf_hash(envelope))
            yield envelope
    if (tree.size, tree.root()) != (latest.size, latest.root_hash):
        raise TransferError(
            "the stored events do not give the root of the latest checkpoint: the export is "
            "incomplete; run `registry verify` to see what changed"
        )
    yield trailer_line(latest.note)


def write_export(registry: Registry, path: Path) -> int:
    """Write the export to a temporary file beside `path`, renamed into place when complete.

    Returns the number of envelopes. A failed or killed export never leaves a file at `path`
    (at worst a `.partial` file beside it, which import refuses: it has no trailer).
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    count = 0
    try:
        with open(partial, "wb") as output:
            for line in export_lines(registry):
                output.write(line + b"\n")
                count += 1
            output.flush()
            os.fsync(output.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return count - 1
