"""The auditor's workspace (roles auditor and admin): the whole registry as of a date and as
known at an instant, the changes between two views, the full verification, the report in
JSON, CSV and print, and the deadlines ahead. Views parse, call the store, render."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import func, select

from registry.domain.deadlines import DeadlineKind
from registry.domain.diff import ChangeKind
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter
from registry.ledger.policy import PolicyError, PolicyResult, parse_policy
from registry.store.accounts.users import Role
from registry.store.events.cosigning import cosigned, witness_states
from registry.store.events.log import TransparencyLog
from registry.store.events.proofs import NoCheckpoint
from registry.store.events.tables import log_entries
from registry.store.events.verification import verify_store
from registry.store.reads import audit
from registry.store.reads.audit_document import report_csv
from registry.store.reads.audit_report import AuditQuery, ReportError, View
from registry.store.reads.queries import Filters
from registry.web.audit_tables import tables_zip
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.forms_text import choice_label
from registry.web.i18n import N_
from registry.web.officer.party_names import party_names
from registry.web.pdf import pdf_response, verification
from registry.web.schemas import InstantField
from registry.web.security import error_page, install_error_pages

bp = Blueprint("audit", __name__, url_prefix="/audit")
install_error_pages(bp)
require_login(bp)
auditors = roles_required(Role.AUDITOR, Role.ADMIN)

PAGE_SIZE = 50
DIFF_LIMIT = 200  # agreements compared on one page
REPORT_LIMIT = 1000  # agreements in a report made on the web; the CLI has no limit
HORIZONS = (30, 90, 180, 365, 730)

CHANGE_LABELS = {
    ChangeKind.CONSENT: "Consent to be bound",
    ChangeKind.WITHDRAWAL_TOOK_EFFECT: "Withdrawal took effect",
    ChangeKind.DOCUMENT: "Document attached",
}
DEADLINE_LABELS = {  # one per DeadlineKind (the kinds the declarations schedule)
    DeadlineKind.ENTRY_INTO_FORCE: N_("Enters into force"),
    DeadlineKind.PROVISIONAL_APPLICATION: N_("Provisional application begins"),
    DeadlineKind.TERRITORIAL_APPLICATION: N_("Territorial declaration takes effect"),
    DeadlineKind.SUSPENSION: N_("Suspended"),
    DeadlineKind.RESUMPTION: N_("Resumes"),
    DeadlineKind.WITHDRAWAL_TAKES_EFFECT: N_("Withdrawal takes effect"),
    DeadlineKind.TERMINATION: N_("Terminates"),
    DeadlineKind.EXPIRY: N_("Expires"),
    DeadlineKind.RENEWAL: N_("Renewal takes effect"),
    DeadlineKind.RENEWAL_ENDS: N_("Renewal runs out"),
    DeadlineKind.MILESTONE_DUE: N_("Milestone due"),
    DeadlineKind.MILESTONE_OVERDUE: N_("Milestone overdue"),
}


def _choice(enum: type) -> fields.String:
    values = [member.value for member in enum]  # type: ignore[attr-defined]
    return fields.String(load_default=None, validate=validate.OneOf(values))


def _date(**options: Any) -> fields.Date:
    return fields.Date(
        load_default=None, error_messages={"invalid": "Enter a date like 2026-06-01."}, **options
    )


class FilterArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None, validate=validate.Length(max=200))
    party = fields.String(load_default=None, validate=validate.Length(max=64))
    kind = _choice(AgreementKind)
    character = _choice(LegalCharacter)
    status = _choice(AgreementStatus)


class PickArgs(FilterArgs):
    as_of = _date()
    known_at = InstantField(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class DiffArgs(FilterArgs):
    as_of = _date()
    from_ = _date(data_key="from")
    to = _date()
    known_at = InstantField(load_default=None)
    known_from = InstantField(load_default=None)
    known_to = InstantField(load_default=None)


class DeadlineArgs(FilterArgs):
    as_of = _date()
    known_at = InstantField(load_default=None)
    horizon = fields.Integer(load_default=365, validate=validate.OneOf(HORIZONS))


FIELD_NAMES = {
    "as_of": "As of",
    "from": "From",
    "to": "To",
    "known_at": "Known at",
    "known_from": "Known at (first)",
    "known_to": "Known at (second)",
    "horizon": "Horizon",
    "q": "Search",
    "character": "Legal character",
}


def parsed(schema: Schema) -> tuple[dict[str, Any], list[str]]:
    """The query arguments, empty ones left out; on errors, the defaults and the messages."""
    raw = {k: v for k, v in request.args.items() if v.strip()}
    try:
        return schema.load(raw), []
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        problems = [
            f"{FIELD_NAMES.get(name, name.capitalize())}: {' '.join(map(str, m))}"
            for name, m in messages.items()  # type: ignore[union-attr]
        ]
        return schema.load({}), problems


def filters_of(args: dict[str, Any]) -> Filters:
    return Filters(
        party=(args.get("party") or "").strip() or None,
        kind=AgreementKind(args["kind"]) if args.get("kind") else None,
        character=LegalCharacter(args["character"]) if args.get("character") else None,
        status=AgreementStatus(args["status"]) if args.get("status") else None,
        q=(args.get("q") or "").strip() or None,
    )


def choices() -> dict[str, Any]:
    return {
        "parties": audit.party_codes(get_registry()),
        "party_names": party_names(get_registry()),
        "kinds": [(k.value, choice_label(k.value)) for k in AgreementKind],
        "characters": [(c.value, choice_label(c.value)) for c in LegalCharacter],
        "statuses": [(s.value, choice_label(s.value)) for s in AgreementStatus],
    }


def query_of(args: dict[str, Any]) -> AuditQuery:
    """Two views from the form: missing dates are today, a missing first date or first
    instant is the same as the second; no instant at all means everything recorded."""
    to = args.get("to") or args.get("as_of") or date.today()
    start = args.get("from_") or args.get("as_of") or to
    known_to = args.get("known_to") or args.get("known_at")
    known_from = args.get("known_from") or args.get("known_at") or known_to
    return AuditQuery(View(start, known_from), View(to, known_to), filters_of(args))


@bp.get("")
@auditors
def index() -> ResponseReturnValue:
    args, problems = parsed(PickArgs())
    as_of = args["as_of"] or date.today()
    filters = filters_of(args)
    page = get_registry().list_as_of(
        as_of,
        args["known_at"],
        party=filters.party,
        kind=filters.kind,
        character=filters.character,
        status=filters.status,
        q=filters.q,
        limit=PAGE_SIZE,
        offset=(args["page"] - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-page.total // PAGE_SIZE))
    return render_template(
        "audit/index.html",
        first_recorded=first_recorded(),
        nav="audit",
        args=args,
        as_of=as_of,
        found=page,
        everything=sum(
            n for s, n in page.counts.items() if s is not AgreementStatus.NOT_YET_DRAFTED
        ),
        pages=pages,
        problems=problems,
        **choices(),
    ), (400 if problems else 200)


def first_recorded() -> datetime | None:
    """When the first agreement was recorded: a view known before then is empty because
    nothing had been recorded yet, not because nothing matches."""
    with get_registry().transaction() as session:
        found = session.execute(
            select(func.min(log_entries.c.recorded)).where(log_entries.c.type == "Drafted")
        ).scalar()
    return datetime.fromisoformat(found.replace("Z", "+00:00")) if found else None


@bp.get("/diff")
@auditors
def diff() -> ResponseReturnValue:
    args, problems = parsed(DiffArgs())
    asked = any(args.get(k) for k in ("as_of", "from_", "to", "known_at", "known_from", "known_to"))
    report, same = None, False
    if asked and not problems:
        try:
            query = query_of(args)
            same = query.before == query.after
            if not same:
                report = audit.compare(get_registry(), query, limit=DIFF_LIMIT)
        except (ReportError, audit.TooManyAgreements) as error:
            problems.append(str(error))
    return render_template(
        "audit/diff.html",
        nav="audit",
        args=args,
        report=report,
        same=same,
        problems=problems,
        change_labels=CHANGE_LABELS,
        **choices(),
    ), (400 if problems else 200)


@bp.route("/verify", methods=["GET", "POST"])
@auditors
def verify() -> ResponseReturnValue:
    registry = get_registry()
    witnesses = list(witness_states(registry).values())
    if request.method == "GET":
        return render_template(
            "audit/verify.html", nav="audit", result=None, witnesses=witnesses, policy_text=""
        )
    policy_text = request.form.get("policy", "").strip()
    witnessed, policy_problem = _policy_check(registry, policy_text)
    steps: list[tuple[int, int]] = []
    started = time.monotonic()
    result = verify_store(registry, progress=lambda done, total: steps.append((done, total)))
    seconds = time.monotonic() - started
    checkpoint = None
    if result.checkpoint_size is not None:
        with registry.transaction() as session:
            checkpoint = TransparencyLog.checkpoint_at(session, result.checkpoint_size)
            checkpoint = cosigned(session, checkpoint) if checkpoint else None
    return render_template(
        "audit/verify.html",
        nav="audit",
        result=result,
        steps=steps,
        seconds=seconds,
        checkpoint=checkpoint,
        finished=datetime.now(UTC),
        witnesses=witnesses,
        policy_text=policy_text,
        witnessed=witnessed,
        policy_problem=policy_problem,
    ), (400 if policy_problem else 200)


def _policy_check(registry: Any, text: str) -> tuple[PolicyResult | None, str | None]:
    """The latest checkpoint, cosignatures included, against a pasted witness policy."""
    if not text:
        return None, None
    try:
        policy = parse_policy(text)
    except PolicyError as error:
        return None, f"The witness policy does not parse: {error}"
    with registry.transaction() as session:
        latest = TransparencyLog.latest(session)
        if latest is None:
            return None, "The log is empty: there is no checkpoint to check."
        return policy.check(cosigned(session, latest).note), None


def _report_query() -> AuditQuery | ResponseReturnValue:
    args, problems = parsed(DiffArgs())
    if problems:
        return error_page(400, "The report's dates could not be used", " ".join(problems))
    try:
        return query_of(args)
    except ReportError as error:
        return error_page(400, "The report's dates could not be used", str(error))


def _download_name(query: AuditQuery, extension: str) -> str:
    """`audit-report-2026-01-01-2026-06-30-known-20260301T120000.000000Z.json`: both views,
    the instants too, so two reports of the same dates known at different times differ."""
    before, after = query.before, query.after
    name = f"audit-report-{before.as_of}-{after.as_of}"
    known = [view.known_at for view in (before, after) if view.known_at is not None]
    if known:
        stamps = dict.fromkeys(k.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ") for k in known)
        name += "-known-" + "-".join(stamps)
    return f"{name}.{extension}"


@bp.get("/report")
@auditors
def report() -> ResponseReturnValue:
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = audit.compare(get_registry(), query, limit=REPORT_LIMIT)
    except audit.TooManyAgreements as error:
        return error_page(400, "Too many agreements for one report", str(error))
    return render_template(
        "audit/report.html",
        nav="audit",
        report=found,
        generated=datetime.now(UTC),
        change_labels=CHANGE_LABELS,
    )


@bp.get("/report.pdf")
@auditors
def report_pdf() -> ResponseReturnValue:
    """The printable report as a PDF, with the verification summary and its checkpoint."""
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = audit.compare(get_registry(), query, limit=REPORT_LIMIT)
    except audit.TooManyAgreements as error:
        return error_page(400, "Too many agreements for one report", str(error))
    html = render_template(
        "audit/report.html",
        nav="audit",
        report=found,
        generated=datetime.now(UTC),
        change_labels=CHANGE_LABELS,
        verified=verification(),
        printing=True,
    )
    return pdf_response(html, _download_name(query, "pdf"))


@bp.get("/report.json")
@auditors
def report_json() -> ResponseReturnValue:
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        _report, document = audit.export(
            get_registry(),
            query,
            generated=datetime.now(UTC),
            by=current_user.username,
            limit=REPORT_LIMIT,
        )
    except audit.TooManyAgreements as error:
        return error_page(400, "Too many agreements for one report", str(error))
    body = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False)
    return _download(body, "application/json", _download_name(query, "json"))


@bp.get("/report.csv")
@auditors
def report_csv_file() -> ResponseReturnValue:
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = audit.compare(get_registry(), query, limit=REPORT_LIMIT)
    except audit.TooManyAgreements as error:
        return error_page(400, "Too many agreements for one report", str(error))
    return _download(report_csv(found), "text/csv", _download_name(query, "csv"))


@bp.get("/report.zip")
@auditors
def report_tables() -> ResponseReturnValue:
    """The report as tidy tables, one CSV per kind of row, zipped."""
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = audit.compare(get_registry(), query, limit=REPORT_LIMIT)
    except audit.TooManyAgreements as error:
        return error_page(400, "Too many agreements for one report", str(error))
    body = tables_zip(found, datetime.now(UTC))
    return _download(body, "application/zip", _download_name(query, "zip"))


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/deadlines")
@auditors
def deadlines() -> ResponseReturnValue:
    args, problems = parsed(DeadlineArgs())
    as_of = args["as_of"] or date.today()
    found = audit.deadlines(
        get_registry(), as_of, args["known_at"], filters_of(args), horizon_days=args["horizon"]
    )
    return render_template(
        "audit/deadlines.html",
        nav="audit",
        args=args,
        as_of=as_of,
        found=found,
        horizons=HORIZONS,
        labels=DEADLINE_LABELS,
        problems=problems,
        **choices(),
    ), (400 if problems else 200)


@bp.errorhandler(NoCheckpoint)
def no_checkpoint(error: NoCheckpoint) -> ResponseReturnValue:
    return error_page(409, "Nothing has been recorded yet", str(error))
