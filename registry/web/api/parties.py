"""/api/v1/parties/{code}/agreements: a party's agreements as of a date, known at an instant.

The rows come from `store.party_view` (one indexed query over the party status intervals).
`format=csv` answers the same rows as text/csv.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from registry.store.public import PARTY_SORTS, Filters, PartyFiltersSchema, Registry
from registry.web.api.base import CACHE_HEADERS, READ_SECURITY, api_blueprint, problems
from registry.web.api.schemas import UtcInstantField
from registry.web.extensions import get_registry

blp = api_blueprint(
    "api_parties",
    __name__,
    url_prefix="/api/v1/parties",
    description="Parties: every agreement a state or organisation takes part in.",
)

# flask-smorest documents one content type per response: JSON, and with format=csv, CSV
CONTENT = {
    "application/json": {"schema": {"$ref": "#/components/schemas/PartyAgreements"}},
    "text/csv": {"schema": {"type": "string"}},
}
SORT_CHOICES = [*PARTY_SORTS, *(f"-{s}" for s in PARTY_SORTS)]


class PartyQuerySchema(PartyFiltersSchema):
    """The party view's filters (registry/store/reads/filters.py), as a query."""

    class Meta(PartyFiltersSchema.Meta):
        exclude = (*PartyFiltersSchema.Meta.exclude, "dir")

    sort = fields.String(
        validate=validate.OneOf(SORT_CHOICES),
        metadata={"description": "Column to sort by; a leading '-' sorts latest first."},
    )
    known_at = UtcInstantField(  # documented as a date-time (openapi_extras.py)
        metadata={
            "description": PartyFiltersSchema._declared_fields["known_at"].metadata["description"]
        }
    )


class FormatSchema(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class PartyAgreementSchema(Schema):
    id = fields.String()
    reference = fields.String()
    title = fields.String()
    kind = fields.String()
    status = fields.String(metadata={"description": "The agreement's status."})
    party_status = fields.String(metadata={"description": "The party's standing."})
    signed = fields.String(allow_none=True)
    consent = fields.String(allow_none=True)
    consented = fields.String(allow_none=True)
    in_force = fields.String(allow_none=True)
    withdrawal = fields.String(allow_none=True)


class PartyAgreementsSchema(Schema):
    party = fields.String()
    name = fields.String()
    as_of = fields.String(allow_none=True)
    known_at = fields.String(allow_none=True)
    agreements = fields.List(fields.Nested(PartyAgreementSchema))


@blp.route("/<string:code>/agreements")
class PartyAgreementsView(MethodView):
    @blp.arguments(PartyQuerySchema, location="query")
    @blp.arguments(FormatSchema, location="query")
    @blp.response(200, PartyAgreementsSchema, headers=CACHE_HEADERS)
    @problems(blp, 304, 400, 401, 429)
    @blp.doc(
        security=READ_SECURITY,
        responses={"200": {"description": "The party's agreements", "content": CONTENT}},
    )
    def get(self, filters: Filters, output: dict[str, Any], code: str) -> Any:
        """A party's agreements, with its acts and standing, as of a date and known at an instant

        Every agreement the party (ISO 3166-1 alpha-3 code, or an organisation's code such as
        EUU) takes part in: its signature, consent (kind and date), entry into force and
        withdrawal for that party. Filter by standing, status and date ranges; sort by any
        of those dates. `format=csv` for a spreadsheet.
        """
        found = get_registry().party_agreements(replace(filters, party=code))
        if output["format"] == "csv":
            return Response(
                Registry.party_csv(found),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{found.code}.csv"'},
            )
        return found.to_dict()
