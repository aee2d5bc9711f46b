"""The mirror on worker processes (registry/store/bulk/parallel_mirror.py) stores the same
log and read models as the serial mirror, and refuses a tampered log naming the same first
problem; and a mirror that finds another writer's entries in its store between two chunks
refuses with a clear error, leaving whole chunks and nothing of the refused one.

The server is the seeded API registry through Flask's test client (as in test_mirror.py); its
log opens with the keyring's events, which the parallel mirror opens itself, in order, while
the workers open the leaves between them. Small chunks make many chunks of a small log."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.ledger.bundle import load_anchors
from registry.mirror import MirrorRefused, mirror, pin_anchors
from registry.store.application import Registry
from registry.store.bulk.archive import export_lines
from registry.store.events.verification import verify_store
from tests.api.conftest import copy_home, make_app
from tests.api.test_mirror import ClientSource, Rewriting
from tests.conftest import settings_for

CHUNK = 7


@pytest.fixture(scope="module")
def server(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_app(copy_home(seeded_home, tmp_path_factory.mktemp("server") / "instance"))
    yield app
    app.extensions["registry"].close()


def local_store(home: Path, keys: Path) -> Registry:
    anchors, verifier = load_anchors(keys)
    home.mkdir(parents=True)
    pin_anchors(home / "public", anchors, verifier)
    return Registry(settings_for(home), can_sign=False)


def follow(local: Registry, source: Any, keys: Path, workers: int, **options: Any) -> Any:
    anchors, verifier = load_anchors(keys)
    return mirror(local, source, anchors, verifier, chunk=CHUNK, workers=workers, **options)


def keys_of(server: Flask) -> Path:
    return server.extensions["registry"].settings.keys_dir


def test_with_workers_the_mirror_stores_the_same_log_and_read_models(
    server: Flask, tmp_path: Path
) -> None:
    keys = keys_of(server)
    stores = []
    try:
        for workers in (0, 2):
            local = local_store(tmp_path / f"w{workers}", keys)
            stores.append(local)
            follow(local, ClientSource(server.test_client()), keys, workers, page=5)
        serial, parallel = stores
        assert list(export_lines(parallel)) == list(export_lines(serial))
        assert [s.to_dict() for s in parallel.list_states()] == [
            s.to_dict() for s in serial.list_states()
        ]
        report = verify_store(parallel)
        assert report.ok, report.problems
    finally:
        for local in stores:
            local.close()


Tamper = Callable[[list[dict[str, Any]], int], None]


def other_signature(entries: list[dict[str, Any]], at: int) -> None:
    other = (at + 1) % len(entries)
    entries[at]["envelope"] = {
        **entries[at]["envelope"],
        "signatures": entries[other]["envelope"]["signatures"],
    }


def other_payload(entries: list[dict[str, Any]], at: int) -> None:
    other = (at + 3) % len(entries)
    entries[at]["envelope"] = {
        **entries[at]["envelope"],
        "payload": entries[other]["envelope"]["payload"],
    }


def swapped(entries: list[dict[str, Any]], at: int) -> None:
    other = (at + 1) % len(entries)
    entries[at]["envelope"], entries[other]["envelope"] = (
        entries[other]["envelope"],
        entries[at]["envelope"],
    )


def replayed(entries: list[dict[str, Any]], at: int) -> None:
    entries[at]["envelope"] = entries[(at + len(entries) - 2) % len(entries)]["envelope"]


TAMPERS = [other_signature, other_payload, swapped, replayed]


def the_refusal(server: Flask, keys: Path, tamper: Tamper, at: int, workers: int) -> str:
    def change(document: dict[str, Any]) -> dict[str, Any]:
        """Leaf `at` tampered with, in the page that serves it (a page is a chunk here)."""
        entries = json.loads(json.dumps(document["entries"]))
        place = [offset for offset, entry in enumerate(entries) if entry["index"] == at]
        if place and len(entries) > 1:
            tamper(entries, place[0])
        return {**document, "entries": entries}

    with tempfile.TemporaryDirectory() as tmp:
        local = local_store(Path(tmp) / "mirror", keys)
        try:
            source = Rewriting(server.test_client(), "/api/v1/log/entries", change)
            with pytest.raises(MirrorRefused) as refused:
                follow(local, source, keys, workers, page=1000)
            assert local.checkpoint() is None
            return str(refused.value)
        finally:
            local.close()


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tamper=st.sampled_from(TAMPERS), at=st.integers(min_value=0, max_value=60))
def test_with_workers_a_tampered_log_is_refused_naming_the_same_first_problem(
    server: Flask, tamper: Tamper, at: int
) -> None:
    keys = keys_of(server)
    serial = the_refusal(server, keys, tamper, at, workers=0)
    assert the_refusal(server, keys, tamper, at, workers=2) == serial


@pytest.mark.parametrize("workers", [0, 2])
def test_another_writer_between_chunks_stops_the_mirror_and_leaves_whole_chunks(
    server: Flask, tmp_path: Path, workers: int
) -> None:
    """The other writer is a second mirror of the same server into the same database, run
    to its end between two of the first mirror's chunks."""
    keys = keys_of(server)
    local = local_store(tmp_path / "mirror", keys)
    other = Registry(local.settings, can_sign=False)
    server_registry: Registry = server.extensions["registry"]
    try:

        class CutIn(ClientSource):
            """The third page of entries is served once the other mirror has run: by then the
            first mirror has stored its first chunk, and reads its third ahead of storing its
            second."""

            pages = 0

            def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
                if path == "/api/v1/log/entries":
                    self.pages += 1
                    if self.pages == 3:
                        follow(other, ClientSource(server.test_client()), keys, workers=0)
                return super().get(path, params)

        with pytest.raises(MirrorRefused) as refused:
            follow(local, CutIn(server.test_client()), keys, workers, page=CHUNK)
        size = server_registry.checkpoint().size
        assert str(refused.value) == (
            f"the local log holds {size} entries, not {CHUNK}: something else wrote to it "
            "during the mirror; nothing more was stored"
        )
        # the other mirror's whole log, and nothing of the refused chunk besides
        assert list(export_lines(local)) == list(export_lines(server_registry))
        report = verify_store(local)
        assert report.ok, report.problems
    finally:
        other.close()
        local.close()
