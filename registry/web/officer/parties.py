"""A party's treaties (/parties/<code>) and the status-table upload form (/imports/status).

Both are one call on the store: `party_view.party_agreements` (indexed SQL over the party
intervals) and `status_import.import_status` (the same use case as the CLI and the API).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

from registry.domain.values import PartyStatus
from registry.store.public import (
    DATED,
    PARTY_SORTS,
    ImportRefused,
    KeyStoreError,
    PartyFiltersSchema,
    Registry,
    Role,
    SigningRefused,
    VersionConflict,
)
from registry.web.auth import roles_required
from registry.web.extensions import get_registry
from registry.web.i18n import N_
from registry.web.officer import bp

MAX_TABLE_BYTES = 2 * 1024 * 1024
NAMES = {  # the form's names of the filters' fields, for its messages
    "as_of": "as of",
    "known_at": "known at",
    **{f"{act}_{end}": end for act in DATED for end in ("from", "to")},
}
LABELS = {
    "reference": N_("Reference"),
    "signed": N_("Signature"),
    "consented": N_("Consent"),
    "in_force": N_("In force"),
    "withdrawal": N_("Withdrawal"),
    "party_status": N_("Standing"),
    "status": N_("Agreement status"),
}


class PartyArgs(Schema):
    """The form as it is shown again (what was typed); the filters come from `PartyForm`."""

    class Meta:
        unknown = EXCLUDE

    as_of = fields.String(load_default=None)
    known_at = fields.String(load_default=None)
    status = fields.String(load_default=None)
    sort = fields.String(load_default="reference", validate=validate.OneOf(list(PARTY_SORTS)))
    dir = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    field = fields.String(load_default=None, validate=validate.OneOf(["", *DATED]))
    date_from = fields.String(load_default=None, data_key="from")
    date_to = fields.String(load_default=None, data_key="to")
    format = fields.String(load_default="html", validate=validate.OneOf(["html", "csv"]))


class PartyForm(PartyFiltersSchema):
    """The party view's filters (registry/store/reads/filters.py) from the page's form: one
    range, on the act `field`, from `from` to `to`."""

    @pre_load
    def one_range(self, data: Any, **kwargs: Any) -> Any:
        values = {k: v for k, v in data.items() if k not in ("field", "from", "to")}
        field = data.get("field")
        if field in DATED:
            for end in ("from", "to"):
                if data.get(end):
                    values[f"{field}_{end}"] = data[end]
        return values


@bp.get("/parties/<code>")
def party(code: str) -> ResponseReturnValue:
    try:
        args = PartyArgs().load(request.args)
    except ValidationError:
        args = PartyArgs().load({})
    filters, problems = Registry.parse_filters(PartyForm(), request.args.to_dict(), NAMES)
    status = 400 if problems else 200
    found = get_registry().party_agreements(replace(filters, party=code))
    if args["format"] == "csv" and status == 200:
        return Response(
            Registry.party_csv(found),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{found.code}.csv"'},
        )
    return (
        render_template(
            "parties/page.html",
            nav="agreements",
            found=found,
            args=args,
            problems=problems,
            labels={key: _(text) for key, text in LABELS.items()},
            dated=DATED,
            statuses=[s.value for s in PartyStatus],
        ),
        status,
    )


@bp.route("/imports/status", methods=["GET", "POST"])
@roles_required(Role.OFFICER)
def upload_status() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("parties/import.html", nav="import", problems=[], outcome=None)
    dry_run = bool(request.form.get("dry_run"))
    tables = [request.files.get(name) for name in ("status", "treaty")]
    problems: list[str] = []
    contents: list[bytes] = []
    for label, file in zip(
        (_("status table (CSV)"), _("treaty description (JSON)")), tables, strict=True
    ):
        content = file.stream.read(MAX_TABLE_BYTES + 1) if file and file.filename else b""
        if not content:
            problems.append(_("Choose the %(file)s to import.", file=label))
        elif len(content) > MAX_TABLE_BYTES:
            problems.append(_("The %(file)s is larger than 2 MB.", file=label))
        contents.append(content)
    outcome: Any = None
    if not problems:
        try:
            outcome = get_registry().import_status(
                contents[0],
                contents[1],
                officer=current_user.username,
                dry_run=dry_run,
            )
        except ImportRefused as refused:
            problems = [str(p) for p in refused.problems]
        except (VersionConflict, SigningRefused, KeyStoreError) as error:
            problems = [str(error)]
    if problems:
        page = render_template("parties/import.html", nav="import", problems=problems, outcome=None)
        return page, 400
    if outcome.dry_run:
        return render_template("parties/import.html", nav="import", problems=[], outcome=outcome)
    recorded = len(outcome.plan.acts)
    message = _(
        "%(ref)s: recorded %(count)s events, signed with your key.",
        ref=outcome.reference,
        count=recorded,
    )
    if not recorded:
        message = _("%(ref)s: nothing new to record.", ref=outcome.reference)
    flash(message, "success")
    for contradiction in outcome.plan.contradictions:
        flash(_("Contradiction (not overwritten): %(text)s", text=contradiction), "warning")
    return redirect(url_for("agreements.show", ref=outcome.reference))
