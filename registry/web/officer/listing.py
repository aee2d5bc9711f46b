"""GET /agreements: search by title, filter by party, kind, character and status, sort, page."""

from __future__ import annotations

from types import SimpleNamespace

from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue

from registry.domain.dates import PartialDate
from registry.domain.timeline import signed_on, took_effect
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter
from registry.store.public import CURRENT_SORTS, FiltersSchema, Registry
from registry.web.auth import landing_page
from registry.web.extensions import get_registry
from registry.web.forms_text import choice_label, load_query
from registry.web.officer import bp
from registry.web.officer.party_names import party_names

PAGE_SIZE = 20


class ListArgs(FiltersSchema):
    """The officers' list: the agreements as they stand now, 20 to a page."""

    class Meta(FiltersSchema.Meta):
        exclude = ("as_of", "known_at")

    sorts = CURRENT_SORTS
    page_size = PAGE_SIZE


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(landing_page())


@bp.get("/agreements")
def index() -> ResponseReturnValue:
    query, problems = load_query(ListArgs(), request.args.to_dict())
    registry = get_registry()
    found = registry.current_agreements(query)
    dates = {row["reference"]: key_dates(registry, row["reference"]) for row in found.rows}
    return (
        render_template(
            "agreements/list.html",
            nav="agreements",
            # the form's values as text, as the template compares them with its options
            query=SimpleNamespace(
                **query.selection(), sort=query.sort, descending=query.descending
            ),
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
        400 if problems else 200,
    )


def key_dates(registry: Registry, reference: str) -> tuple[PartialDate | None, PartialDate | None]:
    """(signed, took effect) of one listed agreement, from its verified events (a page holds
    at most PAGE_SIZE rows, and aggregates are cached)."""
    state = registry.state(reference)
    return signed_on(state), took_effect(state)
