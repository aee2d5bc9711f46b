"""This instance as a witness of other logs (C2SP tlog-witness, the witness's side).

For each log it was told about (`registry witness add-log ORIGIN VKEY`) the witness keeps
the latest checkpoint it cosigned, in a table of the instance's database, so its view
survives a restart. `add_checkpoint` checks a submission against that view and, inside one
write transaction (SQLite's write lock, a row lock on PostgreSQL), moves the view forward and
cosigns: two racing submissions can never roll the view back. A refused submission whose
signature verified is kept as evidence (a fork or a rollback is a log's misbehaviour).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Column, LargeBinary, String, Table, Text, insert, select, update
from sqlalchemy import delete as sql_delete

from registry.ledger import merkle
from registry.ledger.checkpoint import Checkpoint, CheckpointError
from registry.ledger.cosignature import CosignatureSigner
from registry.ledger.keys import KeyFileError, SigningKey
from registry.ledger.note import NoteError, NoteVerifier, open_note
from registry.ledger.payload import format_instant
from registry.ledger.tlog_witness import (
    SIZE_CONTENT_TYPE,
    WitnessRequestError,
    format_size,
    parse_add_checkpoint,
)
from registry.store.errors import StoreError
from registry.store.events.datastore import write_intent
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry
    from registry.store.settings import Settings

EMPTY_ROOT = hashlib.sha256(b"").digest()

witnessed_logs = Table(
    "registry_witnessed_logs",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("vkey", Text, nullable=False),
    Column("added", String(27), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text),  # the latest checkpoint cosigned, with this witness's cosignature
    Column("updated", String(27)),
    Column("refused", Text),  # the last submission refused after its signature verified
    Column("refused_why", Text),
    Column("refused_at", String(27)),
)


class WitnessError(StoreError):
    """A refused witness configuration change."""


@dataclass(frozen=True)
class Answer:
    """An add-checkpoint answer: status, body, content type."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class WitnessedLog:
    origin: str
    vkey: str
    size: int
    root_hash: bytes
    note: str | None
    updated: str | None
    refused_why: str | None
    refused_at: str | None


# -- the witness key ----------------------------------------------------------------------------


def witness_name(settings: Settings) -> str:
    """The witness's key name: REGISTRY_WITNESS_NAME, else the log origin + `/witness`."""
    return os.environ.get("REGISTRY_WITNESS_NAME") or f"{settings.log_origin}/witness"


def witness_key_path(settings: Settings) -> Path:
    return settings.private_keys_dir / "witness.key"


def witness_signer(settings: Settings) -> CosignatureSigner:
    """The instance's witness key, created (0600) on first use; never the log key."""
    path = witness_key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(KeyFileError):  # another process made it first: use theirs
            SigningKey.generate().save(path)
    key = SigningKey.load(path)
    log_path = settings.private_keys_dir / "log.key"
    if log_path.exists() and SigningKey.load(log_path).public_key.raw == key.public_key.raw:
        raise WitnessError(f"{path} holds the log key: a witness key must be a key of its own")
    return CosignatureSigner(witness_name(settings), key)


def publish_witness_key(settings: Settings, directories: list[Path]) -> str:
    vkey = witness_signer(settings).verifier().vkey
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "witness.vkey").write_text(vkey + "\n")
    return vkey


# -- configuration ------------------------------------------------------------------------------


def add_log(registry: Registry, origin: str, vkey: str) -> WitnessedLog:
    try:
        verifier = NoteVerifier.from_vkey(vkey)
    except NoteError as error:
        raise WitnessError(f"log key: {error}") from None
    if verifier.name != origin:
        raise WitnessError(f"the log key is named {verifier.name!r}, not the origin {origin!r}")
    own = witness_signer(registry.settings).public_key_raw
    if _raw(verifier.vkey) == own:
        raise WitnessError("that is this witness's own key: a log key must be another key")
    with write_intent(), registry.transaction(commit=True) as session:
        if session.execute(select(witnessed_logs.c.origin).where(_is(origin))).first():
            raise WitnessError(f"already witnessing {origin}: remove it first to change its key")
        session.execute(
            insert(witnessed_logs),
            {
                "origin": origin,
                "vkey": verifier.vkey,
                "added": _now(),
                "size": 0,
                "root_hash": EMPTY_ROOT,
            },
        )
    return witnessed(registry)[origin]


def remove_log(registry: Registry, origin: str) -> None:
    with write_intent(), registry.transaction(commit=True) as session:
        if session.execute(sql_delete(witnessed_logs).where(_is(origin))).rowcount == 0:
            raise WitnessError(f"not witnessing {origin!r}")


def witnessed(registry: Registry) -> dict[str, WitnessedLog]:
    with registry.transaction() as session:
        rows = session.execute(select(witnessed_logs).order_by(witnessed_logs.c.origin)).all()
    return {
        row.origin: WitnessedLog(
            row.origin,
            row.vkey,
            int(row.size),
            bytes(row.root_hash),
            row.note,
            row.updated,
            row.refused_why,
            row.refused_at,
        )
        for row in rows
    }


# -- add-checkpoint ---------------------------------------------------------------------------


def add_checkpoint(registry: Registry, body: bytes, *, now: int | None = None) -> Answer:
    """Check one submission against the stored view; cosign and persist it, or refuse."""
    try:
        request = parse_add_checkpoint(body)
    except WitnessRequestError as error:
        return Answer(400, f"{error}\n")
    text = request.note[: request.note.find("\n\n") + 1] if "\n\n" in request.note else ""
    try:
        checkpoint = Checkpoint.parse(text)
    except CheckpointError as error:
        return Answer(400, f"malformed checkpoint: {error}\n")
    signer = witness_signer(registry.settings)
    refusal: tuple[str, str] | None = None
    with write_intent(), registry.transaction(commit=True) as session:
        query = select(witnessed_logs).where(_is(checkpoint.origin))
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        row = session.execute(query).first()
        if row is None:
            return Answer(404, f"unknown log {checkpoint.origin!r}\n")
        try:
            open_note(request.note, [NoteVerifier.from_vkey(row.vkey)])
        except NoteError as error:
            return Answer(403, f"the checkpoint is not signed by the log's key: {error}\n")
        answer = _check(request.old_size, request.proof, checkpoint, int(row.size), row)
        if answer is not None:
            refusal = (request.note, answer.body.strip())
        else:
            timestamp = int(time.time()) if now is None else now
            line = signer.cosign(checkpoint.body(), timestamp).line()
            session.execute(
                update(witnessed_logs)
                .where(_is(checkpoint.origin))
                .values(
                    size=checkpoint.size,
                    root_hash=checkpoint.root_hash,
                    note=request.note + line,
                    updated=_now(),
                )
            )
            answer = Answer(200, line)
    if refusal is not None and answer.status in (409, 422):
        _keep_refusal(registry, checkpoint.origin, *refusal)
    return answer


def _check(
    old: int, proof: tuple[bytes, ...], checkpoint: Checkpoint, stored: int, row: Any
) -> Answer | None:
    if old > checkpoint.size:
        return Answer(400, f"old size {old} exceeds the checkpoint size {checkpoint.size}\n")
    if old != stored:
        return Answer(409, format_size(stored), SIZE_CONTENT_TYPE)
    if old == checkpoint.size:
        if proof:
            return Answer(422, "the sizes are equal: the consistency proof must be empty\n")
        if checkpoint.root_hash != bytes(row.root_hash):
            return Answer(409, "same size, another root hash: this log forked\n")
        return None
    if old == 0:
        return Answer(422, "the old size is 0: the proof must be empty\n") if proof else None
    try:
        merkle.verify_consistency(
            old, checkpoint.size, bytes(row.root_hash), checkpoint.root_hash, proof
        )
    except merkle.ProofError as error:
        return Answer(422, f"the consistency proof does not verify: {error}\n")
    return None


def _keep_refusal(registry: Registry, origin: str, note: str, why: str) -> None:
    with write_intent(), registry.transaction(commit=True) as session:
        session.execute(
            update(witnessed_logs)
            .where(_is(origin))
            .values(refused=note, refused_why=why, refused_at=_now())
        )


def _is(origin: str) -> Any:
    return witnessed_logs.c.origin == origin


def _raw(vkey: str) -> bytes:
    return base64.b64decode(vkey.split("+", 2)[2])[1:]


def _now() -> str:
    return format_instant(datetime.now(UTC))
