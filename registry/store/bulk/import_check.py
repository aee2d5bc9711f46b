"""Import's passes 0 and 1: the file read, every envelope strictly opened and checked, the
tree it gives compared with its trailer; nothing is written (see importing.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from registry.domain.characters import first_finding
from registry.ledger import merkle
from registry.ledger.chain import ChainHead, next_problems
from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.errors import LedgerError
from registry.ledger.payload import EventPayload, parse_instant
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.transfer import FORMAT, KEYRING_MARK, Lines, RootAccumulator, TransferError
from registry.store.bulk.workers import Pool
from registry.store.events.log import note_verifier
from registry.store.events.mapper import TamperedEvent, event_from_payload

Entry = tuple[int, bytes, dict[str, object] | None]  # line number, bytes, trailer or None


@dataclass
class Verified:
    """What pass 1 learnt: the file's size, root, trailer and each chunk's digest."""

    count: int = 0
    root: bytes = merkle.EMPTY_ROOT
    root_at_resume: bytes | None = None
    trailer: Checkpoint | None = None
    note: str | None = None
    chunks: list[bytes] = field(default_factory=list)


def envelopes(lines: Lines) -> Iterator[tuple[int, bytes, dict[str, object] | None]]:
    """(line number, bytes, trailer or None) of each non-empty line."""
    for number, raw in enumerate(lines(), start=1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        trailer = None
        if line.startswith(b'{"checkpoint":'):
            try:
                trailer = json.loads(line)
            except ValueError:
                raise TransferError(
                    f"line {number}: a malformed trailer; nothing was imported"
                ) from None
            if not isinstance(trailer, dict) or trailer.get("format") != FORMAT:
                raise TransferError(
                    f"line {number}: the trailer is not in the format {FORMAT}; "
                    "nothing was imported"
                )
        yield number, bytes(line), trailer


def keyring_trust(registry: Registry, lines: Lines) -> tuple[Trust, int]:
    """Pass 0: the keyring events of the file, each verified by the keyring before it; and
    how many envelopes the file holds."""
    trust = Trust(registry.anchors())
    count = 0
    for number, line, trailer in envelopes(lines):
        count += trailer is None
        if trailer is not None or KEYRING_MARK not in _payload_bytes(line):
            continue
        opened = open_line(registry, trust, number, line)
        try:
            trust.apply(opened)
        except LedgerError as error:
            raise TransferError(f"line {number}: {error}; nothing was imported") from None
    return trust, count


def _payload_bytes(line: bytes) -> bytes:
    try:
        return base64.b64decode(json.loads(line)["payload"])
    except (ValueError, KeyError, TypeError):
        return b""  # pass 1 reports it, with its reason


def _check_characters(number: int, line: bytes) -> None:
    """Text every database stores alike (registry.domain.characters), named before any other
    check: a store that once accepted NUL must say so, not fail later in PostgreSQL."""
    try:
        payload = json.loads(_payload_bytes(line))
    except ValueError:
        return  # not JSON: the strict opening reports it, with its reason
    if not isinstance(payload, dict):
        return
    unsafe = first_finding({"actor": payload.get("actor"), "data": payload.get("data")})
    if unsafe is not None:
        raise TransferError(f"line {number}: {unsafe.path} {unsafe.message}; nothing was imported")


def open_line(registry: Registry, trust: Trust, number: int, line: bytes) -> EventPayload:
    """The strictly opened payload. Unsafe text is named first, whatever else is wrong: from
    the payload once it is open (one parse), or, if it does not open, from the raw line."""
    try:
        payload = registry.mapper.open_bytes(line, trust).payload
        event_from_payload(payload)  # the signed data must decode into its event type
    except (TamperedEvent, LedgerError, ValueError, TypeError) as error:
        _check_characters(number, line)
        raise TransferError(f"line {number}: {error}; nothing was imported") from None
    unsafe = first_finding({"actor": payload.actor, "data": payload.data})
    if unsafe is not None:
        raise TransferError(f"line {number}: {unsafe.path} {unsafe.message}; nothing was imported")
    return payload


def verify_file(
    registry: Registry,
    trust: Trust,
    lines: Lines,
    chunk: int,
    resume: int,
    pool: Pool | None,
) -> Verified:
    """Pass 1: every envelope, every link, the order and the tree; nothing is written."""
    verified = Verified()
    tree = RootAccumulator()
    heads: dict[str, ChainHead] = {}
    last_recorded = None
    digest = hashlib.sha256()
    for (number, line, trailer), opened in _opened(lines, pool):
        if verified.trailer is not None:
            raise TransferError(f"line {number}: events after the trailer; nothing was imported")
        if trailer is not None:
            verified.note, verified.trailer = _open_trailer(registry, number, trailer)
            continue
        if tree.size == resume:
            verified.root_at_resume = tree.root()
        if isinstance(opened, str):
            raise TransferError(opened)  # a worker's `open_line` refused it
        payload = opened or open_line(registry, trust, number, line)
        recorded = parse_instant(payload.recorded)
        if last_recorded is not None and recorded <= last_recorded:
            raise TransferError(
                f"line {number}: {payload.agreement} v{payload.version} is not recorded after "
                "the line before it; nothing was imported"
            )
        last_recorded = recorded
        previous = heads.get(payload.agreement)
        event = (payload, line)
        problems = next_problems(previous, event, opened=True)
        if problems:
            raise TransferError(f"line {number}: {'; '.join(problems)}; nothing was imported")
        heads[payload.agreement] = ChainHead.of(event)
        tree.add(merkle.leaf_hash(line))
        digest.update(line + b"\n")
        if tree.size % chunk == 0:
            verified.chunks.append(digest.digest())
            digest = hashlib.sha256()
    if tree.size % chunk:
        verified.chunks.append(digest.digest())
    if tree.size == resume:
        verified.root_at_resume = tree.root()
    if tree.size == 0:
        raise TransferError("the file holds no envelopes; nothing was imported")
    verified.count, verified.root = tree.size, tree.root()
    return verified


def _opened(lines: Lines, pool: Pool | None) -> Iterator[tuple[Entry, Any]]:
    """Each line, with its `open_line` result from a worker (None: open it here)."""
    if pool is None:
        return ((entry, None) for entry in envelopes(lines))
    from registry.store.bulk.parallel_import import opened_in_order

    return opened_in_order(pool, envelopes(lines))


def _open_trailer(
    registry: Registry, number: int, trailer: dict[str, object]
) -> tuple[str, Checkpoint]:
    note = trailer.get("checkpoint")
    # Under the origin it names (an instance may have moved to a new origin since), by this
    # instance's log key: a trailer signed by any other key is refused.
    origin = str(note).split("\n", 1)[0]
    verifier = note_verifier(origin, registry.anchors())
    try:
        return str(note), open_checkpoint(str(note), verifier)
    except (CheckpointError, ValueError) as error:
        raise TransferError(
            f"line {number}: the trailer's checkpoint is not signed by this registry's log key: "
            f"{error}; nothing was imported"
        ) from None


def check_trailer(verified: Verified, allow_partial: bool) -> str | None:
    """The trailer's note if it vouches for the file; None when partial import was asked."""
    trailer = verified.trailer
    if trailer is None:
        problem = (
            f"the file has no signed trailer after its {verified.count} events: it may be cut "
            "short (an export killed midway, or `head -n`)"
        )
    elif trailer.size != verified.count:
        missing = trailer.size - verified.count
        problem = (
            f"the trailer signs a log of {trailer.size} events but the file holds "
            f"{verified.count}: "
            + (
                f"{missing} are missing (events {verified.count + 1} to {trailer.size})"
                if missing > 0
                else f"{-missing} are not covered by the trailer"
            )
        )
    elif trailer.root_hash != verified.root:
        problem = (
            f"the file's {verified.count} events do not give the root its trailer signs: "
            "an event was edited, dropped, added or moved"
        )
    else:
        return verified.note
    if not allow_partial:
        raise TransferError(f"{problem}; nothing was imported (--allow-partial imports it anyway)")
    return None
