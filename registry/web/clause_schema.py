"""The marshmallow schema of an agreement's final clauses (domain/clauses.py documents the JSON
form): field errors by path for the API, and a JSON textarea for the forms.

The schema checks the shape; the domain's parse_clauses then checks what it alone knows (a
clause's date is a day), so both entrypoints refuse the same clauses with the same words.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.domain.clauses import InvalidClause, parse_clauses

DAYS = validate.Range(min=0, max=100_000)


def count(minimum: int = 0, **options: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=100_000), **options)


def one_of(data: dict[str, Any], keys: tuple[str, ...], what: str) -> None:
    if sum(key in data for key in keys) != 1:
        raise ValidationError(f"Give exactly one of {', '.join(keys)} for {what}.")


class EntryIntoForceSchema(Schema):
    date = fields.String(
        validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Enter a day like 2016-11-04."),
        metadata={"description": "General entry into force on this day.", "example": "2016-11-04"},
    )
    instruments = count(1, metadata={"description": "The N-th instrument of consent deposited."})
    days_after = count(metadata={"description": "Days after the N-th instrument (with N)."})
    later_parties_days_after_deposit = count(
        metadata={"description": "For a party bound later: days after its own deposit."}
    )
    as_recorded = fields.Boolean(
        truthy={True}, falsy=set(), metadata={"description": "As recorded (no rule)."}
    )

    @validates_schema
    def check_rule(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_of(data, ("date", "instruments", "as_recorded"), "entry_into_force")


class NoticeSchema(Schema):
    months = count()
    years = count()

    @validates_schema
    def check_unit(self, data: dict[str, Any], **kwargs: Any) -> None:
        one_of(data, ("months", "years"), "notice")


EarliestSchema = Schema.from_dict(
    {
        "years": count(required=True),
        "from": fields.String(validate=validate.OneOf(("agreement", "party"))),
    },
    name="WithdrawalEarliestSchema",
)


class WithdrawalSchema(Schema):
    notice = fields.Nested(NoticeSchema)
    earliest = fields.Nested(
        EarliestSchema,
        metadata={"description": "No earlier than N years after the agreement's or the party's "
                  "entry into force."},
    )  # fmt: skip


class TacitRenewalSchema(Schema):
    years = count(1, required=True)


class DurationSchema(Schema):
    years = count(1, required=True)
    tacit_renewal = fields.Nested(TacitRenewalSchema)


class ClausesSchema(Schema):
    entry_into_force = fields.Nested(EntryIntoForceSchema)
    withdrawal = fields.Nested(WithdrawalSchema)
    duration = fields.Nested(DurationSchema)


EXAMPLE = {
    "entry_into_force": {
        "instruments": 20,
        "days_after": 30,
        "later_parties_days_after_deposit": 30,
    },
    "withdrawal": {"notice": {"years": 1}, "earliest": {"years": 3, "from": "party"}},
}


class ClausesField(fields.Nested):
    """The clauses as an object (API) or as JSON text (a form's textarea)."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("metadata", {"example": EXAMPLE})
        super().__init__(ClausesSchema, allow_none=True, load_default=None, **options)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValidationError(f"Enter the clauses as JSON: {error.msg}.") from None
        loaded = super()._deserialize(value, attr, data, **kwargs)
        try:
            parse_clauses(loaded)
        except InvalidClause as error:
            raise ValidationError(str(error)) from None
        return loaded
