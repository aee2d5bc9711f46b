"""The officer's forms: draft an agreement, record any event of the catalogue, correct an event.

Each view parses the form, calls one registry use case with the logged-in officer as actor (so
the event is signed with their own key) and maps what can go wrong to the form: bad input is a
400 with field messages, a refusal of the domain a 422 with its message, a concurrent edit a
409 that keeps everything typed. Nothing reaches the officer as a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from registry.domain.agreement import Agreement
from registry.domain.codec import InvalidEventData
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.store.public import (
    AgreementNotFound,
    DocumentError,
    EnvelopeTooLarge,
    KeyStoreError,
    Recorded,
    Role,
    SigningRefused,
    VersionConflict,
)
from registry.web.auth import roles_required
from registry.web.extensions import get_registry
from registry.web.forms import (
    RECORDABLE,
    Choice,
    Context,
    EventForm,
    FormErrors,
    FormState,
    describe_input,
    event_form,
    read_event,
    text_value,
)
from registry.web.forms_text import choice_label, event_title
from registry.web.forms_uploads import UploadRefused, accept_upload, documents, media_type_of
from registry.web.input_rules import gives_its_form_back_on_unsafe_text
from registry.web.officer import bp
from registry.web.officer.page import HistoryRow, history_rows
from registry.web.refusals import refusal_text

NEW = "new-"  # prefix of the corrected event's fields in a correction form
# Stand-ins while an upload is refused, so the other fields are still checked.
_PLACEHOLDER_UPLOAD = {"sha256": "0" * 64, "filename": "-", "media_type": "-", "size": 1}


@dataclass
class Outcome:
    """How a failed submission is shown: status, field errors, a refusal or a conflict."""

    status: int
    errors: dict[str, list[str]] = field(default_factory=dict)
    refusal: str | None = None
    conflict: list[HistoryRow] | None = None


def load_agreement(ref: str) -> Agreement:
    try:
        return get_registry().agreement(ref)
    except AgreementNotFound:
        abort(404)


def context_of(agreement: Agreement) -> Context:
    state = agreement.state
    milestones = tuple(
        Choice(m.milestone, f"{m.milestone}: {m.title} ({choice_label(m.status.value)})")
        for m in state.milestones
    )
    taken = {m.milestone for m in state.milestones}
    number = len(taken) + 1
    while f"M{number}" in taken:
        number += 1
    return Context(
        parties=tuple(Choice(p.code, f"{p.name} ({p.code})") for p in state.parties),
        milestones=milestones,
        next_milestone=f"M{number}",
    )


def expected_version(values: Mapping[str, str]) -> int:
    raw = values.get("expected_version", "")
    if not raw.isdigit() or len(raw) > 9:
        raise FormErrors(
            {"_form": ["This form is out of date or incomplete: reload it and try again."]}
        )
    return int(raw)


def refused(error: Exception, names: set[str], prefix: str = "") -> Outcome:
    """A domain refusal: its message on top, and at the field it names if the form has it."""
    if isinstance(error, DomainError):
        message, target = refusal_text(error), error.field
    elif isinstance(error, InvalidEventData):
        message, target = f"{error.field}: {error.message}", error.field
    else:
        message, target = str(error), None
    outcome = Outcome(422, refusal=message)
    if target:
        name = target if target in names or not prefix else prefix + target.split(".")[-1]
        if name in names or (name.startswith(prefix) and name[len(prefix) :] in names):
            outcome.errors[name] = [message]
    return outcome


def conflict_since(ref: str, version: int) -> list[HistoryRow]:
    registry = get_registry()
    opened = registry.opened_events(ref)
    state = registry.state(ref)
    return [row for row in history_rows(opened, state, state, False) if row.version > version]


def recorded_message(type_name: str, recorded: Recorded) -> str:
    key = get_registry().trust().current_keyid(current_user.username, _now())
    title, version = event_title(type_name).lower(), recorded.version
    if key:
        return _(
            "Recorded: %(title)s (event %(number)s, signed with your key %(key)s).",
            title=title,
            number=version,
            key=key,
        )
    return _("Recorded: %(title)s (event %(number)s).", title=title, number=version)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def extra_rows() -> int:
    return 2 if request.method == "POST" and request.form.get("more_rows") else 0


# -- drafting ----------------------------------------------------------------------------------


@bp.route("/agreements/new", methods=["GET", "POST"])
@gives_its_form_back_on_unsafe_text
@roles_required(Role.OFFICER)
def draft() -> ResponseReturnValue:
    form = event_form("Drafted")
    page = {"action": url_for("agreements.draft"), "submit_label": _("Draft the agreement")}
    if request.method == "GET":
        return render_form(form, FormState(form.defaults), nav="draft", **page)
    values = request.form
    if values.get("more_rows"):
        return render_form(form, FormState(values, extra_rows=2), nav="draft", **page)
    try:
        posted = read_event(form, values)
        get_registry().draft(
            effective=PartialDate.parse(posted.effective),
            actor=current_user.username,
            data=posted.data,
            source=posted.source,
            reason=posted.reason,
        )
    except FormErrors as problem:
        outcome = Outcome(400, problem.errors)
    except VersionConflict:
        reference = values.get("reference", "").strip()
        message = f"There is already an agreement with the reference {reference}."
        outcome = Outcome(409, {"reference": [message + " Choose another reference."]}, message)
    except (
        DomainError,
        InvalidEventData,
        SigningRefused,
        KeyStoreError,
        EnvelopeTooLarge,
    ) as error:
        outcome = refused(error, {f.name for f in form.all_fields})
    else:
        reference = posted.data["reference"].strip()
        flash(_("Drafted %(ref)s (event 1, signed with your key).", ref=reference), "success")
        return redirect(url_for("agreements.show", ref=reference))
    return render_form(
        form, FormState(values, outcome.errors), outcome=outcome, nav="draft", **page
    )


# -- recording ---------------------------------------------------------------------------------


@bp.get("/agreements/<ref>/record")
@roles_required(Role.OFFICER)
def choose(ref: str) -> ResponseReturnValue:
    type_name = request.args.get("type", "")
    if type_name not in RECORDABLE:
        abort(404)
    return redirect(url_for("agreements.record", ref=ref, type_name=type_name))


@bp.route("/agreements/<ref>/record/<type_name>", methods=["GET", "POST"])
@gives_its_form_back_on_unsafe_text
@roles_required(Role.OFFICER)
def record(ref: str, type_name: str) -> ResponseReturnValue:
    if type_name not in RECORDABLE:
        abort(404)
    agreement = load_agreement(ref)
    form = event_form(type_name, context_of(agreement))
    page = {
        "reference": agreement.reference,
        "action": url_for("agreements.record", ref=agreement.reference, type_name=type_name),
        "submit_label": _("Record and sign"),
    }
    if request.method == "GET":
        return render_form(
            form, FormState(form.defaults), expected_version=agreement.version, **page
        )
    values = request.form
    if values.get("more_rows"):
        return render_form(
            form,
            FormState(values, extra_rows=2),
            expected_version=values.get("expected_version"),
            **page,
        )
    upload: dict[str, Any] | None = None
    try:
        version = expected_version(values)
        upload, upload_errors = received_upload(form)
        try:
            posted = read_event(form, values, extra=upload or _placeholder(form))
        except FormErrors as problem:
            raise FormErrors({**upload_errors, **problem.errors}) from None
        if upload_errors:
            raise FormErrors(upload_errors)
        recorded = get_registry().record(
            agreement.id,
            type_name,
            effective=PartialDate.parse(posted.effective),
            actor=current_user.username,
            data=posted.data,
            source=posted.source,
            reason=posted.reason,
            expected_version=version,
        )
    except FormErrors as problem:
        outcome = Outcome(400, problem.errors)
    except VersionConflict:
        outcome = Outcome(409, conflict=conflict_since(ref, int(values["expected_version"])))
    except (
        DomainError,
        InvalidEventData,
        SigningRefused,
        KeyStoreError,
        EnvelopeTooLarge,
    ) as error:
        outcome = refused(error, {f.name for f in form.all_fields})
    else:
        flash(recorded_message(type_name, recorded), "success")
        return redirect(
            url_for("agreements.show", ref=agreement.reference, _anchor=f"event-{recorded.version}")
        )
    latest = get_registry().agreement(agreement.id).version
    return render_form(
        form,
        FormState(values, outcome.errors),
        outcome=outcome,
        expected_version=latest if outcome.conflict is not None else values.get("expected_version"),
        uploaded=upload,
        **page,
    )


def _placeholder(form: EventForm) -> dict[str, Any] | None:
    return dict(_PLACEHOLDER_UPLOAD) if form.field("file") else None


def received_upload(form: EventForm) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The uploaded file's facts (stored content-addressed), or why it was refused."""
    if form.field("file") is None:
        return None, {}
    file = request.files.get("file")
    try:
        if (file is None or not file.filename) and request.form.get("uploaded"):
            return kept_upload(request.form), {}
        found = accept_upload(file)
    except UploadRefused as refusal:
        return None, {"file": [str(refusal)]}
    return {
        "sha256": found.sha256,
        "filename": found.filename,
        "media_type": found.media_type,
        "size": found.size,
    }, {}


def kept_upload(values: Mapping[str, str]) -> dict[str, Any]:
    """A file received with an earlier submission of this form (kept across a re-render)."""
    sha256 = values.get("uploaded", "")
    filename = text_value(values.get("uploaded_name")) or "document"
    try:
        content = documents().read(sha256)
    except DocumentError:
        raise UploadRefused(
            "The file sent earlier is no longer available: choose it again."
        ) from None
    media_type = media_type_of(content, filename)
    if media_type is None:
        raise UploadRefused("Choose the file again.")
    return {"sha256": sha256, "filename": filename, "media_type": media_type, "size": len(content)}


def render_form(
    form: EventForm,
    fs: FormState,
    *,
    outcome: Outcome | None = None,
    expected_version: Any = None,
    uploaded: Mapping[str, Any] | None = None,
    **page: Any,
) -> ResponseReturnValue:
    labels = {f.name: f.label for f in form.all_fields}
    labels.update({NEW + f.name: f.label for f in form.fields})
    for f in page.get("pre_fields", ()):
        labels[f.name] = f.label
    for key in fs.errors:
        if key not in labels:
            base = max((n for n in labels if key.startswith(n + "-")), key=len, default=None)
            if base is not None:
                labels[key] = f"{labels[base]}, {describe_input(key[len(base) + 1 :])}"
    page.setdefault("reference", None)
    page.setdefault("prefix", "")
    order = [f.name for f in page.get("pre_fields", ())]
    order += [page["prefix"] + f.name for f in form.fields] + [f.name for f in form.common]
    return (
        render_template(
            "agreements/form.html",
            form=form,
            fs=fs,
            field_labels=labels,
            summary=fs.summary(["_form", *order]),
            refusal=outcome.refusal if outcome else None,
            conflict=outcome.conflict if outcome else None,
            expected_version=expected_version,
            uploaded=uploaded if uploaded and uploaded.get("sha256") != "0" * 64 else None,
            **page,
        ),
        outcome.status if outcome else 200,
    )
