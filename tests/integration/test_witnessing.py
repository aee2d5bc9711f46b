"""Two registries witnessing: Islamabad's log, Astana's witness, on SQLite and PostgreSQL.

The witness is Astana's real web app (its Flask test client stands in for the network); the
log side is Islamabad's registry collecting cosignatures with `cosign`. Nothing is mocked:
the databases, keys and signatures are real.
"""

from __future__ import annotations

import base64
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from registry.ledger.checkpoint import Checkpoint, sign_checkpoint
from registry.ledger.cosignature import CosignatureVerifier, check_cosignatures
from registry.ledger.keys import SigningKey
from registry.ledger.note import NoteSigner, verifier_key
from registry.ledger.policy import parse_policy
from registry.ledger.tlog_witness import SIZE_CONTENT_TYPE, format_add_checkpoint
from registry.store.application import Registry
from registry.store.events.cosigning import (
    WitnessConfigError,
    add_witness,
    cosign,
    remove_witness,
    witness_states,
)
from registry.store.events.log import TransparencyLog
from registry.store.events.witness import (
    WitnessError,
    add_checkpoint,
    add_log,
    witness_signer,
    witnessed,
)
from registry.store.settings import Settings
from registry.web import create_app
from tests.conftest import settings_for
from tests.integration.helpers import draft_transit_agreement, open_registry
from tests.unit.ledger.vectors import load_document

WITNESS_URL = "http://astana.test/witness"


class AppTransport:
    """The witness's own Flask app, reached without a socket; `down` refuses every request."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.down = False

    def post(self, url: str, body: bytes) -> tuple[int, str, bytes]:
        if self.down:
            raise ConnectionRefusedError("connection refused")
        response = self.client.post(urlsplit(url).path, data=body)
        return response.status_code, response.headers["Content-Type"], response.data


def log_vkey(registry: Registry) -> str:
    return (registry.settings.keys_dir / "log.vkey").read_text().strip()


class WitnessingScenario:
    @pytest.fixture
    def homes(self, tmp_path: Path) -> tuple[Settings, Settings]:
        raise NotImplementedError

    @pytest.fixture
    def pair(self, homes: tuple[Settings, Settings]) -> Iterator[tuple[Registry, Flask, Registry]]:
        log_settings, witness_settings = homes
        with open_registry(log_settings) as log, open_registry(witness_settings) as witness:
            app = create_app({"REGISTRY_SETTINGS": witness_settings, "TESTING": True})
            add_log(witness, log.settings.log_origin, log_vkey(log))
            vkey = witness_signer(witness_settings).verifier().vkey
            add_witness(log, "astana", WITNESS_URL, vkey)
            yield log, app, witness

    def test_a_witness_cosigns_each_new_checkpoint_and_it_is_served(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, app, witness = pair
        transport = AppTransport(app)
        first = draft_transit_agreement(log).checkpoint.size
        assert cosign(log, transport) == {"astana": f"cosigned size {first}"}
        draft_transit_agreement(log, "PK-KZ-2026-901")
        assert cosign(log, transport) == {"astana": f"cosigned size {first + 1}"}
        note = self.served_checkpoint(log)
        verifier = witness_signer(witness.settings).verifier()
        assert set(check_cosignatures(note, [verifier]).valid) == {verifier.label}
        policy = parse_policy(f"log {log_vkey(log)}\nwitness A {verifier.vkey}\nquorum A\n")
        assert policy.check(note).ok
        assert witnessed(witness)[log.settings.log_origin].size == first + 1
        assert witness_states(log)["astana"].cosigned_size == first + 1

    def test_a_witness_that_is_down_never_blocks_a_write_and_catches_up(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, app, _ = pair
        transport = AppTransport(app)
        transport.down = True
        first = draft_transit_agreement(log).checkpoint.size
        outcome = cosign(log, transport)
        assert outcome["astana"].startswith("failed: connection refused")
        state = witness_states(log)["astana"]
        assert state.cosigned_size is None and "refused" in (state.last_error or "")
        assert log.checkpoint().size == first  # type: ignore[union-attr]
        draft_transit_agreement(log, "PK-KZ-2026-901")
        transport.down = False
        assert cosign(log, transport) == {"astana": f"cosigned size {first + 1}"}
        assert witness_states(log)["astana"].last_error is None

    def test_a_log_that_forgot_the_witness_size_resends_from_the_409_size(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, app, witness = pair
        transport = AppTransport(app)
        draft_transit_agreement(log)
        cosign(log, transport)
        vkey = witness_signer(witness.settings).verifier().vkey
        remove_witness(log, "astana")
        add_witness(log, "astana", WITNESS_URL, vkey)  # its state starts again from nothing
        size = draft_transit_agreement(log, "PK-KZ-2026-901").checkpoint.size
        assert cosign(log, transport) == {"astana": f"cosigned size {size}"}

    def test_a_forked_log_is_refused_with_the_protocols_answer(self, pair, tmp_path) -> None:  # type: ignore[no-untyped-def]
        log, app, witness = pair
        transport = AppTransport(app)
        draft_transit_agreement(log)
        size = draft_transit_agreement(log, "PK-KZ-2026-901").checkpoint.size
        cosign(log, transport)
        forked_settings = settings_for(tmp_path / "fork", self.fork_database(tmp_path))
        shutil.copytree(log.settings.private_keys_dir, forked_settings.private_keys_dir)
        with open_registry(forked_settings) as fork:
            draft_transit_agreement(fork, "PK-KZ-2026-950")
            draft_transit_agreement(fork, "PK-KZ-2026-951")
            draft_transit_agreement(fork, "PK-KZ-2026-952")
            vkey = witness_signer(witness.settings).verifier().vkey
            add_witness(fork, "astana", WITNESS_URL, vkey)
            outcome = cosign(fork, transport)
        assert outcome["astana"].startswith("failed: HTTP 422")
        view = witnessed(witness)[log.settings.log_origin]
        assert view.size == size and "consistency proof does not verify" in (view.refused_why or "")

    def test_the_witness_answers_each_refusal_with_the_specs_status(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, app, witness = pair
        client = app.test_client()
        size = draft_transit_agreement(log).checkpoint.size
        draft_transit_agreement(log, "PK-KZ-2026-901")
        with log.transaction() as session:
            one = TransparencyLog.checkpoint_at(session, size)
            two = TransparencyLog.checkpoint_at(session, size + 1)
            proof = TransparencyLog.consistency_proof(session, size, size + 1)
        assert one is not None and two is not None

        def post(body: bytes) -> tuple[int, str, str]:
            response = client.post("/witness/add-checkpoint", data=body)
            return response.status_code, response.headers["Content-Type"], response.text

        assert post(b"garbage")[0] == 400
        assert post(format_add_checkpoint(size + 2, [], two.note))[0] == 400  # old size beyond it
        stranger = NoteSigner(log.settings.log_origin, SigningKey.generate())
        forged = sign_checkpoint(Checkpoint.parse(two.note.split("\n\n")[0] + "\n"), stranger)
        assert post(format_add_checkpoint(0, [], forged))[0] == 403
        other = NoteSigner("elsewhere.example/log", SigningKey.generate())
        unknown = sign_checkpoint(Checkpoint("elsewhere.example/log", 1, b"\x00" * 32), other)
        assert post(format_add_checkpoint(0, [], unknown))[0] == 404
        status, content_type, body = post(format_add_checkpoint(0, [], one.note))
        assert status == 200 and body.startswith("\u2014 ")
        assert content_type.startswith("text/plain")
        assert post(format_add_checkpoint(0, [], two.note)) == (
            409,
            SIZE_CONTENT_TYPE,
            f"{size}\n",
        )
        assert post(format_add_checkpoint(size, [b"\x01" * 32], two.note))[0] == 422
        assert post(format_add_checkpoint(size, proof, two.note))[0] == 200
        assert post(format_add_checkpoint(size + 1, [], two.note))[0] == 200  # same tree again
        assert witnessed(witness)[log.settings.log_origin].size == size + 1

    def test_the_witness_view_survives_a_restart(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, app, witness = pair
        size = draft_transit_agreement(log).checkpoint.size
        cosign(log, AppTransport(app))
        reopened = Registry(witness.settings)
        try:
            view = witnessed(reopened)[log.settings.log_origin]
        finally:
            reopened.close()
        assert view.size == size and view.note is not None
        assert base64.b64encode(view.root_hash).decode() in view.note

    def test_keys_are_never_shared_between_the_log_and_a_witness(self, pair) -> None:  # type: ignore[no-untyped-def]
        log, _, witness = pair
        raw = base64.b64decode(log_vkey(log).split("+", 2)[2])[1:]
        own_key_as_witness = CosignatureVerifier("islamabad.test/witness", raw).vkey
        with pytest.raises(WitnessConfigError, match="never the log key"):
            add_witness(log, "self", WITNESS_URL, own_key_as_witness)
        with pytest.raises(WitnessConfigError, match="type 0x01"):
            add_witness(log, "wrong-type", WITNESS_URL, log_vkey(log))
        astana = witness_signer(witness.settings).verifier().vkey
        with pytest.raises(WitnessConfigError, match="already configured"):
            add_witness(log, "astana-again", WITNESS_URL, astana)
        with pytest.raises(WitnessError, match="already witnessing"):
            add_log(witness, log.settings.log_origin, log_vkey(log))

    def test_torchwoods_witness_requests_get_torchwoods_answers(self, pair) -> None:  # type: ignore[no-untyped-def]
        _, _, witness = pair
        torchwood = load_document("c2sp/tlog_witness_torchwood")
        origin = torchwood["origin"]
        add_log(
            witness, origin, verifier_key(origin, bytes.fromhex(torchwood["log_public_key_hex"]))
        )
        for case in torchwood["vectors"]:
            answer = add_checkpoint(witness, case["body"].encode(), now=1_700_000_000)
            assert answer.status == case["status"], case["name"]
            if answer.status == 409:
                assert (answer.body, answer.content_type) == (
                    case["size_answer"],
                    SIZE_CONTENT_TYPE,
                )
        view = witnessed(witness)[origin]
        assert (view.size, view.root_hash.hex()) == (
            torchwood["final_size"],
            torchwood["final_root_hex"],
        )
        verifier = witness_signer(witness.settings).verifier()
        assert set(check_cosignatures(view.note or "", [verifier]).valid) == {verifier.label}

    @staticmethod
    def served_checkpoint(log: Registry) -> str:
        app = create_app({"REGISTRY_SETTINGS": log.settings, "TESTING": True})
        response = app.test_client().get("/api/v1/log/checkpoint")
        assert response.status_code == 200
        return response.text

    def fork_database(self, tmp_path: Path) -> str | None:
        return None


class TestWitnessingOnSqlite(WitnessingScenario):
    @pytest.fixture
    def homes(self, tmp_path: Path) -> tuple[Settings, Settings]:
        return settings_for(tmp_path / "islamabad"), witness_home(tmp_path / "astana")


class TestWitnessingOnPostgres(WitnessingScenario):
    @pytest.fixture
    def homes(
        self, tmp_path: Path, postgres_url: str, postgres_database: str
    ) -> Iterator[tuple[Settings, Settings]]:
        schema = f"w_{uuid.uuid4().hex[:12]}"
        engine = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        second = make_url(postgres_database).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        try:
            yield (
                settings_for(tmp_path / "islamabad", postgres_url),
                witness_home(tmp_path / "astana", second.render_as_string(hide_password=False)),
            )
        finally:
            with engine.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


def witness_home(home: Path, database_url: str | None = None) -> Settings:
    settings = settings_for(home, database_url)
    return Settings(settings.home, settings.database_url, "astana.test/log", settings.keys_dir)
