"""Corrections: from any event of the history, a form that records an EventCorrected.

The form shows the event as it stands (with earlier corrections applied); only the values the
officer changes go into `changes`, and a reason is mandatory (the domain says so).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from registry.domain.codec import InvalidEventData, event_data
from registry.domain.corrections import Corrections
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.store.public import (
    EnvelopeTooLarge,
    KeyStoreError,
    Role,
    SigningRefused,
    VersionConflict,
)
from registry.web.auth import roles_required
from registry.web.extensions import get_registry
from registry.web.forms import (
    EVENT_CLASSES,
    SERVER_FILLED,
    Choice,
    Context,
    EventForm,
    FormErrors,
    FormField,
    FormState,
    collect,
    event_form,
    form_values,
    read_field,
    refuse_unsafe_text,
    text_value,
)
from registry.web.forms_text import choice_label, event_title, plain
from registry.web.i18n import N_
from registry.web.input_rules import gives_its_form_back_on_unsafe_text
from registry.web.officer import bp
from registry.web.officer.present import localised
from registry.web.officer.recording import (
    NEW,
    Outcome,
    conflict_since,
    context_of,
    expected_version,
    load_agreement,
    recorded_message,
    refused,
    render_form,
)
from registry.web.schemas import CommonSchema, PartialDateField, data_schema

# -- corrections -------------------------------------------------------------------------------


def correction_fields(target_type: str, context: Context) -> tuple[FormField, ...]:
    """The fields of the event to correct that a correction may change."""
    target_form = event_form(target_type, context)
    found = [f for f in target_form.fields if f.kind != "file" and f.name != "reference"]
    found.append(
        FormField(
            "source",
            _("Source of the corrected event"),
            "text",
            False,
            _("Where the corrected facts come from."),
        )
    )
    return tuple(found)


NEW_DATE_HINT = N_(
    "A year, a month or a day: 2026, 2026-02 or 2026-02-03. Leave blank to keep the date."
)


def correction_own_fields() -> tuple[FormField, ...]:
    actions = tuple(Choice(a, choice_label(a)) for a in ("supersede", "retract"))
    return (
        FormField("action", _("What to do"), "select", True, None, actions),
        FormField(
            "new_effective",
            _("New effective date"),
            "date",
            False,
            _(NEW_DATE_HINT),
        ),
    )


@bp.route("/agreements/<ref>/events/<int:version>/correct", methods=["GET", "POST"])
@gives_its_form_back_on_unsafe_text
@roles_required(Role.OFFICER)
def correct(ref: str, version: int) -> ResponseReturnValue:
    agreement = load_agreement(ref)
    events = {e.originator_version: e for e in agreement.history}
    target = events.get(version)
    if target is None or type(target).__name__ == "EventCorrected":
        abort(404)
    target_type = type(target).__name__
    corrections = Corrections()
    for event in agreement.history:
        corrections.take(event)
    current_fact = corrections.facts.get(version, target)
    current = event_data(current_fact)
    base = event_form("EventCorrected")
    form = EventForm(
        "EventCorrected",
        _(
            "Correct event %(number)s: %(title)s",
            number=version,
            title=event_title(target_type).lower(),
        ),
        _(
            "A correction is a new signed event: the original stays in the history, marked as "
            "corrected. Change only what was wrong, and say why."
        ),
        correction_fields(target_type, context_of(agreement)),
        base.common,
    )
    own = correction_own_fields()
    page = {
        "reference": agreement.reference,
        "action": url_for("agreements.correct", ref=agreement.reference, version=version),
        "submit_label": _("Record the correction"),
        "prefix": NEW,
        "pre_fields": own,
        "pre_legend": _(
            "The correction (the event is now effective %(day)s)",
            day=localised(current_fact.effective),
        ),
        "fields_legend": _("Corrected values (change only what was wrong)"),
        "heading": form.title,
    }
    if request.method == "GET":
        values = form_values(form.fields, current, NEW)
        values.update(action="supersede", effective=date.today().isoformat())
        return render_form(form, FormState(values), expected_version=agreement.version, **page)
    values = request.form
    if values.get("more_rows"):
        return render_form(
            form,
            FormState(values, extra_rows=2),
            expected_version=values.get("expected_version"),
            **page,
        )
    try:
        expected = expected_version(values)
        common, data = read_correction(form, own, values, target_type, current, version)
        recorded = get_registry().record(
            agreement.id,
            "EventCorrected",
            effective=PartialDate.parse(common["effective"]),
            actor=current_user.username,
            data=data,
            source=common["source"],
            reason=common["reason"],
            expected_version=expected,
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
        names = {f.name for f in (*form.common, *own)} | {NEW + f.name for f in form.fields}
        outcome = refused(error, names, NEW)
    else:
        flash(recorded_message("EventCorrected", recorded), "success")
        return redirect(
            url_for("agreements.show", ref=agreement.reference, _anchor=f"event-{recorded.version}")
        )
    latest = get_registry().agreement(agreement.id).version
    return render_form(
        form,
        FormState(values, outcome.errors),
        outcome=outcome,
        expected_version=latest if outcome.conflict is not None else values.get("expected_version"),
        **page,
    )


def read_correction(
    form: EventForm,
    own: tuple[FormField, ...],
    values: MultiDict[str, str],
    target_type: str,
    current: dict[str, Any],
    version: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The correction's common fields and data; `changes` holds only what differs."""
    refuse_unsafe_text()
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for form_field in form.fields:
        try:
            value = read_field(form_field, values, NEW)
        except FormErrors as problem:
            errors.update(problem.errors)
            continue
        if value != current.get(form_field.name) and not (
            value is None and current.get(form_field.name) in (None, "", [], {})
        ):
            changes[form_field.name] = value
    target_schema = data_schema(EVENT_CLASSES[target_type])()
    hidden = SERVER_FILLED.get(target_type, frozenset()) | {"source"}
    own_changes = {k: v for k, v in changes.items() if k not in hidden}
    loaded_changes = collect(errors, lambda: target_schema.load(own_changes, partial=True), NEW)
    if "source" in changes:
        source = collect(
            errors,
            lambda: CommonSchema().load({"effective": "2000", "source": changes["source"]}),
            NEW,
        )
        if loaded_changes is not None and source is not None:
            loaded_changes["source"] = source["source"]
    raw_common = {f.name: read_field(f, values) for f in form.common}
    common = collect(errors, lambda: CommonSchema().load(raw_common))
    new_effective = None
    raw_new_effective = text_value(values.get("new_effective"))
    if raw_new_effective is not None:
        try:
            new_effective = PartialDateField().deserialize(raw_new_effective)
        except ValidationError as error:
            errors["new_effective"] = [plain(str(m)) for m in error.messages]
    data = {
        "corrects": version,
        "action": text_value(values.get("action")),
        "new_effective": new_effective,
        "changes": loaded_changes or {},
    }
    loaded = collect(errors, lambda: data_schema(EVENT_CLASSES["EventCorrected"])().load(data))
    if errors:
        raise FormErrors(errors)
    assert common is not None and loaded is not None
    return common, loaded
