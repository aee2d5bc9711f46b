"""The log's side of witnessing: configured witnesses, their cosignatures, their state.

Cosigning runs after the write that issued a checkpoint has committed, from `registry log
cosign` (once, or `--watch` in a loop beside `registry serve`): a witness that is down only
leaves its state behind (last error, when), never a write waiting. Each round sends every
witness the latest checkpoint with a consistency proof from the size that witness last
cosigned (a 409 `text/x.tlog.size` answer names its size, and the request is resent from
it), verifies the cosignature returned against that witness's key and keeps it with the
checkpoint. The checkpoint is then served with every cosignature kept for it.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import BigInteger, Column, String, Table, Text, insert, select, update
from sqlalchemy import delete as sql_delete
from sqlalchemy.orm import Session

from registry.ledger.cosignature import CosignatureError, CosignatureVerifier, check_cosignatures
from registry.ledger.payload import format_instant
from registry.ledger.tlog_witness import (
    SIZE_CONTENT_TYPE,
    WitnessRequestError,
    format_add_checkpoint,
    parse_size,
)
from registry.store.errors import StoreError
from registry.store.events.datastore import write_intent
from registry.store.events.log import IssuedCheckpoint, TransparencyLog, note_verifier
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry

TIMEOUT_SECONDS = 5.0
MAX_RESENDS = 2
MAX_ANSWER_BYTES = 64 * 1024
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

witnesses = Table(
    "registry_witnesses",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("vkey", Text, nullable=False),
    Column("added", String(27), nullable=False),
    Column("cosigned_size", BigInteger),  # the largest size this witness cosigned for us
    Column("cosigned_at", String(27)),
    Column("last_attempt", String(27)),
    Column("last_error", Text),
    Column("last_error_at", String(27)),
)

cosignatures = Table(
    "registry_cosignatures",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(64), primary_key=True),
    Column("line", Text, nullable=False),  # the signature line, as the witness returned it
    Column("timestamp", BigInteger, nullable=False),
)


class WitnessConfigError(StoreError):
    """A refused change to the configured witnesses."""


@dataclass(frozen=True)
class WitnessState:
    name: str
    url: str
    vkey: str
    added: str
    cosigned_size: int | None
    cosigned_at: str | None
    last_attempt: str | None
    last_error: str | None
    last_error_at: str | None

    @property
    def healthy(self) -> bool:
        return self.last_error is None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "healthy": self.healthy}


class Transport(Protocol):
    def post(self, url: str, body: bytes) -> tuple[int, str, bytes]: ...


class HttpTransport:
    """POST with the standard library and a bounded timeout; (status, content type, body)."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self.timeout = timeout

    def post(self, url: str, body: bytes) -> tuple[int, str, bytes]:
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"User-Agent": "agreement-registry/1"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _type(response), response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _type(error), error.read(MAX_ANSWER_BYTES)


def _type(response: Any) -> str:
    return str(response.headers.get("Content-Type", ""))


# -- configuration ------------------------------------------------------------------------------


def add_witness(registry: Registry, name: str, url: str, vkey: str) -> WitnessState:
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise WitnessConfigError(f"{name!r}: a witness name is letters, digits, '.', '_', '-'")
    if not url.startswith(("http://", "https://")):
        raise WitnessConfigError(f"{url!r}: the witness URL is its http(s) submission prefix")
    try:
        verifier = CosignatureVerifier.from_vkey(vkey)
    except CosignatureError as error:
        raise WitnessConfigError(str(error)) from None
    log = note_verifier(registry.settings.log_origin, registry.anchors())
    if _raw(log.vkey) == verifier.public_key_raw:
        raise WitnessConfigError("that is this log's own key: a witness key is never the log key")
    with write_intent(), registry.transaction(commit=True) as session:
        existing = session.execute(select(witnesses.c.name, witnesses.c.vkey)).all()
        if any(row.name == name for row in existing):
            raise WitnessConfigError(f"a witness named {name!r} is already configured")
        if any(_raw(row.vkey) == verifier.public_key_raw for row in existing):
            raise WitnessConfigError("a witness with that key is already configured")
        session.execute(
            insert(witnesses),
            {"name": name, "url": url.rstrip("/"), "vkey": verifier.vkey, "added": _now()},
        )
    return witness_states(registry)[name]


def remove_witness(registry: Registry, name: str) -> None:
    """Stop asking NAME; the cosignatures it gave stay with their checkpoints."""
    with write_intent(), registry.transaction(commit=True) as session:
        if session.execute(sql_delete(witnesses).where(witnesses.c.name == name)).rowcount == 0:
            raise WitnessConfigError(f"no witness named {name!r}")


def witness_states(registry: Registry) -> dict[str, WitnessState]:
    with registry.transaction() as session:
        rows = session.execute(select(witnesses).order_by(witnesses.c.name)).all()
    return {row.name: WitnessState(**row._mapping) for row in rows}


# -- serving ------------------------------------------------------------------------------------


def has_witnesses(session: Session) -> bool:
    return session.execute(select(witnesses.c.name).limit(1)).first() is not None


def cosigned(session: Session, checkpoint: IssuedCheckpoint) -> IssuedCheckpoint:
    """The checkpoint with every cosignature kept for it appended to its note."""
    lines = session.execute(
        select(cosignatures.c.line)
        .where(cosignatures.c.size == checkpoint.size)
        .order_by(cosignatures.c.witness)
    ).scalars()
    extra = "".join(line for line in lines)
    return replace(checkpoint, note=checkpoint.note + extra) if extra else checkpoint


# -- collecting ---------------------------------------------------------------------------------


def cosign(registry: Registry, transport: Transport | None = None) -> dict[str, str]:
    """One round: bring every witness up to the latest checkpoint. Never raises for a witness."""
    transport = transport or HttpTransport()
    outcome: dict[str, str] = {}
    with registry.transaction() as session:
        latest = TransparencyLog.latest(session)
    if latest is None:
        return outcome
    for state in witness_states(registry).values():
        if state.cosigned_size == latest.size and state.last_error is None:
            outcome[state.name] = f"up to date at size {latest.size}"
            continue
        try:
            line, timestamp = _collect(registry, state, latest, transport)
        except (WitnessFailed, OSError, urllib.error.URLError) as error:
            outcome[state.name] = f"failed: {error}"
            _record(registry, state.name, error=str(error))
            continue
        with write_intent(), registry.transaction(commit=True) as session:
            known = session.execute(
                select(cosignatures.c.size).where(
                    cosignatures.c.size == latest.size, cosignatures.c.witness == state.name
                )
            ).first()
            if known is None:
                session.execute(
                    insert(cosignatures),
                    {
                        "size": latest.size,
                        "witness": state.name,
                        "line": line,
                        "timestamp": timestamp,
                    },
                )
        _record(registry, state.name, size=latest.size)
        outcome[state.name] = f"cosigned size {latest.size}"
    return outcome


class WitnessFailed(Exception):
    """A witness answered, but not with a valid cosignature of our checkpoint."""


def _collect(
    registry: Registry, state: WitnessState, latest: IssuedCheckpoint, transport: Transport
) -> tuple[str, int]:
    verifier = CosignatureVerifier.from_vkey(state.vkey)
    old = state.cosigned_size or 0
    url = f"{state.url}/add-checkpoint"
    for _attempt in range(MAX_RESENDS + 1):
        if old > latest.size:
            raise WitnessFailed(
                f"the witness has cosigned size {old}, beyond this log's {latest.size}: "
                "it saw another history of this log"
            )
        with registry.transaction() as session:
            proof = TransparencyLog.consistency_proof(session, old, latest.size) if old else []
        status, content_type, body = transport.post(
            url, format_add_checkpoint(old, proof, latest.note)
        )
        if status == 409 and content_type.split(";")[0].strip() == SIZE_CONTENT_TYPE:
            try:
                old = parse_size(body)
            except WitnessRequestError as error:
                raise WitnessFailed(f"409 with a malformed size: {error}") from None
            continue
        if status != 200:
            detail = body.decode("utf-8", errors="replace").strip()[:300]
            raise WitnessFailed(f"HTTP {status} from {url}: {detail}")
        found = check_cosignatures(latest.note + body.decode("utf-8", errors="replace"), [verifier])
        if verifier.label not in found.valid:
            why = found.bad.get(verifier.label, "no cosignature by its key")
            raise WitnessFailed(f"the witness's answer holds no valid cosignature: {why}")
        return found.lines[0], found.valid[verifier.label]
    raise WitnessFailed(f"the witness kept answering 409 (its size {old})")


def _record(registry: Registry, name: str, *, size: int | None = None, error: str = "") -> None:
    now = _now()
    values: dict[str, Any] = {"last_attempt": now}
    if size is not None:
        values.update(cosigned_size=size, cosigned_at=now, last_error=None, last_error_at=None)
    else:
        values.update(last_error=error[:1000], last_error_at=now)
    with write_intent(), registry.transaction(commit=True) as session:
        session.execute(update(witnesses).where(witnesses.c.name == name).values(**values))


def _raw(vkey: str) -> bytes:
    import base64

    return base64.b64decode(vkey.split("+", 2)[2])[1:]


def _now() -> str:
    return format_instant(datetime.now(UTC))
