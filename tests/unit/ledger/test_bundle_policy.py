"""Offline bundles under a witness policy: enough valid cosignatures, or each gap named."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.ledger.bundle import make_bundle, make_record, verify_bundle
from registry.ledger.cosignature import CosignatureSigner
from registry.ledger.merkle import inclusion_proof
from registry.ledger.policy import parse_policy

from .test_bundle import KEYRING_STREAM, Log, standard_log

ASTANA = CosignatureSigner("astana.example/witness", Ed25519PrivateKey.generate())
ALMATY = CosignatureSigner("almaty.example/witness", Ed25519PrivateKey.generate())


def cosigned_bundle(log: Log, *witnesses: CosignatureSigner) -> dict[str, Any]:
    """The bundle of the whole log, its checkpoint carrying these witnesses' cosignatures."""
    note = log.checkpoint()
    body = note.split("\n\n")[0] + "\n"
    note += "".join(w.cosign(body, 1_770_000_000).line() for w in witnesses)
    size = len(log.entries)
    parts: dict[str, list[dict[str, object]]] = {"keyring": [], "events": []}
    for index, payload in enumerate(log.payloads):
        part = "keyring" if payload.agreement == KEYRING_STREAM else "events"
        proof = inclusion_proof(log.store, index, size)
        parts[part].append(make_record(log.entries[index], index, proof, note))
    return json.loads(json.dumps(make_bundle(log.signer.name, note, *parts.values(), True)))


def policy(log: Log, quorum: str) -> Any:
    return parse_policy(
        f"log {log.verifier.vkey}\n"
        f"witness astana {ASTANA.verifier().vkey}\n"
        f"witness almaty {ALMATY.verifier().vkey}\n"
        f"group both all astana almaty\n"
        f"quorum {quorum}\n"
    )


def test_a_bundle_cosigned_by_the_quorum_verifies() -> None:
    log = standard_log()
    report = verify_bundle(
        cosigned_bundle(log, ASTANA, ALMATY), log.anchors, log.verifier, policy(log, "both")
    )
    assert report.problems == []


def test_a_bundle_short_of_the_quorum_is_refused_naming_the_missing_witness() -> None:
    log = standard_log()
    report = verify_bundle(
        cosigned_bundle(log, ASTANA), log.anchors, log.verifier, policy(log, "both")
    )
    assert len(report.problems) == 1
    assert "quorum 'both' not met" in report.problems[0]
    assert "missing: almaty" in report.problems[0]
    assert verify_bundle(
        cosigned_bundle(log, ASTANA), log.anchors, log.verifier, policy(log, "astana")
    ).ok


def test_without_a_policy_cosignatures_change_nothing() -> None:
    log = standard_log()
    assert verify_bundle(cosigned_bundle(log, ASTANA), log.anchors, log.verifier).ok
    assert verify_bundle(cosigned_bundle(log), log.anchors, log.verifier).ok
