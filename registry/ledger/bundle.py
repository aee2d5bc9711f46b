"""Offline proof bundles, the JSON-lines export, and verifying both with public keys alone.

A bundle carries, for each envelope, its exact bytes (as the JSON object they spell), its leaf
index and inclusion proof, and the signed checkpoint the proof is against, plus the keyring
stream that says which officer keys were valid when. With the registry's published anchors
(``keys/keyring.json`` and ``keys/log.vkey``) anyone can check that every event is in the
log, was signed by a key valid for its actor when it was recorded, and links to its
predecessor, without asking the registry anything.

Verification collects every problem, so an auditor sees the whole damage in one run; only a
document too malformed to read at all raises ``BundleError``.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from registry.ledger.canonical import canonical_json
from registry.ledger.chain import SignedEvent, first_problems, link_problems, verify_chain
from registry.ledger.checkpoint import Checkpoint, CheckpointError, open_checkpoint
from registry.ledger.dsse import Envelope
from registry.ledger.errors import (
    CanonicalJSONError,
    EnvelopeFormatError,
    KeyFormatError,
    LedgerError,
    PayloadError,
    SignatureError,
    UnknownKeyError,
)
from registry.ledger.keys import Keyring
from registry.ledger.merkle import (
    HASH_SIZE,
    MemoryNodeStore,
    ProofError,
    leaf_hash,
    root_at,
    verify_inclusion,
)
from registry.ledger.note import NoteError, NoteVerifier, verifier_key
from registry.ledger.payload import EventPayload, open_envelope, parse_instant
from registry.ledger.policy import Policy
from registry.ledger.tlog_proof import TlogProofError, format_proof, parse_proof
from registry.ledger.trust import KEYRING_TYPES, Trust, TrustError

__all__ = [
    "FORMAT",
    "BundleError",
    "BundleReport",
    "load_anchors",
    "make_bundle",
    "make_opened_record",
    "make_record",
    "verify_bundle",
    "verify_export_lines",
    "verify_record",
]

FORMAT = "agreement-registry-bundle/v1"
KEYRING_FILE = "keyring.json"
LOG_VKEY_FILE = "log.vkey"

_RECORD_FIELDS = ("envelope", "index", "inclusion", "checkpoint", "tlog_proof")
_BUNDLE_FIELDS = ("format", "origin", "checkpoint", "keyring", "events", "complete")
_ABSENT = object()


class BundleError(LedgerError, ValueError):
    """A bundle, export or keys directory too malformed to verify at all."""


@dataclass
class BundleReport:
    """What a verification found: ``problems`` is empty exactly when everything verified."""

    problems: list[str] = field(default_factory=list)
    checkpoint: Checkpoint | None = None
    agreements: dict[str, list[int]] = field(default_factory=dict)  # versions that verified
    events: int = 0  # agreement events that verified
    keyring: int = 0  # keyring events that verified

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Opened:
    payload: EventPayload
    envelope_bytes: bytes

    @property
    def signed_event(self) -> SignedEvent:
        return self.payload, self.envelope_bytes


# Making ---------------------------------------------------------------------------------------


def make_record(
    envelope_bytes: bytes, index: int, inclusion: Sequence[bytes], checkpoint_note: str
) -> dict[str, object]:
    """One envelope with its leaf index and inclusion proof against ``checkpoint_note``."""
    try:
        Envelope.from_bytes(envelope_bytes)
    except EnvelopeFormatError as error:
        raise BundleError(f"cannot make a record: {error}") from None
    return make_opened_record(envelope_bytes, index, inclusion, checkpoint_note)


def make_opened_record(
    envelope_bytes: bytes, index: int, inclusion: Sequence[bytes], checkpoint_note: str
) -> dict[str, object]:
    """``make_record`` of envelope bytes the caller has already opened (parsed strictly and
    verified, e.g. by the store's mapper), which are not parsed strictly again."""
    try:
        tlog_proof = format_proof(index, inclusion, checkpoint_note)
    except TlogProofError as error:
        raise BundleError(f"cannot make a record: {error}") from None
    return {
        "envelope": json.loads(envelope_bytes),
        "index": index,
        "inclusion": [base64.b64encode(element).decode("ascii") for element in inclusion],
        "checkpoint": checkpoint_note,
        "tlog_proof": tlog_proof,
    }


def make_bundle(
    origin: str,
    checkpoint_note: str,
    keyring_records: Sequence[dict[str, object]],
    event_records: Sequence[dict[str, object]],
    complete: bool,
) -> dict[str, object]:
    """A bundle document; every record must be proven against ``checkpoint_note``."""
    try:
        claimed = _unverified_checkpoint(checkpoint_note)
    except CheckpointError as error:
        raise BundleError(f"cannot make a bundle: {error}") from None
    if claimed.origin != origin:
        raise BundleError(f"checkpoint is for origin {claimed.origin!r}, not {origin!r}")
    for record in (*keyring_records, *event_records):
        if record.get("checkpoint") != checkpoint_note:
            raise BundleError("every record must be proven against the bundle's checkpoint")
    return {
        "format": FORMAT,
        "origin": origin,
        "checkpoint": checkpoint_note,
        "keyring": list(keyring_records),
        "events": list(event_records),
        "complete": bool(complete),
    }


# Verifying a bundle ---------------------------------------------------------------------------


def verify_bundle(
    document: object,
    anchors: Keyring,
    log_verifier: NoteVerifier,
    policy: Policy | None = None,
) -> BundleReport:
    """Verify a bundle against the registry's anchors and log key; report every problem.

    With a witness `policy` (C2SP tlog-policy), the checkpoint must also carry enough valid
    witness cosignatures; the problem names the witnesses missing and those whose
    cosignature is bad.
    """
    bundle = _bundle_members(document)
    report = BundleReport()
    problems = report.problems
    if bundle["origin"] != log_verifier.name:
        problems.append(
            f"bundle origin {bundle['origin']!r} is not this log's origin {log_verifier.name!r}"
        )
    note = bundle["checkpoint"]
    checkpoint = _open_checkpoint(note, log_verifier, problems)
    if policy is not None and isinstance(note, str):
        witnessed = policy.check(note)
        problems.extend(f"checkpoint: {problem}" for problem in witnessed.problems)
    report.checkpoint = checkpoint
    indexes: dict[int, str] = {}

    def check(record: object, trust: Trust, label: str) -> tuple[list[str], _Opened | None]:
        found: list[str] = []
        index = record.get("index") if isinstance(record, dict) else None
        if isinstance(index, int) and not isinstance(index, bool):
            if index in indexes:
                found.append(f"{label}: leaf index {index} is also given by {indexes[index]}")
            indexes.setdefault(index, label)
        more, opened = _check_record(record, trust, checkpoint, label, bundle_note=note)
        return found + more, opened

    # The keyring is checked against the anchors alone, then becomes the trust for events.
    anchors_only = Trust(anchors)
    trust = Trust(anchors)
    keyring_events: list[SignedEvent] = []
    for position, record in enumerate(bundle["keyring"]):
        label = f"keyring record {position}"
        found, opened = check(record, anchors_only, label)
        if opened is not None:
            if opened.payload.type not in KEYRING_TYPES:
                found.append(f"{label}: a {opened.payload.type} event is not a keyring event")
            keyring_events.append(opened.signed_event)
            if not found:
                try:
                    trust.apply(opened.payload)
                except TrustError as error:
                    found.append(f"{label}: {error}")
        problems.extend(found)
        if opened is not None and not found:
            report.keyring += 1
    problems.extend(f"keyring stream: {problem}" for problem in verify_chain(keyring_events))

    streams: dict[str, list[SignedEvent]] = {}
    for position, record in enumerate(bundle["events"]):
        label = f"event record {position}"
        found, opened = check(record, trust, label)
        if opened is None:
            problems.extend(found)
            continue
        payload = opened.payload
        if payload.type in KEYRING_TYPES:
            found.append(f"{label}: keyring events belong in the bundle's keyring, not its events")
        streams.setdefault(payload.agreement, []).append(opened.signed_event)
        problems.extend(found)
        if not found:
            report.agreements.setdefault(payload.agreement, []).append(payload.version)
            report.events += 1
    for events in streams.values():
        problems.extend(verify_chain(events) if bundle["complete"] else _partial_chain(events))
    return report


def verify_record(record: object, trust: Trust, checkpoint: Checkpoint) -> list[str]:
    """Every problem of one record: its envelope, proof, signature and key window."""
    return _check_record(record, trust, checkpoint, "record")[0]


def _check_record(
    record: object,
    trust: Trust,
    checkpoint: Checkpoint | None,
    label: str,
    bundle_note: str | None = None,
) -> tuple[list[str], _Opened | None]:
    """Problems of one record, and its payload when its signature verified.

    ``checkpoint`` is None when the caller could not open the checkpoint and has said so;
    the inclusion proof then cannot be checked. In a bundle, ``bundle_note`` is the bundle's
    checkpoint note, which each record must repeat exactly.
    """
    if not isinstance(record, dict):
        return [f"{label}: a record is a JSON object, not {_json_type(record)}"], None
    problems: list[str] = []
    missing = [name for name in _RECORD_FIELDS if name not in record]
    unexpected = sorted(set(record) - set(_RECORD_FIELDS))
    if missing:
        problems.append(f"{label}: missing {', '.join(missing)}")
    if unexpected:
        problems.append(f"{label}: unexpected members {', '.join(unexpected)}")

    envelope_bytes = _envelope_bytes(record.get("envelope", _ABSENT), label, problems)
    opened = None
    if envelope_bytes is not None:
        opened = _open(envelope_bytes, trust, label, problems)
        if opened is not None:
            payload = opened.payload
            label = f"{label} ({payload.type}, agreement {payload.agreement} v{payload.version})"
    index = _index(record.get("index", _ABSENT), label, problems)
    inclusion = _hashes(record.get("inclusion", _ABSENT), label, problems)
    note = _text(record.get("checkpoint", _ABSENT), "checkpoint", label, problems)
    tlog_proof = _text(record.get("tlog_proof", _ABSENT), "tlog_proof", label, problems)

    if tlog_proof is not None:
        problems.extend(_tlog_proof_problems(tlog_proof, index, inclusion, note, label))
    if note is not None and bundle_note is not None and note != bundle_note:
        problems.append(f"{label}: its checkpoint is not the bundle's checkpoint")
    if checkpoint is None:
        return problems, opened
    if note is not None and bundle_note is None:
        try:
            claimed = _unverified_checkpoint(note)
        except CheckpointError as error:
            problems.append(f"{label}: its checkpoint is malformed: {error}")
        else:
            if claimed != checkpoint:
                problems.append(
                    f"{label}: its checkpoint (size {claimed.size}) is not the checkpoint "
                    f"verified (size {checkpoint.size})"
                )
    if envelope_bytes is not None and index is not None and inclusion is not None:
        try:
            verify_inclusion(
                leaf_hash(envelope_bytes),
                index,
                checkpoint.size,
                inclusion,
                checkpoint.root_hash,
            )
        except ProofError as error:
            problems.append(
                f"{label}: inclusion proof for leaf index {index} does not lead to the "
                f"checkpoint's root (tree size {checkpoint.size}): {error}"
            )
    return problems, opened


def _open(envelope_bytes: bytes, trust: Trust, label: str, problems: list[str]) -> _Opened | None:
    """Verify the signature and the signer's right to sign; the payload if the signature holds."""
    try:
        payload, _, keyid = open_envelope(envelope_bytes, trust.public_key)
    except UnknownKeyError:
        keyid = Envelope.from_bytes(envelope_bytes).signature.keyid
        problems.append(f"{label}: signed by key {keyid}, which is not in the keyring")
        return None
    except SignatureError as error:
        problems.append(f"{label}: signature does not verify: {error}")
        return None
    except (PayloadError, EnvelopeFormatError) as error:
        problems.append(f"{label}: payload is malformed: {error}")
        return None
    problem = trust.problem(payload, keyid)
    if problem is not None:
        where = f"{label} ({payload.type}, agreement {payload.agreement} v{payload.version})"
        problems.append(f"{where}: {problem}")
    return _Opened(payload, envelope_bytes)


def _tlog_proof_problems(
    text: str, index: int | None, inclusion: list[bytes] | None, note: str | None, label: str
) -> list[str]:
    try:
        proof = parse_proof(text)
    except TlogProofError as error:
        return [f"{label}: tlog_proof is malformed: {error}"]
    problems = []
    if index is not None and proof.index != index:
        problems.append(f"{label}: tlog_proof gives index {proof.index}, the record {index}")
    if inclusion is not None and list(proof.proof_hashes) != inclusion:
        problems.append(f"{label}: tlog_proof's hashes differ from the record's inclusion proof")
    if note is not None and proof.checkpoint_note != note:
        problems.append(f"{label}: tlog_proof's checkpoint differs from the record's checkpoint")
    return problems


def _partial_chain(events: Sequence[SignedEvent]) -> list[str]:
    """Links between consecutive versions present; gaps are allowed in a partial bundle."""
    problems = first_problems(events[0]) if events[0][0].version == 1 else []
    for before, after in itertools.pairwise(events):
        if after[0].version > before[0].version + 1:
            continue  # a gap: what lies between is simply not in this bundle
        problems.extend(link_problems(before, after))
    return problems


# Verifying an export --------------------------------------------------------------------------


def verify_export_lines(
    lines: Sequence[bytes],
    anchors: Keyring,
    checkpoint_note: str | None = None,
    log_verifier: NoteVerifier | None = None,
) -> BundleReport:
    """Verify the registry's JSON-lines export: each line one envelope's bytes, in log order.

    Checks every signature and key window (trust from the file's own keyring lines, rooted in
    ``anchors``), every chain from version 1, recorded instants strictly increasing line by
    line, and, given a checkpoint, that the first ``size`` lines are the tree it signs.
    """
    if checkpoint_note is not None and log_verifier is None:
        raise BundleError("checking a checkpoint needs the log's verifier key")
    entries = [_line_bytes(line, number) for number, line in enumerate(lines, start=1)]
    report = BundleReport()
    by_line: dict[int, list[str]] = {}
    opened: dict[int, _Opened] = {}

    # Keyring lines first (signed by an authority anchor), so that trust is complete before
    # any officer's line is judged; key windows depend on recorded instants, not line order.
    anchors_only = Trust(anchors)
    trust = Trust(anchors)
    deferred = []
    for number, data in enumerate(entries, start=1):
        found = by_line.setdefault(number, [])
        try:
            envelope = Envelope.from_bytes(data)
        except EnvelopeFormatError as error:
            found.append(f"line {number}: not a stored envelope: {error}")
            continue
        if not anchors_only.is_authority(envelope.signature.keyid):
            deferred.append(number)
            continue
        result = _open(data, anchors_only, f"line {number}", found)
        if result is None:
            continue
        opened[number] = result
        if not found and result.payload.type in KEYRING_TYPES:
            try:
                trust.apply(result.payload)
            except TrustError as error:
                found.append(f"line {number}: {error}")
    for number in deferred:
        result = _open(entries[number - 1], trust, f"line {number}", by_line[number])
        if result is not None:
            opened[number] = result

    streams: dict[str, list[SignedEvent]] = {}
    previous: tuple[int, EventPayload] | None = None
    for number in sorted(opened):
        payload = opened[number].payload
        if previous is not None and parse_instant(payload.recorded) <= parse_instant(
            previous[1].recorded
        ):
            by_line[number].append(
                f"line {number}: recorded {payload.recorded}, not after line {previous[0]} "
                f"(recorded {previous[1].recorded})"
            )
        previous = (number, payload)
        streams.setdefault(payload.agreement, []).append(opened[number].signed_event)
        if by_line[number]:
            continue
        if payload.type in KEYRING_TYPES:
            report.keyring += 1
        else:
            report.agreements.setdefault(payload.agreement, []).append(payload.version)
            report.events += 1
    for number in sorted(by_line):
        report.problems.extend(by_line[number])
    for events in streams.values():
        report.problems.extend(verify_chain(events))

    if checkpoint_note is not None and log_verifier is not None:
        report.checkpoint = _open_checkpoint(checkpoint_note, log_verifier, report.problems)
        if report.checkpoint is not None:
            report.problems.extend(_root_problems(entries, report.checkpoint))
    return report


def _root_problems(entries: Sequence[bytes], checkpoint: Checkpoint) -> list[str]:
    size = checkpoint.size
    if size > len(entries):
        return [f"the checkpoint covers {size} entries but the export has only {len(entries)}"]
    store = MemoryNodeStore.from_leaf_hashes(leaf_hash(entry) for entry in entries[:size])
    root = root_at(store, size)
    if root != checkpoint.root_hash:
        return [
            f"the first {size} lines hash to root {_b64(root)}, "
            f"not the checkpoint's root {_b64(checkpoint.root_hash)}"
        ]
    return []


def _line_bytes(line: object, number: int) -> bytes:
    if not isinstance(line, bytes | bytearray | memoryview):
        raise BundleError(f"line {number} is {type(line).__name__}, not bytes")
    data = bytes(line)
    # JCS escapes every newline inside strings, so a raw one can only be the line's end.
    return data.removesuffix(b"\n")


# Anchors --------------------------------------------------------------------------------------


def load_anchors(directory: Path) -> tuple[Keyring, NoteVerifier]:
    """The registry's published keys: ``keyring.json`` and ``log.vkey`` from ``directory``."""
    directory = Path(directory)
    keyring_path, vkey_path = directory / KEYRING_FILE, directory / LOG_VKEY_FILE
    for path in (keyring_path, vkey_path):
        if not path.is_file():
            raise BundleError(
                f"{path}: no such file; a keys directory holds {KEYRING_FILE} and {LOG_VKEY_FILE}"
            )
    try:
        keyring = Keyring.load(keyring_path)
        text = vkey_path.read_text(encoding="utf-8")
    except (KeyFormatError, OSError, UnicodeDecodeError) as error:
        raise BundleError(f"cannot read the anchors in {directory}: {error}") from None
    vkey = text.removesuffix("\n")
    if not vkey or "\n" in vkey:
        raise BundleError(f"{vkey_path}: must hold exactly one line, the log's verifier key")
    try:
        verifier = NoteVerifier.from_vkey(vkey)
    except NoteError as error:
        raise BundleError(f"{vkey_path}: not a note verifier key: {error}") from None
    roles = {entry.role for entry in keyring.values()}
    if "authority" not in roles:
        raise BundleError(f"{keyring_path}: holds no key of role 'authority'")
    logs = [entry for entry in keyring.values() if entry.role == "log"]
    if len(logs) != 1:
        raise BundleError(f"{keyring_path}: holds {len(logs)} keys of role 'log', not one")
    if verifier_key(verifier.name, logs[0].public_key.raw) != vkey:
        raise BundleError(f"{vkey_path}: its key is not the log key of {keyring_path}")
    return keyring, verifier


# Reading members ------------------------------------------------------------------------------


def _bundle_members(document: object) -> dict[str, object]:
    if not isinstance(document, dict):
        raise BundleError(f"a bundle is a JSON object, not {_json_type(document)}")
    missing = [name for name in _BUNDLE_FIELDS if name not in document]
    unexpected = sorted(set(document) - set(_BUNDLE_FIELDS))
    if missing or unexpected:
        raise BundleError(f"bundle members are wrong: missing {missing}, unexpected {unexpected}")
    if document["format"] != FORMAT:
        raise BundleError(f"bundle format {document['format']!r} is not {FORMAT!r}")
    expected = {"origin": str, "checkpoint": str, "keyring": list, "events": list}
    for name, kind in expected.items():
        if not isinstance(document[name], kind):
            raise BundleError(f"bundle {name} must be a {kind.__name__}")
    if not isinstance(document["complete"], bool):
        raise BundleError("bundle complete must be true or false")
    return document


def _envelope_bytes(value: object, label: str, problems: list[str]) -> bytes | None:
    if value is _ABSENT:
        return None
    if not isinstance(value, dict):
        problems.append(f"{label}: envelope is not a JSON object")
        return None
    try:
        data = canonical_json(value)
        Envelope.from_bytes(data)
    except (CanonicalJSONError, EnvelopeFormatError) as error:
        problems.append(f"{label}: not a stored envelope: {error}")
        return None
    return data


def _index(value: object, label: str, problems: list[str]) -> int | None:
    if value is _ABSENT:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(f"{label}: index {value!r} is not a non-negative integer")
        return None
    return value


def _hashes(value: object, label: str, problems: list[str]) -> list[bytes] | None:
    if value is _ABSENT:
        return None
    if not isinstance(value, list):
        problems.append(f"{label}: inclusion is not a list of base64 hashes")
        return None
    hashes = []
    for position, text in enumerate(value):
        element = _decode_hash(text)
        if element is None:
            problems.append(f"{label}: inclusion hash {position} is not base64 of 32 bytes")
            return None
        hashes.append(element)
    return hashes


def _decode_hash(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        element = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(element) != HASH_SIZE or _b64(element) != text:
        return None
    return element


def _text(value: object, name: str, label: str, problems: list[str]) -> str | None:
    if value is _ABSENT:
        return None
    if not isinstance(value, str):
        problems.append(f"{label}: {name} is not a string")
        return None
    return value


def _open_checkpoint(note: str, verifier: NoteVerifier, problems: list[str]) -> Checkpoint | None:
    """The verified checkpoint, or None with the reason added to ``problems``."""
    try:
        claimed = _unverified_checkpoint(note)
    except CheckpointError as error:
        problems.append(f"checkpoint is malformed: {error}")
        return None
    if claimed.origin != verifier.name:
        problems.append(
            f"checkpoint is for origin {claimed.origin!r}, not this log's origin "
            f"{verifier.name!r}; nothing can be proven included"
        )
        return None
    try:
        return open_checkpoint(note, verifier)
    except CheckpointError as error:
        problems.append(
            f"checkpoint is not signed by this log's key {verifier.name}+"
            f"{verifier.key_hash.hex()}: {error}; nothing can be proven included"
        )
        return None


def _unverified_checkpoint(note: str) -> Checkpoint:
    """What a checkpoint note claims, before (or without) checking its signature."""
    split = note.rfind("\n\n")
    if split < 0:
        raise CheckpointError("note has no blank line before its signatures")
    return Checkpoint.parse(note[: split + 1])


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "unknown")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
