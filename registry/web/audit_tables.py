"""The audit report as tidy tables: one CSV per kind of row, zipped, each with a human label
beside every code, so a spreadsheet opens each table without filtering a mixed sheet.

report.csv (store.audit_document) stays for programs that read its single table; this is the
one offered to people. Cells a spreadsheet would run as formulas are quoted there and here.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from registry.domain.codec import format_instant
from registry.domain.dates import PartialDate
from registry.store.public import AuditReport, Registry
from registry.web.forms_text import choice_label, event_label

README = """Audit report, as tables (UTF-8 CSV, one kind of row per file):

  query.csv        the two views compared and the filters
  checkpoint.csv   the signed checkpoint every event is proven against
  agreements.csv   each agreement: kind, character, status before and after
  parties.csv      each party of each agreement: status before and after, and its dates
  changes.csv      what changed between the two views, and how late it was recorded
  events.csv       every signed event the report rests on, with its log leaf index

Codes (status, kind...) are kept for programs; the column beside each gives it in words.
The JSON report carries the proofs: registry verify-bundle report.json --keys keys/
"""


def _label(code: str | None) -> str:
    return choice_label(code) if code else ""


def _date(value: PartialDate | None) -> str:
    return str(value) if value is not None else ""


def _table(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: Registry.spreadsheet_cell(v) for k, v in row.items()})
    return out.getvalue()


def tables(report: AuditReport) -> dict[str, str]:
    """{file name: CSV text} for every kind of row."""
    q = report.query
    views = [("before", q.before), ("after", q.after)]
    found = {
        "query.csv": _table(
            ("view", "as_of", "known_at", "party", "kind", "character", "status", "search"),
            [
                {
                    "view": name,
                    "as_of": view.as_of.isoformat() if view.as_of else "",
                    "known_at": format_instant(view.known_at) if view.known_at else "",
                    "party": q.filters.party or "",
                    "kind": q.filters.kind.value if q.filters.kind else "",
                    "character": q.filters.character.value if q.filters.character else "",
                    "status": q.filters.status.value if q.filters.status else "",
                    "search": q.filters.q or "",
                }
                for name, view in views
            ],
        ),
        "checkpoint.csv": _table(
            ("origin", "size", "root_hash", "note"),
            [
                {
                    "origin": report.origin,
                    "size": report.checkpoint_size,
                    "root_hash": report.checkpoint_root,
                    "note": report.checkpoint,
                }
            ],
        ),
    }
    agreement_columns = (
        "reference",
        "title",
        "kind",
        "kind_label",
        "character",
        "character_label",
        "status_before",
        "status_before_label",
        "status_after",
        "status_after_label",
    )
    found["agreements.csv"] = _table(
        agreement_columns,
        (
            {
                "reference": a.reference,
                "title": a.title,
                "kind": a.after.kind.value,
                "kind_label": _label(a.after.kind.value),
                "character": a.after.character.value,
                "character_label": _label(a.after.character.value),
                "status_before": a.status_before.value if a.status_before else "",
                "status_before_label": _label(a.status_before.value if a.status_before else None),
                "status_after": a.after.status.value,
                "status_after_label": _label(a.after.status.value),
            }
            for a in report.agreements
        ),
    )
    party_columns = (
        "reference",
        "party",
        "party_name",
        "status_before",
        "status_before_label",
        "status_after",
        "status_after_label",
        "signed",
        "signature_type",
        "consented",
        "consent",
        "provisionally_applied",
        "in_force",
        "withdrawal_notified",
        "withdrawal_takes_effect",
    )
    party_rows = []
    for a in report.agreements:
        old = {row.code: row for row in (a.before.parties if a.before else ())}
        for row in a.after.parties:
            was = old.get(row.code)
            party_rows.append(
                {
                    "reference": a.reference,
                    "party": row.code,
                    "party_name": row.name,
                    "status_before": was.status.value if was else "",
                    "status_before_label": _label(was.status.value if was else None),
                    "status_after": row.status.value,
                    "status_after_label": _label(row.status.value),
                    "signed": _date(row.signed),
                    "signature_type": row.signature_type.value if row.signature_type else "",
                    "consented": _date(row.consented),
                    "consent": row.consent.value if row.consent else "",
                    "provisionally_applied": _date(row.provisionally_applied),
                    "in_force": _date(row.in_force),
                    "withdrawal_notified": _date(row.withdrawal_notified),
                    "withdrawal_takes_effect": _date(row.withdrawal_takes_effect),
                }
            )
    found["parties.csv"] = _table(party_columns, party_rows)
    change_columns = (
        "reference",
        "party",
        "change",
        "change_label",
        "detail",
        "effective",
        "previous",
        "removed",
        "version",
        "recorded",
        "late_days",
    )
    found["changes.csv"] = _table(
        change_columns,
        (
            {
                "reference": a.reference,
                "party": c.party or "",
                "change": c.kind.value,
                "change_label": _label(c.kind.value),
                "detail": c.detail,
                "effective": str(c.effective),
                "previous": _date(c.previous),
                "removed": "yes" if c.removed else "",
                "version": c.version or "",
                "recorded": format_instant(c.recorded) if c.recorded else "",
                "late_days": c.late_days or "",
            }
            for a, c in report.changes
        ),
    )
    event_columns = (
        "reference",
        "version",
        "type",
        "type_label",
        "effective",
        "recorded",
        "actor",
        "keyid",
        "leaf_index",
        "envelope_sha256",
    )
    found["events.csv"] = _table(
        event_columns,
        (
            {
                "reference": a.reference,
                "version": e.version,
                "type": e.type,
                "type_label": event_label(e.type),
                "effective": str(e.effective),
                "recorded": e.recorded,
                "actor": e.actor,
                "keyid": e.keyid,
                "leaf_index": e.leaf_index,
                "envelope_sha256": e.envelope_sha256,
            }
            for a in report.agreements
            for e in a.events
        ),
    )
    return found


def tables_zip(report: AuditReport, generated: datetime) -> bytes:
    out = io.BytesIO()
    stamp = generated.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {"README.txt": README, **tables(report)}.items():
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, ("\ufeff" if name.endswith(".csv") else "") + text)
    return out.getvalue()
