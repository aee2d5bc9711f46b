"""`registry mirror URL`: follow another registry's log into a local store, trusting nothing.

This is also the reference client for other systems. The keys are pinned once (a keys
directory: keyring.json and log.vkey, as `registry init` publishes them); the server's
/api/v1/keys must agree with them. Then each run:

1. fetches the server's checkpoint and checks its signature with the pinned log key;
2. asks for a consistency proof from the checkpoint this mirror already holds to the new one,
   and refuses a server whose new tree does not extend the old one (it rewrote history);
3. pulls the entries in between, in leaf order, and checks every envelope's signature and its
   signer's key window (trust built from the anchors and the keyring stream), every chain link
   to the predecessor, and that recorded instants only increase;
4. stores them a chunk per transaction, each chunk proven part of the server's signed tree
   before it is stored, the last also checking that they hash to the server's signed root and
   archiving its checkpoint; anything wrong, and nothing of that chunk is written (an
   interrupted run leaves whole chunks, which the next run proves again and continues).

Verification uses registry.ledger only; registry.store is just the local database. The HTTP
client is registry/mirror_http.py, the tile client registry/mirror_tiles.py.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from registry.domain.keyring import Keyring as KeyringStream
from registry.ledger import merkle
from registry.ledger.canonical import canonical_json
from registry.ledger.chain import ChainHead, SignedEvent, next_problems
from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.errors import LedgerError
from registry.ledger.keys import Keyring
from registry.ledger.merkle import ProofError, verify_consistency
from registry.ledger.note import NoteVerifier
from registry.ledger.payload import PAYLOAD_FIELDS, EventPayload, open_envelope, parse_instant
from registry.ledger.policy import Policy
from registry.ledger.tiles import TileError
from registry.ledger.trust import KEYRING_TYPES, Trust
from registry.mirror_http import HttpSource, SourceError
from registry.store.public import (
    CHUNK,
    CheckpointMismatch,
    MirrorStore,
    Registry,
    event_from_payload,
)

PAGE = 500
KEYRING_STREAM = str(KeyringStream.ID)
__all__ = ["HttpSource", "MirrorRefused", "MirrorResult", "SourceError", "mirror", "pin_anchors"]


class MirrorRefused(Exception):
    """The source cannot be trusted (or does not match this mirror); nothing was written."""


class Source(Protocol):
    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes: ...


@dataclass(frozen=True)
class MirrorResult:
    before: int
    after: int
    checkpoint: Checkpoint

    @property
    def fetched(self) -> int:
        return self.after - self.before


def pin_anchors(directory: Path, anchors: Keyring, verifier: NoteVerifier) -> None:
    """The local store's trust anchors are the pinned keys; refuse to change them."""
    keyring_path, vkey_path = directory / "keyring.json", directory / "log.vkey"
    if keyring_path.exists():
        if _entries(Keyring.load(keyring_path)) != _entries(anchors):
            raise MirrorRefused(
                f"{keyring_path} holds other keys than the pinned ones: this store mirrors "
                "another registry; use another REGISTRY_HOME"
            )
        return
    directory.mkdir(parents=True, exist_ok=True)
    anchors.save(keyring_path)
    vkey_path.write_text(verifier.vkey + "\n", encoding="utf-8")


def mirror(
    registry: Registry,
    source: Source,
    anchors: Keyring,
    verifier: NoteVerifier,
    *,
    page: int = PAGE,
    tiles: bool = False,
    policy: Policy | None = None,
    chunk: int = CHUNK,
    workers: int | None = None,
) -> MirrorResult:
    """Bring `registry` (the local store) up to the source's latest checkpoint, or refuse.

    With `tiles`, the source is the log's prefix and is read through its C2SP tiles alone
    (registry/mirror_tiles.py); otherwise it is a registry's API. With a witness `policy`,
    a checkpoint without the quorum of cosignatures is refused.

    The entries are verified and stored `chunk` at a time, each chunk one transaction (its
    events, leaves, nodes and read models) and each proven part of the server's signed tree
    before it is stored (a consistency proof from the chunk's end, or the tiles: every hash
    tile is tied to the signed root before the first chunk, each entry to its leaf hash as
    its bundle is read); the last also archives the server's checkpoint. A run killed
    between chunks, or refused for a chunk (an entry that is not the signed log's), leaves
    the whole chunks before it and no checkpoint for them; the next run proves them again
    and continues after them.

    With `workers` (by default one per core for a large log; REGISTRY_BULK_WORKERS; 0:
    none) the envelopes are opened, and the read models made, in worker processes; the
    chains, the order and the tree are still checked here, leaf by leaf, and the same first
    problem is named.
    """
    if registry.settings.log_origin != verifier.name:
        raise ValueError("the local store's log origin must be the pinned log key's name")
    if _entries(registry.anchors()) != _entries(anchors):
        raise MirrorRefused("the local store's trust anchors are not the pinned keys")
    if not tiles:
        _check_keys(source, anchors, verifier)
    with registry.mirror_store(chunk) as store:
        return _mirror(registry, store, source, anchors, verifier, page, tiles, policy, workers)


def _mirror(
    registry: Registry,
    store: MirrorStore,
    source: Source,
    anchors: Keyring,
    verifier: NoteVerifier,
    page: int,
    tiles: bool,
    policy: Policy | None,
    workers: int | None,
) -> MirrorResult:
    local = registry.checkpoint()
    before = local.size if local else 0
    held = store.log_size()
    if held < before:
        raise MirrorRefused(
            f"the local store holds {held} entries but its checkpoint covers {before}: "
            "run `registry verify` on it"
        )
    note = source.get("/checkpoint" if tiles else "/api/v1/log/checkpoint").decode("utf-8")
    try:
        remote = open_checkpoint(note, verifier)
    except CheckpointError as error:
        raise MirrorRefused(
            f"the server's checkpoint is not signed by the pinned key: {error}"
        ) from None
    if policy is not None:
        witnessed = policy.check(note)
        if not witnessed.ok:
            raise MirrorRefused(
                f"the server's checkpoint fails the witness policy: {witnessed.message()}"
            )
    if remote.size < held:
        raise MirrorRefused(
            f"the server's log has {remote.size} entries, fewer than the {held} this mirror "
            "already holds: it rewrote history"
        )
    tiled: Iterator[bytes] = iter(())
    if tiles:
        tiled = _from_tiles(registry, source, held, remote)
    else:
        if local is not None and before > 0:
            _check_consistency(source, before, local.root_hash, remote)
        if held > before:  # an interrupted run's chunks: they must be the server's too
            _check_consistency(source, held, store.root(held), remote)
    if remote.size == held == before:
        return MirrorResult(before, before, remote)
    follower = _Follower.of(store, anchors, held)
    store.start(_check, follower.trust, remote.size - held, workers)

    def opening(start: int) -> _Opening:
        stop = min(start + store.chunk, remote.size)
        envelopes = _take(tiled, stop - start) if tiles else _fetch(source, start, stop, page)
        return _Opening.of(store, follower.trust, envelopes, start)

    position = held
    current = opening(position)
    while True:  # one transaction per chunk; the last archives the server's checkpoint
        stop = position + len(current.envelopes)
        rows = _verify(store, follower, current)
        store.project([payload for payload, _data in rows])  # on the workers, meanwhile
        last = stop == remote.size
        if not last and not tiles:
            leaves = [merkle.leaf_hash(data) for _payload, data in rows]
            root = store.root_after(position, leaves)
            _check_consistency(source, stop, root, remote, entries=True)
        store.projected()
        following: _Opening | None = None
        failed: Exception | None = None
        if not last:  # read, and sent to the workers, while this chunk is written
            try:
                following = opening(stop)
            except Exception as error:  # this chunk is stored first, as if read after it
                failed = error
        _store_chunk(store, rows, position, note if last else None)
        if failed is not None:
            raise failed
        if following is None:
            return MirrorResult(before, remote.size, remote)
        position, current = stop, following


def _store_chunk(
    store: MirrorStore, rows: list[tuple[EventPayload, bytes]], size: int, note: str | None
) -> None:
    """One transaction: the chunk's events, leaves and nodes, their read models, and (for the
    last chunk) the server's checkpoint, archived only if it signs the tree they give."""

    def refused(held: int) -> MirrorRefused:
        return MirrorRefused(
            f"the local log holds {held} entries, not {size}: something else wrote to "
            "it during the mirror; nothing more was stored"
        )

    def mismatch(error: CheckpointMismatch) -> MirrorRefused:
        return MirrorRefused(
            f"the server's entries do not hash to the root its checkpoint signs: {error}"
        )

    store.store(rows, size, note, refused, mismatch)


def _from_tiles(
    registry: Registry, source: Source, before: int, remote: Checkpoint
) -> Iterator[bytes]:
    from registry.mirror_tiles import envelopes_from_tiles

    try:
        return envelopes_from_tiles(registry, source, before, remote)
    except TileError as error:
        raise MirrorRefused(f"the log's tiles do not verify: {error}") from None


def _take(tiled: Iterator[bytes], count: int) -> list[bytes]:
    """The next `count` leaves of the tiles, each checked against its leaf hash."""
    try:
        taken = list(itertools.islice(tiled, count))
    except TileError as error:
        raise MirrorRefused(f"the log's tiles do not verify: {error}") from None
    if len(taken) != count:
        raise MirrorRefused(f"the log's tiles hold {len(taken)} of the next {count} entries")
    return taken


def _entries(keyring: Keyring) -> list[dict[str, str]]:
    return sorted(keyring.to_json()["keys"], key=lambda entry: entry["keyid"])


def _get_json(source: Source, path: str, params: dict[str, Any] | None = None) -> Any:
    try:
        return json.loads(source.get(path, params))
    except ValueError:
        raise MirrorRefused(f"{path}: the server did not answer with JSON") from None


def _check_keys(source: Source, anchors: Keyring, verifier: NoteVerifier) -> None:
    keys = _get_json(source, "/api/v1/keys")
    try:
        served = Keyring.from_json(keys["anchors"])
        vkey, origin = keys["log_vkey"], keys["origin"]
    except (LedgerError, KeyError, TypeError) as error:
        raise MirrorRefused(f"the server's /api/v1/keys is malformed: {error}") from None
    if _entries(served) != _entries(anchors) or vkey != verifier.vkey or origin != verifier.name:
        raise MirrorRefused(
            "the server's keys are not the pinned ones: it is another registry, or its keys "
            "were replaced; compare GET /api/v1/keys with your keys directory"
        )


def _check_consistency(
    source: Source, size: int, root: bytes, remote: Checkpoint, *, entries: bool = False
) -> None:
    """The server's signed tree extends the tree of `size` leaves whose root is `root`: the
    mirror's own (else it rewrote history), or, with `entries`, the one the entries it just
    served give (else they are not its signed log)."""
    if remote.size == size:
        if remote.root_hash != root:
            raise MirrorRefused(
                f"the server signs a different tree of {size} entries than the one this mirror "
                "holds: it rewrote history"
            )
        return
    proof = _get_json(
        source, "/api/v1/log/proof/consistency", {"first": size, "second": remote.size}
    )
    try:
        hashes = [_b64decode(text) for text in proof["hashes"]]
        verify_consistency(size, remote.size, root, remote.root_hash, hashes)
    except (ProofError, KeyError, TypeError, ValueError) as error:
        if entries:
            raise MirrorRefused(
                f"the server's entries do not hash to the root its checkpoint signs: the first "
                f"{size} give a tree its tree of {remote.size} does not extend ({error})"
            ) from None
        raise MirrorRefused(
            f"the server's tree of {remote.size} entries does not extend the tree of {size} "
            f"this mirror holds: it rewrote history ({error})"
        ) from None


def _b64decode(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("a proof hash is a base64 string")
    return base64.b64decode(text, validate=True)


def _fetch(source: Source, start: int, stop: int, page: int) -> list[bytes]:
    """The envelopes of leaves [start, stop), as canonical bytes, in leaf order."""
    found: list[bytes] = []
    while start + len(found) < stop:
        position = start + len(found)
        limit = min(page, stop - position)
        document = _get_json(source, "/api/v1/log/entries", {"start": position, "limit": limit})
        served = document.get("entries") if isinstance(document, dict) else None
        if not isinstance(served, list) or not served:
            raise MirrorRefused(
                f"the server serves no entries from {position}, though its checkpoint covers {stop}"
            )
        for offset, entry in enumerate(served[:limit]):
            index = entry.get("index") if isinstance(entry, dict) else None
            if index != position + offset:
                raise MirrorRefused(
                    f"asked for leaf {position + offset}, the server sent {index!r}"
                )
            try:
                found.append(canonical_json(entry["envelope"]))
            except (LedgerError, KeyError) as error:
                raise MirrorRefused(f"leaf {index}: not an envelope: {error}") from None
    return found


@dataclass
class _Follower:
    """What verifying carries from one chunk to the next: the trust (with the keyring events
    seen so far) and the last recorded instant. Chains link to the previous chunk's heads
    through the store, so nothing grows with the log."""

    trust: Trust
    last: datetime | None

    @classmethod
    def of(cls, store: MirrorStore, anchors: Keyring, size: int) -> _Follower:
        trust = Trust(anchors)
        for data in store.keyring_envelopes():
            _admit(trust, data, "the local keyring")
        last = parse_instant(store.recorded_at(size - 1)) if size else None
        return cls(trust, last)


@dataclass
class _Opening:
    """A chunk's envelopes being opened: each leaf's payload, or why it is refused (None: the
    workers' answer is awaited, in `tickets`, or, without workers, it is opened in `_verify`).

    With workers, the leaves go to them in runs between the keyring's events: this process
    opens each keyring event itself, with the keyring as it stands before it, and the workers
    learn it before they are sent the run after it."""

    start: int
    envelopes: Sequence[bytes]
    found: list[EventPayload | MirrorRefused | None]
    documents: list[Any]
    tickets: list[tuple[int, Any]]

    @classmethod
    def of(
        cls, store: MirrorStore, trust: Trust, envelopes: Sequence[bytes], start: int
    ) -> _Opening:
        found: list[EventPayload | MirrorRefused | None] = [None] * len(envelopes)
        opening = cls(start, envelopes, found, [], [])
        if not store.parallel:
            return opening
        opening.documents = [_document(data) for data in envelopes]
        run = 0  # the first leaf of the run not yet sent
        for offset, document in enumerate(opening.documents):
            if not _may_be_keyring(document):
                continue
            opening.send(store, run, offset)
            run = offset + 1
            try:
                payload = _open_leaf(trust, start + offset, envelopes[offset])
            except MirrorRefused as error:
                found[offset] = error  # the leaves after it are not checked
                return opening
            found[offset] = payload
            store.learn([payload])
        opening.send(store, run, len(envelopes))
        return opening

    def send(self, store: MirrorStore, first: int, stop: int) -> None:
        if stop > first:
            ticket = store.check_later(self.start + first, self.envelopes[first:stop])
            self.tickets.append((first, ticket))

    def opened(self, store: MirrorStore) -> None:
        """The workers' answers, in place."""
        for first, ticket in self.tickets:
            for offset, problem in enumerate(store.checked(ticket), start=first):
                if problem is not None:
                    self.found[offset] = MirrorRefused(problem)
                else:  # a worker opened these very bytes strictly
                    self.found[offset] = _payload_of(self.documents[offset])
        self.tickets = []


def _verify(
    store: MirrorStore, follower: _Follower, opening: _Opening
) -> list[tuple[EventPayload, bytes]]:
    """Every check but the tree's root (which the storing transaction makes), or refuse.

    Each envelope is opened first, in leaf order (the keyring events it meets extend the
    trust for the leaves after them), with its own checks (`_open_leaf`), so that the chains'
    heads in the store are read in one query for the chunk; then each leaf's chain and order
    run in leaf order. The first problem by leaf is the one reported, as if each leaf were
    checked whole in turn, with or without workers."""
    trust = follower.trust
    start, envelopes = opening.start, opening.envelopes
    opening.opened(store)
    opened: list[EventPayload] = []
    refused: MirrorRefused | None = None
    for offset, data in enumerate(envelopes):
        found = opening.found[offset]
        if found is None:  # no workers: opened here, in leaf order
            try:
                found = _open_leaf(trust, start + offset, data)
            except MirrorRefused as error:
                found = error
        if isinstance(found, MirrorRefused):
            refused = found  # reported once the leaves before it are checked
            break
        opened.append(found)
    heads: dict[str, SignedEvent | ChainHead] = dict(
        _local_heads(store, {payload.agreement for payload in opened})
    )
    last = follower.last
    rows = []
    for offset, (payload, data) in enumerate(zip(opened, envelopes, strict=False)):
        label = _label(start + offset, payload)
        event: SignedEvent = (payload, data)
        previous = heads.get(payload.agreement)
        # opened: the payload was read out of these very bytes by open_envelope
        problems = next_problems(previous, event, opened=True)
        if problems:
            raise MirrorRefused(f"{label}: {'; '.join(problems)}")
        heads[payload.agreement] = event
        recorded = parse_instant(payload.recorded)
        if last is not None and recorded <= last:
            raise MirrorRefused(f"{label}: recorded {payload.recorded}, not after the leaf before")
        last = recorded
        rows.append((payload, data))
    if refused is not None:
        raise refused
    follower.last = last
    return rows


def _document(data: bytes) -> Any:
    """The payload of envelope bytes as JSON, unchecked (None: it is not)."""
    try:
        return json.loads(base64.b64decode(json.loads(data)["payload"]))
    except (ValueError, KeyError, TypeError):
        return None


def _may_be_keyring(document: Any) -> bool:
    """Whether a leaf may change the keyring (so this process opens it, in order)."""
    if not isinstance(document, dict):
        return False  # it does not open: a worker names why
    return document.get("agreement") == KEYRING_STREAM or document.get("type") in KEYRING_TYPES


def _label(index: int, payload: EventPayload) -> str:
    return f"leaf {index} ({payload.type}, {payload.agreement} v{payload.version})"


def _open_leaf(trust: Trust, index: int, data: bytes, *, learn: bool = True) -> EventPayload:
    """Leaf `index` opened with `trust` and its own checks: its signer's window, a keyring
    event learnt (`learn`; a worker is never sent one, see `_Opening`), its stream, its
    data's decoding; MirrorRefused names the first problem."""
    payload = _admit(trust, data, f"leaf {index}", learn=learn)
    label = _label(index, payload)
    if (payload.type in KEYRING_TYPES) != (payload.agreement == KEYRING_STREAM):
        raise MirrorRefused(f"{label}: keyring events, and only they, are in the keyring")
    try:
        event_from_payload(payload)
    except (KeyError, ValueError, TypeError) as error:
        raise MirrorRefused(f"{label}: signed data does not decode: {error}") from None
    return payload


def _check(trust: Trust, index: int, data: bytes) -> str | None:
    """A worker's check of leaf `index` (`_open_leaf`, learning nothing): None, or why it is
    refused."""
    try:
        _open_leaf(trust, index, data, learn=False)
    except MirrorRefused as error:
        return str(error)
    return None


def _admit(trust: Trust, data: bytes, label: str, *, learn: bool = True) -> EventPayload:
    """Open one envelope with `trust`, check its signer's window, and learn keyring events."""
    try:
        payload, _envelope, keyid = open_envelope(data, trust.public_key)
    except LedgerError as error:
        raise MirrorRefused(f"{label}: {error}") from None
    problem = trust.problem(payload, keyid)
    if problem is not None:
        raise MirrorRefused(f"{label}: {problem}")
    if learn and payload.type in KEYRING_TYPES:
        try:
            trust.apply(payload)
        except LedgerError as error:
            raise MirrorRefused(f"{label}: {error}") from None
    return payload


def _local_heads(store: MirrorStore, streams: set[str]) -> Iterator[tuple[str, ChainHead]]:
    """The chain head of each of `streams` that the local store holds, a query per thousand
    streams (not one per stream): the store's last event of each, stored by an earlier chunk
    or run and verified then."""
    for data in store.last_envelopes(streams):
        payload = _trusted_payload(data)
        yield payload.agreement, ChainHead.of((payload, data))


def _trusted_payload(data: bytes) -> EventPayload:
    """The payload of envelope bytes already opened strictly (by a worker, or before they were
    stored), read back without a second validation and canonical copy of its data."""
    return _payload_of(json.loads(base64.b64decode(json.loads(data)["payload"])))


def _payload_of(document: dict[str, Any]) -> EventPayload:
    payload = object.__new__(EventPayload)
    for name in PAYLOAD_FIELDS:
        object.__setattr__(payload, name, document[name])
    return payload
