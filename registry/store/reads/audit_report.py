"""The audit report: a comparison of two views of the registry, computed from signed envelopes
alone, so that anyone holding the report and the published keys can recompute it.

`audit_report(query, origin, note, streams)` is pure: given the envelopes of each listed
agreement (with their leaf indexes) up to one checkpoint, it replays each agreement in both
views (`history.state_as_of`), compares them (`diff.diff`) and lists every event with its
signer and leaf index. `registry.store.reads.audit` chooses the agreements (the read model's
filters) and reads the envelopes; the web pages, the CLI and the JSON, CSV and printed
reports all show what this returns.

The JSON and CSV documents, and verifying a JSON report, are in audit_document.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from registry.domain.codec import format_instant, parse_instant
from registry.domain.dates import PartialDate
from registry.domain.diff import Change, diff
from registry.domain.errors import NotYetRecorded
from registry.domain.events import AgreementEvent
from registry.domain.history import state_as_of
from registry.domain.state import AgreementState
from registry.domain.values import AgreementStatus
from registry.ledger.canonical import sha256_hex
from registry.ledger.dsse import Envelope
from registry.ledger.payload import EventPayload
from registry.store.errors import StoreError
from registry.store.events.mapper import event_from_payload
from registry.store.reads.filters import Filters

FORMAT = "agreement-registry-audit-report/v1"
UNCHECKED = ("generated", "generated_by")  # what the report says about itself, not the events
HOW_TO_VERIFY = (
    "registry verify-bundle REPORT.json --keys KEYS-DIRECTORY checks every event's signature "
    "and inclusion in the log at this checkpoint, and recomputes this report from them."
)


class ReportError(StoreError, ValueError):
    """A query or report that cannot be used: the message says why."""


@dataclass(frozen=True)
class View:
    """One side of a comparison: the world on `as_of` (None: no cut-off), as the registry
    knew it at `known_at` (None: everything recorded)."""

    as_of: date | None
    known_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "known_at": format_instant(self.known_at) if self.known_at else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> View:
        try:
            as_of, known_at = data["as_of"], data["known_at"]
            return cls(
                date.fromisoformat(as_of) if as_of is not None else None,
                parse_instant(known_at) if known_at is not None else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ReportError(f"a view is {{'as_of', 'known_at'}}: {error}") from None


@dataclass(frozen=True)
class AuditQuery:
    before: View
    after: View
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        if _day(self.before.as_of) > _day(self.after.as_of):
            raise ReportError("the first date must not be after the second")
        if _instant(self.before.known_at) > _instant(self.after.known_at):
            raise ReportError("the first 'known at' instant must not be after the second")

    def to_dict(self) -> dict[str, Any]:
        return {
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "filters": self.filters.selection(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> AuditQuery:
        try:
            filters = Filters.of_selection(data["filters"])
            return cls(View.from_dict(data["before"]), View.from_dict(data["after"]), filters)
        except (KeyError, TypeError, ValueError) as error:
            raise ReportError(f"the report's query is not readable: {error}") from None


def _day(value: date | None) -> date:
    return value if value is not None else date.max


def _instant(value: datetime | None) -> str:
    return format_instant(value) if value is not None else "~"  # "~" sorts after any instant


@dataclass(frozen=True)
class Entry:
    """One envelope of the log: its leaf index and its exact bytes."""

    index: int
    envelope: bytes


@dataclass(frozen=True)
class EventRow:
    version: int
    type: str
    effective: PartialDate
    recorded: str
    actor: str
    keyid: str
    leaf_index: int
    envelope_sha256: str
    in_before: bool  # one of the events the earlier view was built from
    in_after: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "type": self.type,
            "effective": str(self.effective),
            "recorded": self.recorded,
            "actor": self.actor,
            "keyid": self.keyid,
            "leaf_index": self.leaf_index,
            "envelope_sha256": self.envelope_sha256,
            "in_before": self.in_before,
            "in_after": self.in_after,
        }


@dataclass(frozen=True)
class AgreementReport:
    id: UUID
    reference: str
    title: str
    before: AgreementState | None  # None: not yet recorded at the earlier instant
    after: AgreementState
    changes: tuple[Change, ...]
    events: tuple[EventRow, ...]

    @property
    def status_before(self) -> AgreementStatus | None:
        return self.before.status if self.before is not None else None

    @property
    def late(self) -> list[Change]:
        return [c for c in self.changes if c.late_days]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "reference": self.reference,
            "title": self.title,
            "kind": self.after.kind.value,
            "character": self.after.character.value,
            "status_before": self.status_before.value if self.status_before else None,
            "status_after": self.after.status.value,
            "changes": [c.to_dict() for c in self.changes],
            "events": [e.to_dict() for e in self.events],
            "state_before": self.before.to_dict() if self.before is not None else None,
            "state_after": self.after.to_dict(),
        }


@dataclass(frozen=True)
class AuditReport:
    query: AuditQuery
    origin: str
    checkpoint: str  # the signed note every listed event is proven against
    agreements: tuple[AgreementReport, ...]

    @property
    def checkpoint_size(self) -> int:
        return int(self.checkpoint.split("\n")[1])

    @property
    def checkpoint_root(self) -> str:
        return self.checkpoint.split("\n")[2]

    @property
    def changes(self) -> list[tuple[AgreementReport, Change]]:
        return [(a, c) for a in self.agreements for c in a.changes]

    @property
    def late(self) -> list[tuple[AgreementReport, Change]]:
        found = [(a, c) for a in self.agreements for c in a.late]
        return sorted(found, key=lambda pair: -(pair[1].late_days or 0))

    def counts(self, side: str) -> dict[AgreementStatus, int]:
        counts: dict[AgreementStatus, int] = {}
        for agreement in self.agreements:
            state = agreement.before if side == "before" else agreement.after
            if state is not None:
                counts[state.status] = counts.get(state.status, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The "report" member, without what it says about itself (`UNCHECKED`)."""
        return {
            "format": FORMAT,
            "query": self.query.to_dict(),
            "checkpoint": {
                "origin": self.origin,
                "size": self.checkpoint_size,
                "root": self.checkpoint_root,
                "note": self.checkpoint,
            },
            "summary": {
                "agreements": len(self.agreements),
                "changes": len(self.changes),
                "recorded_late": len(self.late),
                "events": sum(len(a.events) for a in self.agreements),
                "status_before": _by_value(self.counts("before")),
                "status_after": _by_value(self.counts("after")),
            },
            "agreements": [a.to_dict() for a in self.agreements],
            "how_to_verify": HOW_TO_VERIFY,
        }


def _by_value(counts: dict[AgreementStatus, int]) -> dict[str, int]:
    return {status.value: n for status, n in sorted(counts.items(), key=lambda i: i[0].value)}


# -- computing --------------------------------------------------------------------------------


def audit_report(
    query: AuditQuery, origin: str, checkpoint: str, streams: Iterable[Sequence[Entry]]
) -> AuditReport:
    """Each stream is one agreement's envelopes from version 1, in order."""
    return AuditReport(
        query, origin, checkpoint, tuple(agreement_report(query, s) for s in streams if s)
    )


def agreement_report(query: AuditQuery, entries: Sequence[Entry]) -> AgreementReport:
    opened = [_opened(entry) for entry in entries]
    events = [event for _payload, _keyid, event in opened if isinstance(event, AgreementEvent)]
    before = _state(events, query.before)
    after = _state(events, query.after)
    if after is None:
        raise ReportError("an agreement listed must be known at the later instant")
    rows = tuple(
        EventRow(
            version=payload.version,
            type=payload.type,
            effective=PartialDate.from_start(payload.effective, payload.precision),
            recorded=payload.recorded,
            actor=payload.actor,
            keyid=keyid,
            leaf_index=entry.index,
            envelope_sha256=sha256_hex(entry.envelope),
            in_before=before is not None and payload.version in before.versions,
            in_after=payload.version in after.versions,
        )
        for entry, (payload, keyid, _event) in zip(entries, opened, strict=True)
    )
    titles = after.titles
    return AgreementReport(
        id=after.id,
        reference=after.reference,
        title=titles.get("en") or next(iter(titles.values()), after.reference),
        before=before,
        after=after,
        changes=tuple(diff(before, after, events)),
        events=rows,
    )


def _opened(entry: Entry) -> tuple[EventPayload, str, Any]:
    envelope = Envelope.from_bytes(entry.envelope)
    payload = EventPayload.from_bytes(envelope.payload)
    return payload, envelope.signature.keyid, event_from_payload(payload)


def _state(events: Sequence[AgreementEvent], view: View) -> AgreementState | None:
    try:
        return state_as_of(events, as_of=view.as_of, known_at=view.known_at)
    except NotYetRecorded:
        return None


__all__ = [
    "FORMAT",
    "AgreementReport",
    "AuditQuery",
    "AuditReport",
    "Entry",
    "EventRow",
    "ReportError",
    "View",
    "agreement_report",
    "audit_report",
]
