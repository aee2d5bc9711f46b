"""GET /agreements: search by title, filter by party, kind, character and status, sort, page."""

from __future__ import annotations

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from registry.domain.dates import PartialDate
from registry.domain.timeline import signed_on, took_effect
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter
from registry.store.application import Registry
from registry.web.auth import landing_page
from registry.web.extensions import get_registry
from registry.web.forms_text import choice_label
from registry.web.officer import bp
from registry.web.officer.party_names import party_names
from registry.web.officer.queries import SORTS, ListQuery, list_agreements


def _choice(enum: type) -> fields.String:
    values = [member.value for member in enum]  # type: ignore[attr-defined]
    return fields.String(load_default=None, validate=validate.OneOf(["", *values]))


class ListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None, validate=validate.Length(max=200))
    party = fields.String(load_default=None, validate=validate.Length(max=32))
    kind = _choice(AgreementKind)
    character = _choice(LegalCharacter)
    status = _choice(AgreementStatus)
    sort = fields.String(load_default="reference", validate=validate.OneOf(list(SORTS)))
    dir = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(landing_page())


@bp.get("/agreements")
def index() -> ResponseReturnValue:
    status = 200
    problems: list[str] = []
    try:
        args = ListArgs().load(request.args)
    except ValidationError as error:
        problems = [f"{name}: {' '.join(map(str, m))}" for name, m in error.messages.items()]  # type: ignore[union-attr]
        args = ListArgs().load({})
        status = 400
    query = ListQuery(
        q=(args["q"] or "").strip() or None,
        party=args["party"] or None,
        kind=args["kind"] or None,
        character=args["character"] or None,
        status=args["status"] or None,
        sort=args["sort"],
        descending=args["dir"] == "desc",
        page=args["page"],
    )
    registry = get_registry()
    found = list_agreements(registry, query)
    dates = {row["reference"]: key_dates(registry, row["reference"]) for row in found.rows}
    return (
        render_template(
            "agreements/list.html",
            nav="agreements",
            query=query,
            found=found,
            dates=dates,
            party_names=party_names(registry),
            problems=problems,
            kinds=[(k.value, choice_label(k.value)) for k in AgreementKind],
            characters=[(c.value, choice_label(c.value)) for c in LegalCharacter],
            statuses=[
                (s.value, choice_label(s.value))
                for s in AgreementStatus
                if s is not AgreementStatus.NOT_YET_DRAFTED
            ],
        ),
        status,
    )


def key_dates(registry: Registry, reference: str) -> tuple[PartialDate | None, PartialDate | None]:
    """(signed, took effect) of one listed agreement, from its verified events (a page holds
    at most PAGE_SIZE rows, and aggregates are cached)."""
    state = registry.state(reference)
    return signed_on(state), took_effect(state)
