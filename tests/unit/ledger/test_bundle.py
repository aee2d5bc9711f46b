"""Offline bundles and the JSON-lines export: an intact log verifies; every corruption is named."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from registry.ledger.bundle import (
    FORMAT,
    BundleError,
    load_anchors,
    make_bundle,
    make_record,
    verify_bundle,
    verify_export_lines,
    verify_record,
)
from registry.ledger.canonical import sha256_hex
from registry.ledger.checkpoint import Checkpoint, sign_checkpoint
from registry.ledger.keys import KeyEntry, Keyring, SigningKey
from registry.ledger.merkle import MemoryNodeStore, inclusion_proof, leaf_hash, root_at
from registry.ledger.note import NoteSigner, verifier_key
from registry.ledger.payload import GENESIS_PREV, EventPayload, format_instant, seal
from registry.ledger.tlog_proof import format_proof
from registry.ledger.trust import AUTHORITY, Trust

from .builders import AGREEMENT, OTHER_AGREEMENT

ORIGIN = "registry.example/log"
KEYRING_STREAM = "3c1d5e7f-0a2b-4c4d-8e6f-1a2b3c4d5e6f"
THIRD_AGREEMENT = "0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"
ASTANA = "officer.astana"
ISLAMABAD = "officer.islamabad"
T0 = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


class Log:
    """An in-memory registry log: sealed envelopes, the leaves of a stored Merkle tree."""

    def __init__(self) -> None:
        self.authority = SigningKey.generate()
        self.log_key = SigningKey.generate()
        self.astana = SigningKey.generate()
        self.islamabad = SigningKey.generate()
        self.anchors = Keyring(
            [
                KeyEntry(self.authority.keyid, AUTHORITY, "authority", self.authority.public_key),
                KeyEntry(self.log_key.keyid, AUTHORITY, "log", self.log_key.public_key),
            ]
        )
        self.signer = NoteSigner.from_signing_key(ORIGIN, self.log_key)
        self.verifier = self.signer.verifier()
        self.entries: list[bytes] = []
        self.payloads: list[EventPayload] = []
        self.store = MemoryNodeStore()
        self.heads: dict[str, tuple[int, str]] = {}
        self.clock = T0

    def append(
        self, agreement: str, type: str, actor: str, key: SigningKey, data: dict[str, Any]
    ) -> int:
        version, prev = self.heads.get(agreement, (0, GENESIS_PREV))
        self.clock += timedelta(minutes=1)
        payload = EventPayload(
            agreement=agreement,
            version=version + 1,
            type=type,
            effective="2026-03-01",
            precision="day",
            recorded=format_instant(self.clock),
            actor=actor,
            prev=prev,
            data=data,
        )
        envelope = seal(payload, key)
        self.store.extend(len(self.entries), [leaf_hash(envelope)])
        self.entries.append(envelope)
        self.payloads.append(payload)
        self.heads[agreement] = (version + 1, sha256_hex(envelope))
        return len(self.entries) - 1

    def keyring(self, type: str, **data: Any) -> int:
        return self.append(
            KEYRING_STREAM,
            type,
            AUTHORITY,
            self.authority,
            {"source": None, "reason": None, **data},
        )

    def register(self, officer: str, key: SigningKey) -> int:
        return self.keyring(
            "KeyRegistered",
            officer=officer,
            keyid=key.keyid,
            public_key=key.public_key.to_base64(),
            role="officer",
        )

    def event(self, agreement: str, type: str, actor: str, key: SigningKey) -> int:
        return self.append(agreement, type, actor, key, {"source": "note verbale", "reason": None})

    def checkpoint(
        self, size: int | None = None, signer: NoteSigner | None = None, root: bytes | None = None
    ) -> str:
        size = len(self.entries) if size is None else size
        signer = signer or self.signer
        root = root_at(self.store, size) if root is None else root
        return sign_checkpoint(Checkpoint(signer.name, size, root), signer)

    def record(self, index: int, size: int | None = None, **checkpoint: Any) -> dict[str, Any]:
        size = len(self.entries) if size is None else size
        note = self.checkpoint(size, **checkpoint)
        proof = inclusion_proof(self.store, index, size)
        return make_record(self.entries[index], index, proof, note)

    def bundle(self, complete: bool = True, signer: NoteSigner | None = None) -> dict[str, Any]:
        signer = signer or self.signer
        note = self.checkpoint(signer=signer)
        size = len(self.entries)
        records: dict[str, list[dict[str, object]]] = {"keyring": [], "events": []}
        for index, payload in enumerate(self.payloads):
            part = "keyring" if payload.agreement == KEYRING_STREAM else "events"
            proof = inclusion_proof(self.store, index, size)
            records[part].append(make_record(self.entries[index], index, proof, note))
        return make_bundle(signer.name, note, records["keyring"], records["events"], complete)

    def verify(self, document: dict[str, Any]) -> list[str]:
        report = verify_bundle(json.loads(json.dumps(document)), self.anchors, self.verifier)
        return report.problems

    def export(self) -> list[bytes]:
        return [entry + b"\n" for entry in self.entries]


def standard_log() -> Log:
    """Two officers' keys, then two agreements whose events interleave in the log."""
    log = Log()
    log.keyring("KeyringOpened")  # 0
    log.register(ASTANA, log.astana)  # 1
    log.register(ISLAMABAD, log.islamabad)  # 2
    log.event(AGREEMENT, "Drafted", ASTANA, log.astana)  # 3: A v1
    log.event(AGREEMENT, "Signed", ISLAMABAD, log.islamabad)  # 4: A v2
    log.event(OTHER_AGREEMENT, "Drafted", ISLAMABAD, log.islamabad)  # 5: B v1
    log.event(AGREEMENT, "ConsentExpressed", ASTANA, log.astana)  # 6: A v3
    log.event(OTHER_AGREEMENT, "Signed", ASTANA, log.astana)  # 7: B v2
    return log


@pytest.fixture
def log() -> Log:
    return standard_log()


def with_revoked_islamabad_event(log: Log) -> int:
    """An Islamabad event, then a revocation of Islamabad's key from before it was recorded."""
    index = log.event(THIRD_AGREEMENT, "Drafted", ISLAMABAD, log.islamabad)
    invalid_from = log.clock - timedelta(seconds=30)
    log.keyring(
        "KeyRevoked",
        officer=ISLAMABAD,
        keyid=log.islamabad.keyid,
        invalid_from=format_instant(invalid_from),
    )
    return index


def matching(problems: list[str], *fragments: str) -> list[str]:
    return [problem for problem in problems if all(part in problem for part in fragments)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# An intact bundle -----------------------------------------------------------------------------


def test_an_intact_bundle_verifies(log: Log) -> None:
    document = json.loads(json.dumps(log.bundle()))
    report = verify_bundle(document, log.anchors, log.verifier)
    assert report.problems == []
    assert report.ok
    assert report.agreements == {AGREEMENT: [1, 2, 3], OTHER_AGREEMENT: [1, 2]}
    assert (report.events, report.keyring) == (5, 3)
    assert report.checkpoint == Checkpoint(ORIGIN, 8, root_at(log.store, 8))


def test_a_bundle_has_the_documented_shape(log: Log) -> None:
    document = log.bundle()
    assert document["format"] == FORMAT == "agreement-registry-bundle/v1"
    assert set(document) == {"format", "origin", "checkpoint", "keyring", "events", "complete"}
    record = document["events"][0]
    assert set(record) == {"envelope", "index", "inclusion", "checkpoint", "tlog_proof"}
    assert (
        json.dumps(record["envelope"], separators=(",", ":"), sort_keys=True).encode()
        == (log.entries[3])
    )
    assert record["tlog_proof"] == format_proof(
        3, inclusion_proof(log.store, 3, 8), document["checkpoint"]
    )


def test_a_partial_bundle_need_not_start_at_version_one(log: Log) -> None:
    document = log.bundle(complete=False)
    del document["events"][0]  # A v1
    report = verify_bundle(document, log.anchors, log.verifier)
    assert report.problems == []
    assert report.agreements == {AGREEMENT: [2, 3], OTHER_AGREEMENT: [1, 2]}


# Each corruption is named ---------------------------------------------------------------------


def test_a_flipped_byte_in_an_envelope_payload_is_reported(log: Log) -> None:
    document = log.bundle()
    envelope = document["events"][1]["envelope"]
    payload = bytearray(base64.b64decode(envelope["payload"]))
    payload[40] ^= 0x01
    envelope["payload"] = b64(bytes(payload))
    problems = log.verify(document)
    assert matching(problems, "event record 1: signature does not verify")
    assert matching(problems, "event record 1", "inclusion proof for leaf index 4")


def test_a_wrong_index_is_reported(log: Log) -> None:
    document = log.bundle()
    record = document["events"][2]
    record["index"] = 6
    record["tlog_proof"] = format_proof(
        6, [base64.b64decode(h) for h in record["inclusion"]], record["checkpoint"]
    )
    problems = log.verify(document)
    assert len(problems) == 2
    assert problems[1] == "event record 3: leaf index 6 is also given by event record 2"
    assert problems[0].startswith(
        f"event record 2 (Drafted, agreement {OTHER_AGREEMENT} v1): inclusion proof for leaf "
        "index 6 does not lead to the checkpoint's root (tree size 8): calculated root "
    )


def test_an_altered_proof_element_is_reported(log: Log) -> None:
    document = log.bundle()
    record = document["events"][0]
    hashes = [base64.b64decode(h) for h in record["inclusion"]]
    hashes[1] = hashlib.sha256(b"not a node").digest()
    record["inclusion"] = [b64(h) for h in hashes]
    record["tlog_proof"] = format_proof(3, hashes, record["checkpoint"])
    problems = log.verify(document)
    assert len(problems) == 1
    assert problems[0].startswith(
        f"event record 0 (Drafted, agreement {AGREEMENT} v1): inclusion proof for leaf index 3 "
        f"does not lead to the checkpoint's root (tree size 8): calculated root "
    )


def test_a_checkpoint_signed_by_another_key_is_reported(log: Log) -> None:
    impostor = NoteSigner.from_signing_key(ORIGIN, SigningKey.generate())
    problems = log.verify(log.bundle(signer=impostor))
    assert problems == [
        f"checkpoint is not signed by this log's key {ORIGIN}+{log.verifier.key_hash.hex()}: "
        "checkpoint note does not verify: note has no verifiable signatures; "
        "nothing can be proven included"
    ]


def test_a_checkpoint_of_another_origin_is_reported(log: Log) -> None:
    other_log = NoteSigner.from_signing_key("other.example/log", log.log_key)
    problems = log.verify(log.bundle(signer=other_log))
    assert problems == [
        f"bundle origin 'other.example/log' is not this log's origin {ORIGIN!r}",
        f"checkpoint is for origin 'other.example/log', not this log's origin {ORIGIN!r}; "
        "nothing can be proven included",
    ]


def test_an_event_signed_by_a_key_revoked_from_before_it_is_reported(log: Log) -> None:
    index = with_revoked_islamabad_event(log)
    recorded = log.payloads[index].recorded
    problems = log.verify(log.bundle())
    assert problems == [
        f"event record 5 (Drafted, agreement {THIRD_AGREEMENT} v1): key {log.islamabad.keyid} "
        f"of {ISLAMABAD} was revoked at {log.payloads[index + 1].recorded}, invalid from "
        f"{format_instant(log.clock - timedelta(minutes=1, seconds=30))}; "
        f"this event was recorded at {recorded}"
    ]


def test_an_event_by_a_key_not_in_the_keyring_is_reported(log: Log) -> None:
    stranger = SigningKey.generate()
    log.event(AGREEMENT, "Signed", ASTANA, stranger)
    problems = log.verify(log.bundle())
    assert problems == [
        f"event record 5: signed by key {stranger.keyid}, which is not in the keyring"
    ]


def test_a_removed_middle_event_in_a_complete_bundle_is_reported(log: Log) -> None:
    document = log.bundle()
    del document["events"][1]  # A v2
    problems = log.verify(document)
    assert matching(
        problems, f"agreement {AGREEMENT}: version 2 is missing between version 1 and version 3"
    )


def test_a_removed_keyring_record_is_reported(log: Log) -> None:
    document = log.bundle()
    del document["keyring"][1]  # Astana's registration
    problems = log.verify(document)
    assert matching(
        problems,
        f"keyring stream: agreement {KEYRING_STREAM}: version 2 is missing "
        "between version 1 and version 3",
    )
    assert matching(problems, f"signed by key {log.astana.keyid}, which is not in the keyring")


def test_a_tlog_proof_that_disagrees_with_the_inclusion_field_is_reported(log: Log) -> None:
    document = log.bundle()
    record = document["events"][0]
    record["tlog_proof"] = format_proof(4, inclusion_proof(log.store, 4, 8), record["checkpoint"])
    problems = log.verify(document)
    assert problems == [
        f"event record 0 (Drafted, agreement {AGREEMENT} v1): tlog_proof gives index 4, "
        "the record 3",
        f"event record 0 (Drafted, agreement {AGREEMENT} v1): tlog_proof's hashes differ from "
        "the record's inclusion proof",
    ]


def test_a_record_against_another_checkpoint_is_reported(log: Log) -> None:
    document = log.bundle()
    document["events"][0] = log.record(3, size=7)
    problems = log.verify(document)
    assert matching(
        problems,
        f"event record 0 (Drafted, agreement {AGREEMENT} v1): its checkpoint is not the "
        "bundle's checkpoint",
    )
    assert matching(problems, "event record 0", "inclusion proof for leaf index 3")


def test_a_keyring_event_among_the_events_is_reported(log: Log) -> None:
    document = log.bundle()
    document["events"].append(document["keyring"][2])
    problems = log.verify(document)
    assert matching(problems, "event record 5", "keyring events belong in the bundle's keyring")


def test_every_problem_is_collected_not_just_the_first(log: Log) -> None:
    document = log.bundle()
    document["events"][0]["index"] = 0
    del document["events"][3]  # A v3
    document["keyring"][2]["inclusion"] = ["not base64!"]
    problems = log.verify(document)
    assert matching(problems, "event record 0", "tlog_proof gives index 3, the record 0")
    assert matching(problems, "keyring record 2", "inclusion hash 0 is not base64 of 32 bytes")
    assert len(problems) >= 3


# Malformed documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "a bundle is a JSON object, not an array"),
        ({"format": FORMAT}, "bundle members are wrong: missing ['origin'"),
        (
            {
                "format": "agreement-registry-bundle/v2",
                "origin": ORIGIN,
                "checkpoint": "",
                "keyring": [],
                "events": [],
                "complete": True,
            },
            "bundle format 'agreement-registry-bundle/v2' is not",
        ),
        (
            {
                "format": FORMAT,
                "origin": ORIGIN,
                "checkpoint": "",
                "keyring": {},
                "events": [],
                "complete": True,
            },
            "bundle keyring must be a list",
        ),
        (
            {
                "format": FORMAT,
                "origin": ORIGIN,
                "checkpoint": "",
                "keyring": [],
                "events": [],
                "complete": "yes",
            },
            "bundle complete must be true or false",
        ),
    ],
)
def test_an_unreadable_bundle_raises_a_bundle_error(log: Log, document: Any, message: str) -> None:
    with pytest.raises(BundleError) as raised:
        verify_bundle(document, log.anchors, log.verifier)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda record: "a string", "event record 0: a record is a JSON object, not a string"),
        (lambda record: record.pop("index") and record, "event record 0: missing index"),
        (lambda record: {**record, "extra": 1}, "unexpected members extra"),
        (lambda record: {**record, "envelope": "x"}, "envelope is not a JSON object"),
        (lambda record: {**record, "envelope": {"payload": 1.5}}, "not a stored envelope"),
        (lambda record: {**record, "envelope": {"payload": "x"}}, "not a stored envelope"),
        (lambda record: {**record, "index": -1}, "index -1 is not a non-negative integer"),
        (lambda record: {**record, "index": True}, "index True is not a non-negative integer"),
        (lambda record: {**record, "inclusion": "AAAA"}, "inclusion is not a list"),
        (lambda record: {**record, "inclusion": ["AAAA"]}, "inclusion hash 0 is not base64"),
        (lambda record: {**record, "inclusion": [7]}, "inclusion hash 0 is not base64"),
        (lambda record: {**record, "checkpoint": None}, "checkpoint is not a string"),
        (lambda record: {**record, "tlog_proof": "nonsense"}, "tlog_proof is malformed"),
    ],
)
def test_a_malformed_record_is_a_problem_not_a_traceback(
    log: Log, corrupt: Any, message: str
) -> None:
    document = log.bundle(complete=False)
    document["events"][0] = corrupt(document["events"][0])
    report = verify_bundle(document, log.anchors, log.verifier)
    assert matching(report.problems, message), report.problems


def test_a_malformed_checkpoint_is_a_problem(log: Log) -> None:
    document = log.bundle()
    document["checkpoint"] = "no signature block\n"
    problems = log.verify(document)
    assert problems[0] == "checkpoint is malformed: note has no blank line before its signatures"


# Single records, making -----------------------------------------------------------------------


def test_verify_record_checks_one_record(log: Log) -> None:
    trust = Trust(log.anchors, log.payloads[:3])
    checkpoint = Checkpoint(ORIGIN, 8, root_at(log.store, 8))
    assert verify_record(log.record(4), trust, checkpoint) == []
    assert verify_record(log.record(4), Trust(log.anchors), checkpoint) == [
        f"record: signed by key {log.islamabad.keyid}, which is not in the keyring"
    ]
    older = verify_record(log.record(4, size=6), trust, checkpoint)
    assert matching(older, "its checkpoint (size 6) is not the checkpoint verified (size 8)")


def test_make_record_refuses_bytes_that_are_not_a_stored_envelope(log: Log) -> None:
    with pytest.raises(BundleError, match="cannot make a record"):
        make_record(log.entries[0] + b" ", 0, [], log.checkpoint())


def test_make_bundle_refuses_a_record_against_another_checkpoint(log: Log) -> None:
    with pytest.raises(BundleError, match="proven against the bundle's checkpoint"):
        make_bundle(ORIGIN, log.checkpoint(), [], [log.record(3, size=7)], True)
    with pytest.raises(BundleError, match="is for origin"):
        make_bundle("other.example/log", log.checkpoint(), [], [], True)


# Anchors --------------------------------------------------------------------------------------


def write_anchors(directory: Path, log: Log, vkey: str | None = None) -> Path:
    log.anchors.save(directory / "keyring.json")
    vkey = vkey if vkey is not None else verifier_key(ORIGIN, log.log_key.public_key.raw)
    (directory / "log.vkey").write_text(vkey + "\n")
    return directory


def test_load_anchors_reads_the_keyring_and_the_log_verifier_key(log: Log, tmp_path: Path) -> None:
    anchors, verifier = load_anchors(write_anchors(tmp_path, log))
    assert dict(anchors) == dict(log.anchors)
    assert (verifier.name, verifier.vkey) == (ORIGIN, log.verifier.vkey)
    assert verify_bundle(log.bundle(), anchors, verifier).ok


def test_load_anchors_names_a_missing_file(log: Log, tmp_path: Path) -> None:
    write_anchors(tmp_path, log)
    (tmp_path / "log.vkey").unlink()
    with pytest.raises(BundleError, match=r"log\.vkey: no such file"):
        load_anchors(tmp_path)


def test_load_anchors_refuses_a_vkey_that_is_not_the_keyrings_log_key(
    log: Log, tmp_path: Path
) -> None:
    other = verifier_key(ORIGIN, SigningKey.generate().public_key.raw)
    with pytest.raises(BundleError, match="its key is not the log key of"):
        load_anchors(write_anchors(tmp_path, log, vkey=other))


@pytest.mark.parametrize("vkey", ["not a key", "a\nb"])
def test_load_anchors_refuses_a_malformed_vkey(log: Log, tmp_path: Path, vkey: str) -> None:
    with pytest.raises(BundleError, match=r"log\.vkey"):
        load_anchors(write_anchors(tmp_path, log, vkey=vkey))


def test_load_anchors_refuses_a_malformed_keyring(log: Log, tmp_path: Path) -> None:
    write_anchors(tmp_path, log)
    (tmp_path / "keyring.json").write_text('{"keys": 3}')
    with pytest.raises(BundleError, match="keyring"):
        load_anchors(tmp_path)


# The JSON-lines export ------------------------------------------------------------------------


def test_an_intact_export_verifies_against_its_checkpoint(log: Log) -> None:
    report = verify_export_lines(log.export(), log.anchors, log.checkpoint(), log.verifier)
    assert report.problems == []
    assert report.agreements == {AGREEMENT: [1, 2, 3], OTHER_AGREEMENT: [1, 2]}
    assert (report.events, report.keyring) == (5, 3)
    assert report.checkpoint is not None and report.checkpoint.size == 8


def test_an_export_longer_than_its_checkpoint_verifies_the_prefix(log: Log) -> None:
    note = log.checkpoint(size=6)
    assert verify_export_lines(log.export(), log.anchors, note, log.verifier).ok
    assert verify_export_lines(log.export(), log.anchors).ok


def test_a_dropped_line_is_reported(log: Log) -> None:
    lines = log.export()
    del lines[4]  # A v2
    report = verify_export_lines(lines, log.anchors, log.checkpoint(), log.verifier)
    assert matching(
        report.problems,
        f"agreement {AGREEMENT}: version 2 is missing between version 1 and version 3",
    )
    assert matching(report.problems, "the checkpoint covers 8 entries but the export has only 7")


def test_swapped_lines_are_reported(log: Log) -> None:
    lines = log.export()
    lines[5], lines[6] = lines[6], lines[5]
    report = verify_export_lines(lines, log.anchors, log.checkpoint(), log.verifier)
    assert report.problems[0] == (
        f"line 7: recorded {log.payloads[5].recorded}, not after line 6 "
        f"(recorded {log.payloads[6].recorded})"
    )
    assert matching(report.problems, "the first 8 lines hash to root", "not the checkpoint's root")


def test_an_edited_byte_is_reported(log: Log) -> None:
    lines = log.export()
    line = bytearray(lines[5])
    position = line.index(b'"payload":"') + 30
    line[position] = ord("A") if line[position] != ord("A") else ord("B")
    lines[5] = bytes(line)
    report = verify_export_lines(lines, log.anchors, log.checkpoint(), log.verifier)
    assert report.problems[0].startswith("line 6: ")
    assert matching(report.problems, "the first 8 lines hash to root")


def test_a_checkpoint_over_a_different_root_is_reported(log: Log) -> None:
    note = log.checkpoint(root=hashlib.sha256(b"another tree").digest())
    report = verify_export_lines(log.export(), log.anchors, note, log.verifier)
    assert report.problems == [
        f"the first 8 lines hash to root {b64(root_at(log.store, 8))}, not the checkpoint's "
        f"root {b64(hashlib.sha256(b'another tree').digest())}"
    ]


def test_an_export_event_by_a_revoked_key_is_reported(log: Log) -> None:
    index = with_revoked_islamabad_event(log)
    report = verify_export_lines(log.export(), log.anchors)
    assert len(report.problems) == 1
    assert report.problems[0].startswith(
        f"line {index + 1} (Drafted, agreement {THIRD_AGREEMENT} v1): key {log.islamabad.keyid} "
        f"of {ISLAMABAD} was revoked at"
    )


def test_an_export_keyring_line_signed_by_an_officer_is_reported(log: Log) -> None:
    log.append(
        KEYRING_STREAM,
        "KeyRevoked",
        AUTHORITY,
        log.astana,
        {
            "source": None,
            "reason": None,
            "officer": ISLAMABAD,
            "keyid": log.islamabad.keyid,
            "invalid_from": None,
        },
    )
    report = verify_export_lines(log.export(), log.anchors)
    assert report.problems == [
        f"line 9 (KeyRevoked, agreement {KEYRING_STREAM} v4): KeyRevoked event is signed by key "
        f"{log.astana.keyid} (an officer key of {ASTANA}); keyring events must be signed by a "
        "registry authority key"
    ]


def test_an_export_needs_the_log_key_to_check_a_checkpoint(log: Log) -> None:
    with pytest.raises(BundleError, match="needs the log's verifier key"):
        verify_export_lines(log.export(), log.anchors, log.checkpoint(), None)


def test_an_export_line_that_is_not_bytes_is_a_bundle_error(log: Log) -> None:
    with pytest.raises(BundleError, match="line 1 is str"):
        verify_export_lines(["{}"], log.anchors)  # type: ignore[list-item]
