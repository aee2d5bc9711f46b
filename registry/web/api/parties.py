"""/api/v1/parties/{code}/agreements: a party's agreements as of a date, known at an instant.

The rows come from `store.party_view` (one indexed query over the party status intervals).
`format=csv` answers the same rows as text/csv.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from registry.domain.values import AgreementStatus, PartyStatus
from registry.store.reads.party_view import (
    DATED,
    SORTS,
    InvalidPartyQuery,
    PartyFilters,
    party_agreements,
    to_csv,
)
from registry.web.api.base import CACHE_HEADERS, READ_SECURITY, api_blueprint, problems
from registry.web.api.schemas import AsOfQuerySchema
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
SORT_CHOICES = [*SORTS, *(f"-{s}" for s in SORTS)]


class PartyQuerySchema(AsOfQuerySchema):
    status = fields.String(
        validate=validate.OneOf([s.value for s in PartyStatus]),
        metadata={"description": "Only the agreements where the party has this standing."},
    )
    agreement_status = fields.String(validate=validate.OneOf([s.value for s in AgreementStatus]))
    sort = fields.String(
        load_default="reference",
        validate=validate.OneOf(SORT_CHOICES),
        metadata={"description": "Column to sort by; a leading '-' sorts latest first."},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


def _dated(name: str, end: str) -> fields.Date:
    return fields.Date(metadata={"description": f"Only rows whose {name} date is {end} this."})


# Date ranges, one pair per date a party's row shows (store.party_view.DATED).
DatedQuerySchema = Schema.from_dict(
    {f"{name}_{end}": _dated(name, end) for name in DATED for end in ("from", "to")}
)


class PartyQueryWithDatesSchema(PartyQuerySchema, DatedQuerySchema):  # type: ignore[misc,valid-type]
    pass


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
    @blp.arguments(PartyQueryWithDatesSchema, location="query")
    @blp.response(200, PartyAgreementsSchema, headers=CACHE_HEADERS)
    @problems(blp, 304, 400, 401, 429)
    @blp.doc(
        security=READ_SECURITY,
        responses={"200": {"description": "The party's agreements", "content": CONTENT}},
    )
    def get(self, query: dict[str, Any], code: str) -> Any:
        """A party's agreements, with its acts and standing, as of a date and known at an instant

        Every agreement the party (ISO 3166-1 alpha-3 code, or an organisation's code such as
        EUU) takes part in: its signature, consent (kind and date), entry into force and
        withdrawal for that party. Filter by standing, status and date ranges; sort by any
        of those dates. `format=csv` for a spreadsheet.
        """
        ranges = {
            name: (query.get(f"{name}_from"), query.get(f"{name}_to"))
            for name in DATED
            if query.get(f"{name}_from") or query.get(f"{name}_to")
        }
        try:
            filters = PartyFilters.parse(
                status=query.get("status"),
                agreement_status=query.get("agreement_status"),
                sort=query["sort"],
                ranges=ranges,
            )
        except InvalidPartyQuery as error:
            raise ValidationError({"sort": [str(error)]}) from None
        found = party_agreements(
            get_registry(), code, query.get("as_of"), query.get("known_at"), filters
        )
        if query["format"] == "csv":
            return Response(
                to_csv(found),
                mimetype="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{found.code}.csv"'},
            )
        return found.to_dict()
