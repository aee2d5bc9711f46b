"""The audit report as documents: JSON with the bundle that proves it, CSV, and verifying a
JSON report with the published keys alone.

A JSON report is `{"report": ..., "bundle": ...}`: the bundle (ledger/bundle.py) proves every
listed event against the report's checkpoint. `verify_report` checks the bundle, then
recomputes the report from the bundle's envelopes (audit_report.py), names every member that
differs, and checks that each listed agreement matches the report's filters. What it cannot
tell from the report alone: that no other agreement matched, and that no later event of a
listed agreement lies within the checkpoint (a verifier with the whole log checks both).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from registry.domain.codec import format_instant
from registry.ledger.bundle import BundleError, BundleReport, verify_bundle
from registry.ledger.canonical import canonical_json
from registry.ledger.checkpoint import CheckpointError
from registry.ledger.dsse import Envelope
from registry.ledger.errors import LedgerError
from registry.ledger.keys import Keyring
from registry.ledger.note import NoteVerifier
from registry.ledger.payload import EventPayload
from registry.ledger.policy import Policy
from registry.store.reads.audit_report import (
    UNCHECKED,
    AuditQuery,
    AuditReport,
    Entry,
    ReportError,
    audit_report,
)


def report_document(
    report: AuditReport, bundle: dict[str, Any], generated: datetime, by: str
) -> dict[str, Any]:
    body = {"generated": format_instant(generated), "generated_by": by, **report.to_dict()}
    return {"report": body, "bundle": bundle}


CSV_COLUMNS = (
    "section",
    "reference",
    "party",
    "kind",
    "status_before",
    "status_after",
    "effective",
    "previous",
    "removed",
    "recorded",
    "late_days",
    "version",
    "type",
    "actor",
    "keyid",
    "leaf_index",
    "detail",
)


def report_csv(report: AuditReport) -> str:
    """One table: the query and checkpoint, then per agreement its status, its parties'
    statuses, its changes and its events."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in _csv_rows(report):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _csv_rows(report: AuditReport) -> Iterator[dict[str, Any]]:
    q = report.query
    yield {"section": "query", "detail": json.dumps(q.to_dict(), sort_keys=True)}
    yield {
        "section": "checkpoint",
        "leaf_index": report.checkpoint_size,
        "detail": f"{report.origin} size {report.checkpoint_size} root {report.checkpoint_root}",
    }
    for a in report.agreements:
        yield {
            "section": "agreement",
            "reference": a.reference,
            "kind": a.after.kind.value,
            "status_before": a.status_before.value if a.status_before else "",
            "status_after": a.after.status.value,
            "detail": a.title,
        }
        old = {row.code: row for row in (a.before.parties if a.before else ())}
        for row in a.after.parties:
            was = old.get(row.code)
            yield {
                "section": "party",
                "reference": a.reference,
                "party": row.code,
                "status_before": was.status.value if was else "",
                "status_after": row.status.value,
                "detail": row.name,
            }
        for c in a.changes:
            yield {
                "section": "change",
                "reference": a.reference,
                "party": c.party or "",
                "kind": c.kind.value,
                "effective": str(c.effective),
                "previous": str(c.previous) if c.previous else "",
                "removed": "yes" if c.removed else "",
                "recorded": format_instant(c.recorded) if c.recorded else "",
                "late_days": c.late_days or "",
                "version": c.version or "",
                "detail": c.detail,
            }
        for e in a.events:
            yield {
                "section": "event",
                "reference": a.reference,
                "effective": str(e.effective),
                "recorded": e.recorded,
                "version": e.version,
                "type": e.type,
                "actor": e.actor,
                "keyid": e.keyid,
                "leaf_index": e.leaf_index,
                "detail": f"sha256 {e.envelope_sha256}",
            }


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# -- verifying --------------------------------------------------------------------------------


def is_report(document: object) -> bool:
    return isinstance(document, dict) and set(document) == {"report", "bundle"}


def verify_report(
    document: object, anchors: Keyring, verifier: NoteVerifier, policy: Policy | None = None
) -> BundleReport:
    """The bundle's verification, plus every way the report differs from what its events give."""
    if not is_report(document):
        raise BundleError('a report is a JSON object {"report": ..., "bundle": ...}')
    assert isinstance(document, dict)
    result = verify_bundle(document["bundle"], anchors, verifier, policy)
    if not result.ok:
        result.problems.append("the report was not recomputed: its events do not verify")
        return result
    body = document["report"]
    if not isinstance(body, dict):
        result.problems.append("report: not a JSON object")
        return result
    try:
        query = AuditQuery.from_dict(body.get("query"))
        recomputed = _recomputed(query, document["bundle"])
    except (ReportError, LedgerError, CheckpointError, ValueError) as error:
        result.problems.append(f"report: cannot be recomputed from its bundle: {error}")
        return result
    claimed = {k: v for k, v in body.items() if k not in UNCHECKED}
    result.problems.extend(
        f"report{path}: the report says {_shown(said)}, the signed events give {_shown(given)}"
        for path, said, given in differences(claimed, recomputed.to_dict())
    )
    for agreement in recomputed.agreements:
        if not (query.filters.matches(agreement.before) or query.filters.matches(agreement.after)):
            result.problems.append(
                f"report: {agreement.reference} does not match the report's filters on either side"
            )
    return result


def _recomputed(query: AuditQuery, bundle: dict[str, Any]) -> AuditReport:
    streams: dict[str, list[Entry]] = {}
    for record in bundle["events"]:
        data = canonical_json(record["envelope"])
        payload = EventPayload.from_bytes(Envelope.from_bytes(data).payload)
        streams.setdefault(payload.agreement, []).append(Entry(record["index"], data))
    return audit_report(query, bundle["origin"], bundle["checkpoint"], streams.values())


def differences(
    said: Any, given: Any, path: str = "", limit: int = 20
) -> list[tuple[str, Any, Any]]:
    """Where two JSON values differ, as (path, said, given), at most `limit` of them."""
    found: list[tuple[str, Any, Any]] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(a.keys() | b.keys()):
                walk(a.get(key, "(nothing)"), b.get(key, "(nothing)"), f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for position, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{position}]")
        else:
            found.append((where, a, b))

    walk(said, given, path)
    return found


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


__all__ = ["is_report", "report_csv", "report_document", "verify_report"]
