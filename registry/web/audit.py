"""The auditor's workspace (roles auditor and admin): the whole registry as of a date and as
known at an instant, the changes between two views, the full verification, the report in
JSON, CSV and print, and the deadlines ahead. Views parse, call the store, render."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, fields, validate

from registry.domain.deadlines import DeadlineKind
from registry.domain.diff import ChangeKind
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter
from registry.ledger.policy import PolicyError, PolicyResult, parse_policy
from registry.store.public import (
    AuditQuery,
    Filters,
    FiltersSchema,
    NoCheckpoint,
    Registry,
    ReportError,
    Role,
    TooManyAgreements,
    View,
)
from registry.web.audit_tables import tables_zip
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.forms_text import choice_label, load_query
from registry.web.i18n import N_, language
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
    ChangeKind.CONSENT: N_("Consent to be bound"),
    ChangeKind.WITHDRAWAL_TOOK_EFFECT: N_("Withdrawal took effect"),
    ChangeKind.DOCUMENT: N_("Document attached"),
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


def words(labels: dict[Any, str]) -> dict[Any, str]:
    """The labels in the interface's language."""
    return {key: gettext(text) for key, text in labels.items()}


def _date(**options: Any) -> fields.Date:
    return fields.Date(
        load_default=None, error_messages={"invalid": "Enter a date like 2026-06-01."}, **options
    )


class AuditFilters(FiltersSchema):
    """Every audit page's filters, its date and instant: the list is by reference, 50 a page."""

    page_size = PAGE_SIZE

    class Meta(FiltersSchema.Meta):
        exclude = ("sort", "dir", "limit")


class PickArgs(Schema):
    class Meta:
        unknown = EXCLUDE


class DiffArgs(PickArgs):
    from_ = _date(data_key="from")
    to = _date()
    known_from = InstantField(load_default=None)
    known_to = InstantField(load_default=None)


class DeadlineArgs(PickArgs):
    horizon = fields.Integer(load_default=365, validate=validate.OneOf(HORIZONS))


# The store's refusals of a report's dates (English, for the CLI), as the pages word them.
REPORT_PROBLEMS = {
    "the first date must not be after the second": N_(
        "The first date must not be after the second."
    ),
    "the first 'known at' instant must not be after the second": N_(
        "The first \u201cknown at\u201d instant must not be after the second."
    ),
}


def problem_text(error: Exception) -> str:
    """A report's refusal in the interface's language (in English as the store words it)."""
    if language() == "en":
        return str(error)
    if isinstance(error, TooManyAgreements):
        return gettext(
            "%(found)s agreements match, more than the %(limit)s a page can compare: narrow "
            "the filters, or run `registry report` for a report of any size.",
            found=error.found,
            limit=error.limit,
        )
    words = REPORT_PROBLEMS.get(str(error))
    return gettext(words) if words else str(error)


def parsed(schema: Schema | None = None) -> tuple[Filters, dict[str, Any], list[str]]:
    """The filters and the page's own arguments, empty ones left out; on errors, the
    defaults and the messages. `args` has them all as the templates show them."""
    raw = {k: v for k, v in request.args.items() if v.strip()}
    filters, problems = load_query(AuditFilters(), raw)
    own: dict[str, Any] = {}
    if schema is not None:
        own, more = load_query(schema, raw)
        problems += more
    shown = {"as_of": filters.as_of, "known_at": filters.known_at, "page": filters.page or 1}
    return filters, {**filters.selection(), **shown, **own}, problems


def choices() -> dict[str, Any]:
    return {
        "parties": get_registry().party_codes(),
        "party_names": party_names(get_registry()),
        "kinds": [(k.value, choice_label(k.value)) for k in AgreementKind],
        "characters": [(c.value, choice_label(c.value)) for c in LegalCharacter],
        "statuses": [(s.value, choice_label(s.value)) for s in AgreementStatus],
    }


def query_of(filters: Filters, args: dict[str, Any]) -> AuditQuery:
    """Two views from the form: missing dates are today, a missing first date or first
    instant is the same as the second; no instant at all means everything recorded."""
    to = args.get("to") or filters.as_of or date.today()
    start = args.get("from_") or filters.as_of or to
    known_to = args.get("known_to") or filters.known_at
    known_from = args.get("known_from") or filters.known_at or known_to
    selection = Filters.of_selection(filters.selection())  # each view has its own dates
    return AuditQuery(View(start, known_from), View(to, known_to), selection)


@bp.get("")
@auditors
def index() -> ResponseReturnValue:
    filters, args, problems = parsed()
    as_of = filters.as_of or date.today()
    page = get_registry().list_agreements(replace(filters, as_of=as_of))
    pages = max(1, -(-page.total // PAGE_SIZE))
    return render_template(
        "audit/index.html",
        first_recorded=get_registry().first_recorded(),
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


@bp.get("/diff")
@auditors
def diff() -> ResponseReturnValue:
    filters, args, problems = parsed(DiffArgs())
    asked = any(args.get(k) for k in ("as_of", "from_", "to", "known_at", "known_from", "known_to"))
    report, same = None, False
    if asked and not problems:
        try:
            query = query_of(filters, args)
            same = query.before == query.after
            if not same:
                report = get_registry().compare_views(query, limit=DIFF_LIMIT)
        except (ReportError, TooManyAgreements) as error:
            problems.append(problem_text(error))
    return render_template(
        "audit/diff.html",
        nav="audit",
        args=args,
        report=report,
        same=same,
        problems=problems,
        change_labels=words(CHANGE_LABELS),
        **choices(),
    ), (400 if problems else 200)


@bp.route("/verify", methods=["GET", "POST"])
@auditors
def verify() -> ResponseReturnValue:
    registry = get_registry()
    witnesses = list(registry.witness_states().values())
    if request.method == "GET":
        return render_template(
            "audit/verify.html", nav="audit", result=None, witnesses=witnesses, policy_text=""
        )
    policy_text = request.form.get("policy", "").strip()
    witnessed, policy_problem = _policy_check(registry, policy_text)
    steps: list[tuple[int, int]] = []
    started = time.monotonic()
    result = registry.verify_store(progress=lambda done, total: steps.append((done, total)))
    seconds = time.monotonic() - started
    checkpoint = None
    if result.checkpoint_size is not None:
        checkpoint = registry.cosigned_checkpoint_of_size(result.checkpoint_size)
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
        return None, gettext("The witness policy does not parse: %(problem)s", problem=error)
    latest = registry.latest_cosigned()
    if latest is None:
        return None, gettext("The log is empty: there is no checkpoint to check.")
    return policy.check(latest.note), None


def _report_query() -> AuditQuery | ResponseReturnValue:
    filters, args, problems = parsed(DiffArgs())
    if problems:
        return error_page(400, N_("The report's dates could not be used"), " ".join(problems))
    try:
        return query_of(filters, args)
    except ReportError as error:
        return error_page(400, N_("The report's dates could not be used"), problem_text(error))


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
        found = get_registry().compare_views(query, limit=REPORT_LIMIT)
    except TooManyAgreements as error:
        return error_page(400, N_("Too many agreements for one report"), problem_text(error))
    return render_template(
        "audit/report.html",
        nav="audit",
        report=found,
        generated=datetime.now(UTC),
        change_labels=words(CHANGE_LABELS),
    )


@bp.get("/report.pdf")
@auditors
def report_pdf() -> ResponseReturnValue:
    """The printable report as a PDF, with the verification summary and its checkpoint."""
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = get_registry().compare_views(query, limit=REPORT_LIMIT)
    except TooManyAgreements as error:
        return error_page(400, N_("Too many agreements for one report"), problem_text(error))
    html = render_template(
        "audit/report.html",
        nav="audit",
        report=found,
        generated=datetime.now(UTC),
        change_labels=words(CHANGE_LABELS),
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
        _report, document = get_registry().export_audit(
            query,
            generated=datetime.now(UTC),
            by=current_user.username,
            limit=REPORT_LIMIT,
        )
    except TooManyAgreements as error:
        return error_page(400, N_("Too many agreements for one report"), problem_text(error))
    body = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False)
    return _download(body, "application/json", _download_name(query, "json"))


@bp.get("/report.csv")
@auditors
def report_csv_file() -> ResponseReturnValue:
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = get_registry().compare_views(query, limit=REPORT_LIMIT)
    except TooManyAgreements as error:
        return error_page(400, N_("Too many agreements for one report"), problem_text(error))
    return _download(Registry.report_csv(found), "text/csv", _download_name(query, "csv"))


@bp.get("/report.zip")
@auditors
def report_tables() -> ResponseReturnValue:
    """The report as tidy tables, one CSV per kind of row, zipped."""
    query = _report_query()
    if not isinstance(query, AuditQuery):
        return query
    try:
        found = get_registry().compare_views(query, limit=REPORT_LIMIT)
    except TooManyAgreements as error:
        return error_page(400, N_("Too many agreements for one report"), problem_text(error))
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
    filters, args, problems = parsed(DeadlineArgs())
    as_of = filters.as_of or date.today()
    found = get_registry().upcoming_deadlines(
        as_of, filters.known_at, filters, horizon_days=args["horizon"]
    )
    return render_template(
        "audit/deadlines.html",
        nav="audit",
        args=args,
        as_of=as_of,
        found=found,
        horizons=HORIZONS,
        labels=words(DEADLINE_LABELS),
        problems=problems,
        **choices(),
    ), (400 if problems else 200)


@bp.errorhandler(NoCheckpoint)
def no_checkpoint(error: NoCheckpoint) -> ResponseReturnValue:
    return error_page(409, N_("Nothing has been recorded yet"), str(error))
