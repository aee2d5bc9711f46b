"""GET /agreements/<ref>: the agreement as it stands (or stood on a date, as known at an
instant), its per-party status table, milestones, documents, timeline and signed history."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from flask import abort, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from registry.domain.catalogue import BY_NAME
from registry.domain.dates import PartialDate
from registry.domain.declaration import Correctable
from registry.domain.errors import DomainError
from registry.domain.state import AgreementState
from registry.domain.timeline import signed_on, took_effect
from registry.domain.values import CorrectionAction
from registry.ledger.canonical import sha256_hex
from registry.store.public import AgreementNotFound, DocumentError, OpenedEvent, TamperedEvent
from registry.web.extensions import get_registry
from registry.web.forms import RECORDABLE
from registry.web.forms_text import event_title
from registry.web.forms_uploads import documents
from registry.web.i18n import N_
from registry.web.officer import bp
from registry.web.officer.details import event_details
from registry.web.officer.next_steps import likely_next
from registry.web.pdf import agreement_status_pdf
from registry.web.refusals import refusal_text
from registry.web.schemas import InstantField
from registry.web.security import error_page
from registry.web.timeline import build_timeline


class AsOfArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    as_of = fields.Date(
        load_default=None, error_messages={"invalid": "Enter a date like 2026-02-20."}
    )
    known_at = InstantField(load_default=None)


@dataclass(frozen=True)
class HistoryRow:
    version: int
    type: str
    effective: PartialDate
    recorded: str
    actor: str
    keyid: str
    envelope_sha256: str
    details: list[tuple[str, str]]
    source: str | None
    reason: str | None
    in_view: bool
    note: str | None
    correctable: bool


def as_of_args() -> tuple[date | None, datetime | None, list[str]]:
    raw = {k: v for k, v in request.args.items() if k in ("as_of", "known_at") and v.strip()}
    try:
        args = AsOfArgs().load(raw)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        problems = [
            f"{'As of' if k == 'as_of' else 'Known at'}: {' '.join(map(str, v))}"
            for k, v in messages.items()
        ]
        return None, None, problems
    return args["as_of"], args["known_at"], []


@bp.get("/agreements/<ref>")
def show(ref: str) -> ResponseReturnValue:
    registry = get_registry()
    today = date.today()
    as_of, known_at, problems = as_of_args()
    status = 400 if problems else 200
    try:
        try:
            state = registry.state(ref, as_of=as_of or today, known_at=known_at)
        except DomainError as refusal:  # e.g. known at a time before it was first recorded
            problems.append(refusal_text(refusal))
            as_of, known_at, status = None, None, 422
            state = registry.state(ref, as_of=today)
        opened = registry.opened_events(ref)
        current = registry.state(ref) if (as_of or known_at) else state
    except AgreementNotFound:
        abort(404)
    except TamperedEvent as error:
        return error_page(500, N_("This record fails verification"), str(error))
    viewing_past = as_of is not None or known_at is not None
    return (
        render_template(
            "agreements/page.html",
            nav="agreements",
            state=state,
            version=len(opened),
            history=history_rows(opened, state, current, viewing_past),
            timeline=build_timeline(state, as_of or today),
            as_of=as_of,
            known_at=known_at,
            viewing_past=viewing_past,
            problems=problems,
            today=today,
            **menu(state),
            took_effect=took_effect(state),
            signed_on=signed_on(state),
            titles=ordered_titles(state),
        ),
        status,
    )


def menu(state: AgreementState) -> dict[str, list[tuple[str, str]]]:
    """The "Record an event" menu: what can happen next first, then everything else."""
    likely, rest = likely_next(state, RECORDABLE)
    return {
        "likely": [(name, event_title(name)) for name in likely],
        "recordable": [(name, event_title(name)) for name in rest],
    }


RTL_LANGUAGES = frozenset({"ur", "ar", "fa", "ps", "he", "sd", "ug"})


def ordered_titles(state: AgreementState) -> list[tuple[str, str, str]]:
    """(language, title, direction), English first."""
    titles = sorted(state.titles.items(), key=lambda item: (item[0] != "en", item[0]))
    return [(lang, text, "rtl" if lang in RTL_LANGUAGES else "ltr") for lang, text in titles]


def history_rows(
    opened: list[OpenedEvent], state: AgreementState, current: AgreementState, past: bool
) -> list[HistoryRow]:
    """Every signed event, newest first, with what later corrections did to it."""
    notes: dict[int, str] = {}
    retracted: set[int] = set()
    for correction in current.corrections:
        if correction.action is CorrectionAction.RETRACT:
            retracted.add(correction.corrects)
            notes[correction.corrects] = _(
                "Retracted by event %(number)s", number=correction.version
            )
        else:
            notes[correction.corrects] = _(
                "Corrected by event %(number)s", number=correction.version
            )
    rows = []
    types = {event.payload.version: event.payload.type for event in opened}
    for event in opened:
        payload = event.payload
        data = dict(payload.data)
        rows.append(
            HistoryRow(
                version=payload.version,
                type=payload.type,
                effective=PartialDate.from_start(payload.effective, payload.precision),
                recorded=payload.recorded,
                actor=payload.actor,
                keyid=event.keyid,
                envelope_sha256=sha256_hex(event.envelope),
                details=event_details(payload.type, data, types.get(data.get("corrects"))),
                source=data.get("source"),
                reason=data.get("reason"),
                in_view=not past or payload.version in state.versions,
                note=notes.get(payload.version),
                correctable=correctable(payload.type) and payload.version not in retracted,
            )
        )
    return list(reversed(rows))


def correctable(type_name: str) -> bool:
    declaration = BY_NAME.get(type_name)
    return declaration is not None and declaration.correctable is not Correctable.NOT_CORRECTABLE


@bp.get("/agreements/<ref>/status.pdf")
def status_pdf(ref: str) -> ResponseReturnValue:
    """The status-by-party table as a PDF, with the verification summary and checkpoint."""
    return agreement_status_pdf(ref)


@bp.get("/agreements/<ref>/documents/<sha256>")
def document(ref: str, sha256: str) -> ResponseReturnValue:
    registry = get_registry()
    try:
        state = registry.state(ref)
    except AgreementNotFound:
        abort(404)
    row = next((d for d in state.documents if d.sha256 == sha256), None)
    if row is None:
        abort(404)
    try:
        content = documents().read(sha256)
    except DocumentError as error:
        return error_page(404, N_("The document's file is not available"), str(error))
    return send_file(
        io.BytesIO(content),
        mimetype=row.media_type,
        as_attachment=True,
        download_name=row.filename,
        etag=sha256,
        max_age=0,
    )
