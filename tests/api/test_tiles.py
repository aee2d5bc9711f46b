"""The log served as C2SP tlog-tiles, and the mirror that follows it through its tiles alone.

The server runs in process; tests/e2e/test_tiles_mirror.py runs the same over HTTP against
gunicorn and a static copy of the tiles.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.ledger.bundle import load_anchors
from registry.ledger.canonical import canonical_json
from registry.ledger.tiles import TileRef, bundles_for, read_log, tiles_for
from registry.mirror import HttpSource, MirrorRefused, mirror, pin_anchors
from registry.store.application import Registry
from registry.store.events.tables import checkpoints, log_entries
from registry.store.events.verification import verify_store
from tests.api.conftest import copy_home, make_app, make_tokens
from tests.api.test_mirror import ClientSource, fork
from tests.conftest import settings_for
from tests.integration.helpers import draft_transit_agreement, drafted_data

PREFIX = "/api/v1/log"


class TileSource(ClientSource):
    """The log's prefix as a tile client sees it: `checkpoint` and `tile/…` only."""

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        assert params is None and (path == "/checkpoint" or path.startswith("/tile/")), path
        return super().get(PREFIX + path)


class Altered(TileSource):
    """A tile server that serves one resource altered."""

    def __init__(self, client: FlaskClient, path: str, change: Any) -> None:
        super().__init__(client)
        self.path, self.change = path, change

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        data = super().get(path, params)
        return self.change(data) if path == self.path else data


@pytest.fixture
def server(seeded_home: Path, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(copy_home(seeded_home, tmp_path / "server"))
    yield app
    app.extensions["registry"].close()


def checkpoint_of(client: FlaskClient) -> tuple[int, bytes]:
    registry: Registry = client.application.extensions["registry"]
    latest = registry.checkpoint()
    assert latest is not None
    return latest.size, latest.root_hash


def fetch(client: FlaskClient, path: str) -> bytes:
    response = client.get(f"{PREFIX}/{path}")
    assert response.status_code == 200, (path, response.get_json())
    return response.get_data()


def test_every_tile_is_served_immutable_and_a_tile_client_reaches_the_checkpoint_root(
    server: Flask,
) -> None:
    client = server.test_client()
    size, root = checkpoint_of(client)
    for tile in tiles_for(size) + bundles_for(size):
        response = client.get(f"{PREFIX}/{tile.path}")
        assert response.status_code == 200
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        etag = response.headers["ETag"]
        again = client.get(f"{PREFIX}/{tile.path}", headers={"If-None-Match": etag})
        assert again.status_code == 304
    bundle = TileRef(0, 0, size, entries=True).path
    zipped = client.get(f"{PREFIX}/{bundle}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == fetch(client, bundle)
    entries = read_log(lambda path: fetch(client, path), size, root)
    feed = client.get(f"{PREFIX}/entries", query_string={"start": 0, "limit": 1000}).get_json()
    assert entries == [canonical_json(entry["envelope"]) for entry in feed["entries"]]
    checkpoint = client.get(f"{PREFIX}/checkpoint")
    assert checkpoint.content_type == "text/plain; charset=utf-8"
    assert checkpoint.headers["Cache-Control"] == "public, no-cache"


def test_partial_tiles_of_every_checkpoint_stay_served_and_only_those(server: Flask) -> None:
    client = server.test_client()
    registry: Registry = server.extensions["registry"]
    size, root = checkpoint_of(client)
    latest = fetch(client, f"tile/0/000.p/{size}")
    bundle = fetch(client, f"tile/entries/000.p/{size}")
    with registry.transaction() as session:
        issued = set(session.execute(select(checkpoints.c.size)).scalars())
    assert len(issued) > 10
    for width in range(1, size):
        path = f"tile/0/000.p/{width}"
        if width in issued:  # immutable: the first hashes of the tile of every later size
            assert fetch(client, path) == latest[: 32 * width]
            assert fetch(client, f"tile/entries/000.p/{width}") == _prefix_of_bundle(bundle, width)
            assert read_log(lambda path: fetch(client, path), width, _root(registry, width))
        else:  # no checkpoint was issued for a tree that needs it
            response = client.get(f"{PREFIX}/{path}")
            assert response.status_code == 404, path
            assert "no checkpoint was issued" in response.get_json()["detail"]
    for path in [
        "tile/0/000",  # beyond the tree, as are the rest
        f"tile/0/000.p/{size + 1}",
        "tile/entries/001.p/1",
        "tile/1/000.p/1",
        "tile/0/x001/000",
        "tile/0/000.p/0",  # and these are no tile paths
        "tile/00/000",
        "tile/entries",
    ]:
        response = client.get(f"{PREFIX}/{path}")
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
        assert response.headers["Cache-Control"] == "no-store"
    assert read_log(lambda path: fetch(client, path), size, root)


def _root(registry: Registry, size: int) -> bytes:
    with registry.transaction() as session:
        return bytes(
            session.execute(select(checkpoints.c.root_hash).where(checkpoints.c.size == size))
            .scalars()
            .one()
        )


def _prefix_of_bundle(bundle: bytes, count: int) -> bytes:
    offset = 0
    for _ in range(count):
        offset += 2 + int.from_bytes(bundle[offset : offset + 2], "big")
    return bundle[:offset]


def test_the_checkpoint_and_tiles_are_public_when_records_need_a_token(
    seeded_home: Path, tmp_path: Path
) -> None:
    app = make_app(copy_home(seeded_home, tmp_path / "private"), REGISTRY_API_PUBLIC_READS="0")
    try:
        client = app.test_client()
        assert client.get(f"{PREFIX}/entries").status_code == 401
        assert client.get("/api/v1/agreements").status_code == 401
        checkpoint = client.get(f"{PREFIX}/checkpoint")
        assert checkpoint.status_code == 200
        assert checkpoint.headers["Cache-Control"] == "public, no-cache"
        size, root = checkpoint_of(client)
        tile = client.get(f"{PREFIX}/{TileRef(0, 0, size).path}")
        assert tile.status_code == 200 and "Authorization" not in tile.headers.get("Vary", "")
        assert tile.headers["Cache-Control"].startswith("public, ")
        assert read_log(lambda path: fetch(client, path), size, root)
    finally:
        app.extensions["registry"].close()


def test_an_envelope_longer_than_a_tile_entry_is_refused_and_nothing_is_stored(
    server: Flask,
) -> None:
    registry: Registry = server.extensions["registry"]
    size, root = checkpoint_of(server.test_client())
    tokens = make_tokens(registry)
    titles = {f"x-{i:03}": "t" * 300 for i in range(200)}  # 60 kB of titles, 80 kB signed
    titles["en"] = "An agreement with very many titles"
    response = server.test_client().post(
        "/api/v1/agreements",
        json={"effective": "2026-02-01", "data": drafted_data("PK-KZ-2026-BIG", titles=titles)},
        headers={"Authorization": f"Bearer {tokens.write}"},
    )
    assert response.status_code == 413, response.get_json()
    problem = response.get_json()
    assert problem["code"] == "envelope_too_large" and "65,535" in problem["detail"]
    assert checkpoint_of(server.test_client()) == (size, root)
    with registry.transaction() as session:
        assert session.execute(select(log_entries.c.leaf_index)).scalars().all()[-1] == size - 1


# The mirror through tiles --------------------------------------------------------------------


@pytest.fixture
def local(server: Flask, tmp_path: Path) -> Iterator[Registry]:
    keys = server.extensions["registry"].settings.keys_dir
    anchors, verifier = load_anchors(keys)
    settings = settings_for(tmp_path / "mirror")
    settings.home.mkdir(parents=True)
    pin_anchors(settings.home / "public", anchors, verifier)
    registry = Registry(settings, can_sign=False)
    yield registry
    registry.close()


def follow(local: Registry, source: Any, server: Flask) -> Any:
    anchors, verifier = load_anchors(server.extensions["registry"].settings.keys_dir)
    return mirror(local, source, anchors, verifier, tiles=True)


def test_a_mirror_follows_the_log_through_tiles_alone_and_catches_up(
    server: Flask, local: Registry
) -> None:
    source = TileSource(server.test_client())
    registry: Registry = server.extensions["registry"]
    first = follow(local, source, server)
    assert (first.before, first.after) == (0, checkpoint_of(server.test_client())[0])
    draft_transit_agreement(registry, "PK-KZ-2026-951")
    registry.register_officer("officer.new")
    second = follow(local, source, server)
    assert (second.before, second.fetched) == (first.after, 2)
    assert local.checkpoint() == registry.checkpoint()
    assert verify_store(local).ok
    assert local.state("PK-KZ-2026-951").to_dict() == registry.state("PK-KZ-2026-951").to_dict()
    assert follow(local, source, server).fetched == 0


@pytest.mark.parametrize(
    "path",
    ["/tile/0/000.p/{w}", "/tile/entries/000.p/{w}", "/checkpoint"],
    ids=["hash-tile", "entry-bundle", "checkpoint"],
)
def test_a_mirror_refuses_an_altered_tile_and_writes_nothing(
    server: Flask, local: Registry, path: str
) -> None:
    registry: Registry = server.extensions["registry"]
    follow(local, TileSource(server.test_client()), server)
    held = local.checkpoint()
    draft_transit_agreement(registry, "PK-KZ-2026-952")
    size = checkpoint_of(server.test_client())[0]
    path = path.format(w=size)

    def flip(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]

    with pytest.raises(MirrorRefused):
        follow(local, Altered(server.test_client(), path, flip), server)
    assert local.checkpoint() == held
    assert verify_store(local).ok


def test_a_tile_server_that_rewrote_history_is_refused(
    server: Flask, local: Registry, tmp_path: Path
) -> None:
    registry: Registry = server.extensions["registry"]
    follow(local, TileSource(server.test_client()), server)
    held = local.checkpoint()
    forked = make_app(fork(registry.settings.home, tmp_path / "fork", agreements=120))
    try:
        with pytest.raises(MirrorRefused, match="rewrote history"):
            follow(local, TileSource(forked.test_client()), server)
    finally:
        forked.extensions["registry"].close()
    assert local.checkpoint() == held


def _day(text: str) -> Any:
    from registry.domain.dates import PartialDate

    return PartialDate.parse(text)


def test_the_http_source_waits_out_a_rate_limit_and_then_reads() -> None:
    answers = [(429, b"{}"), (429, b"{}"), (200, b"tile bytes")]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answers.pop(0)
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        source = HttpSource(f"http://127.0.0.1:{server.server_address[1]}", timeout=10)
        assert source.get("/tile/0/000") == b"tile bytes"
        assert answers == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_bad_entry_bundle_after_some_chunks_keeps_them_whole_and_a_rerun_continues(
    server: Flask, local: Registry
) -> None:
    """The tiles mirror reads one bundle at a time (its memory does not grow with the log):
    every hash tile is checked before anything is stored, each entry as its chunk is taken."""
    registry: Registry = server.extensions["registry"]
    number = 0
    while checkpoint_of(server.test_client())[0] <= 300:
        draft_transit_agreement(registry, f"PK-KZ-2026-{600 + number}")
        number += 1
    size = checkpoint_of(server.test_client())[0]
    anchors, verifier = load_anchors(registry.settings.keys_dir)

    def flip(data: bytes) -> bytes:
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]

    altered = Altered(server.test_client(), f"/tile/entries/001.p/{size - 256}", flip)
    with pytest.raises(MirrorRefused, match="tiles do not verify"):
        mirror(local, altered, anchors, verifier, tiles=True, chunk=100)
    with local.transaction() as session:
        assert local.signed_recorder.log.size(session) == 200  # two whole chunks
    assert local.checkpoint() is None  # only the server's, and only for its whole tree
    result = mirror(local, TileSource(server.test_client()), anchors, verifier, tiles=True)
    assert (result.before, result.after) == (0, size)
    assert local.checkpoint() == registry.checkpoint()
    report = verify_store(local)
    assert report.ok, report.problems
