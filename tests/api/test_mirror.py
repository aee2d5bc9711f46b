"""The follower: a mirror pulls the log through the API into a store of its own, verifying
every envelope, chain and checkpoint, and refuses a server that rewrote history.

The server runs in process (Flask's test client behind the mirror's `Source` interface); the
end-to-end test in tests/e2e runs the same over HTTP against gunicorn. The mirror's own store
is SQLite here and PostgreSQL in `TestMirrorIntoPostgres`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.domain.dates import PartialDate
from registry.ledger.bundle import load_anchors
from registry.ledger.payload import parse_instant
from registry.mirror import MirrorRefused, SourceError, mirror, pin_anchors
from registry.store.application import Registry
from registry.store.events.verification import verify_store
from registry.store.settings import Settings
from registry.store.setup import initialise
from tests.api.conftest import copy_home, make_app
from tests.conftest import settings_for
from tests.integration.helpers import OFFICERS, draft_transit_agreement, signed_data


class ClientSource:
    """A registry's API through Flask's test client, as the mirror's HTTP source sees it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        response = self.client.get(path, query_string=params)
        if response.status_code != 200:
            raise SourceError(f"GET {path}: {response.status_code}")
        return response.get_data()


class Rewriting(ClientSource):
    """A server that lies: `change` rewrites the JSON of its answers to `path`."""

    def __init__(self, client: FlaskClient, path: str, change: Any) -> None:
        super().__init__(client)
        self.path = path
        self.change = change

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        data = super().get(path, params)
        if path != self.path:
            return data
        return json.dumps(self.change(json.loads(data))).encode()


def root(registry: Registry) -> tuple[int, bytes]:
    checkpoint = registry.checkpoint()
    assert checkpoint is not None
    return checkpoint.size, checkpoint.root_hash


def fork(server_home: Path, target: Path, agreements: int) -> Settings:
    """Another registry with the same authority and log keys, and a history of its own."""
    target.mkdir(parents=True)
    shutil.copytree(server_home / "keys", target / "keys")
    settings = settings_for(target)
    initialise(settings, demo_officers=OFFICERS)
    registry = Registry(settings)
    try:
        for number in range(agreements):
            draft_transit_agreement(registry, f"FORK-{number:03}")
    finally:
        registry.close()
    return settings


class MirrorScenario:
    @pytest.fixture
    def mirror_settings(self, tmp_path: Path) -> Settings:
        raise NotImplementedError

    @pytest.fixture
    def server(self, seeded_home: Path, tmp_path: Path) -> Iterator[Flask]:
        app = make_app(copy_home(seeded_home, tmp_path / "server"))
        yield app
        app.extensions["registry"].close()

    @pytest.fixture
    def server_registry(self, server: Flask) -> Registry:
        return server.extensions["registry"]

    @pytest.fixture
    def keys(self, server_registry: Registry) -> Path:
        return server_registry.settings.keys_dir

    @pytest.fixture
    def local(self, mirror_settings: Settings, keys: Path) -> Iterator[Registry]:
        anchors, verifier = load_anchors(keys)
        mirror_settings.home.mkdir(parents=True, exist_ok=True)
        pin_anchors(mirror_settings.home / "public", anchors, verifier)
        registry = Registry(mirror_settings, can_sign=False)
        yield registry
        registry.close()

    def follow(self, local: Registry, source: Any, keys: Path, page: int = 500) -> Any:
        anchors, verifier = load_anchors(keys)
        return mirror(local, source, anchors, verifier, page=page)

    def test_a_mirror_holds_the_same_log_and_it_verifies(
        self, server: Flask, server_registry: Registry, local: Registry, keys: Path
    ) -> None:
        result = self.follow(local, ClientSource(server.test_client()), keys, page=7)
        assert (result.before, result.after) == (0, root(server_registry)[0])
        assert root(local) == root(server_registry)
        report = verify_store(local)
        assert report.ok, report.problems
        assert [s.to_dict() for s in local.list_states()] == [
            s.to_dict() for s in server_registry.list_states()
        ]
        assert local.checkpoint() == server_registry.checkpoint()
        middle = parse_instant(_entry(server, 60)["recorded"])
        for as_of, known_at in ((None, None), (date(2022, 6, 1), None), (None, middle)):
            assert local.list_as_of(as_of, known_at, limit=None) == server_registry.list_as_of(
                as_of, known_at, limit=None
            )

    def test_a_mirror_catches_up_with_new_entries_only(
        self, server: Flask, server_registry: Registry, local: Registry, keys: Path
    ) -> None:
        source = ClientSource(server.test_client())
        first = self.follow(local, source, keys)
        draft_transit_agreement(server_registry, "PK-KZ-2026-950")
        server_registry.record(
            "PK-KZ-2026-950",
            "Signed",
            effective=_day("2026-02-03"),
            actor="officer.islamabad",
            data=signed_data("PAK"),
        )
        server_registry.register_officer("officer.new")
        second = self.follow(local, source, keys)
        assert (second.before, second.fetched) == (first.after, 3)
        assert root(local) == root(server_registry)
        assert verify_store(local).ok
        assert (
            local.state("PK-KZ-2026-950").to_dict()
            == server_registry.state("PK-KZ-2026-950").to_dict()
        )
        assert self.follow(local, source, keys).fetched == 0

    def test_a_mirror_cut_off_between_chunks_keeps_them_and_a_rerun_proves_and_continues(
        self, server: Flask, server_registry: Registry, local: Registry, keys: Path
    ) -> None:
        anchors, verifier = load_anchors(keys)

        class CutOff(ClientSource):
            """A server that goes away after serving two pages of entries."""

            served = 0

            def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
                if path == "/api/v1/log/entries":
                    if self.served == 2:
                        raise SourceError("connection reset")
                    self.served += 1
                return super().get(path, params)

        with pytest.raises(SourceError):
            mirror(local, CutOff(server.test_client()), anchors, verifier, page=7, chunk=7)
        with local.transaction() as session:
            assert local.signed_recorder.log.size(session) == 14  # two whole chunks
        assert local.checkpoint() is None  # only the server signs, and only its whole tree
        assert any("checkpoint" in p for p in verify_store(local).problems)
        source = ClientSource(server.test_client())
        result = mirror(local, source, anchors, verifier, page=7, chunk=7)
        assert (result.before, result.after) == (0, root(server_registry)[0])
        assert root(local) == root(server_registry)
        report = verify_store(local)
        assert report.ok, report.problems
        assert [s.to_dict() for s in local.list_states()] == [
            s.to_dict() for s in server_registry.list_states()
        ]

    def test_chunks_that_are_not_the_signed_tree_are_refused_before_they_are_stored(
        self, server: Flask, local: Registry, keys: Path, tmp_path: Path, server_registry: Registry
    ) -> None:
        other = make_app(fork(server_registry.settings.home, tmp_path / "fork", agreements=120))
        try:
            other_client = other.test_client()

            class Mixed(ClientSource):
                def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
                    if path == "/api/v1/log/entries":
                        return ClientSource(other_client).get(path, params)
                    return super().get(path, params)

            anchors, verifier = load_anchors(keys)
            with pytest.raises(MirrorRefused, match="do not hash to the root"):
                mirror(local, Mixed(server.test_client()), anchors, verifier, page=7, chunk=7)
        finally:
            other.extensions["registry"].close()
        with local.transaction() as session:
            assert local.signed_recorder.log.size(session) == 0

    def test_a_server_that_rewrote_history_is_refused(
        self, server: Flask, local: Registry, keys: Path, tmp_path: Path, server_registry: Registry
    ) -> None:
        self.follow(local, ClientSource(server.test_client()), keys)
        held = root(local)
        longer = fork(server_registry.settings.home, tmp_path / "fork", agreements=120)
        forked = make_app(longer)
        try:
            with pytest.raises(MirrorRefused, match="rewrote history"):
                self.follow(local, ClientSource(forked.test_client()), keys)
        finally:
            forked.extensions["registry"].close()
        assert root(local) == held
        assert verify_store(local).ok

    def test_a_server_whose_log_shrank_is_refused(
        self, server: Flask, local: Registry, keys: Path, tmp_path: Path, server_registry: Registry
    ) -> None:
        self.follow(local, ClientSource(server.test_client()), keys)
        shorter = make_app(fork(server_registry.settings.home, tmp_path / "fork", agreements=0))
        try:
            with pytest.raises(MirrorRefused, match="fewer than"):
                self.follow(local, ClientSource(shorter.test_client()), keys)
        finally:
            shorter.extensions["registry"].close()

    def test_entries_that_are_not_the_signed_tree_are_refused_and_nothing_is_written(
        self, server: Flask, local: Registry, keys: Path, tmp_path: Path, server_registry: Registry
    ) -> None:
        other = make_app(fork(server_registry.settings.home, tmp_path / "fork", agreements=120))
        try:
            other_client = other.test_client()

            class Mixed(ClientSource):
                """The checkpoint of one log, the (validly signed) entries of another."""

                def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
                    if path == "/api/v1/log/entries":
                        return ClientSource(other_client).get(path, params)
                    return super().get(path, params)

            with pytest.raises(MirrorRefused, match="do not hash to the root"):
                self.follow(local, Mixed(server.test_client()), keys)
        finally:
            other.extensions["registry"].close()
        assert local.checkpoint() is None

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: {**d, "entries": d["entries"][::-1]}, "asked for leaf"),
            (
                lambda d: {
                    **d,
                    "entries": [
                        {
                            **e,
                            "envelope": {
                                **e["envelope"],
                                "payload": d["entries"][0]["envelope"]["payload"],
                            },
                        }
                        if e["index"] == 5
                        else e
                        for e in d["entries"]
                    ],
                },
                "signature",
            ),
            (
                lambda d: {**d, "entries": [{**e, "index": e["index"]} for e in d["entries"][:-1]]},
                "no entries",
            ),
        ],
    )
    def test_tampered_entries_are_refused(
        self, server: Flask, local: Registry, keys: Path, change: Any, message: str
    ) -> None:
        source = Rewriting(server.test_client(), "/api/v1/log/entries", change)
        with pytest.raises(MirrorRefused, match=message):
            self.follow(local, source, keys, page=10)
        assert local.checkpoint() is None

    def test_a_server_with_other_keys_is_refused(
        self, server: Flask, local: Registry, keys: Path
    ) -> None:
        def other_log_key(keys_document: dict[str, Any]) -> dict[str, Any]:
            vkey = keys_document["log_vkey"]
            return {
                **keys_document,
                "log_vkey": vkey[:-6] + ("AAAAA=" if vkey[-6:] != "AAAAA=" else "BBBBB="),
            }

        source = Rewriting(server.test_client(), "/api/v1/keys", other_log_key)
        with pytest.raises(MirrorRefused, match="not the pinned ones"):
            self.follow(local, source, keys)

    def test_a_store_pinned_to_other_keys_refuses_new_pins(
        self, local: Registry, tmp_path: Path
    ) -> None:
        other = settings_for(tmp_path / "unrelated")
        initialise(other)
        anchors, verifier = load_anchors(other.keys_dir)
        with pytest.raises(MirrorRefused, match="other keys"):
            pin_anchors(local.settings.home / "public", anchors, verifier)


def _entry(server: Flask, index: int) -> dict[str, Any]:
    answer = server.test_client().get("/api/v1/log/entries", query_string={"start": index})
    return dict(answer.get_json()["entries"][0])


def _day(text: str) -> PartialDate:
    return PartialDate.parse(text)


class TestMirrorIntoSQLite(MirrorScenario):
    @pytest.fixture
    def mirror_settings(self, tmp_path: Path) -> Settings:
        return settings_for(tmp_path / "mirror")


@pytest.mark.postgres
class TestMirrorIntoPostgres(MirrorScenario):
    @pytest.fixture
    def mirror_settings(self, tmp_path: Path, postgres_url: str) -> Settings:
        return settings_for(tmp_path / "mirror", postgres_url)
