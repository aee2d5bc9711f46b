"""The API's own schemas: query strings, responses, problems. Bodies use registry.web.schemas.

The state document is generated from the domain's `AgreementState` dataclasses, field by field,
so the schema that documents and serialises it cannot drift from what `to_dict()` produces
(tests/api check that dumping is the identity on real states).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any, Union
from uuid import UUID

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.domain.dates import PartialDate
from registry.domain.state import AgreementState
from registry.store.public import AS_OF_SORTS, MAX_LIMIT, FiltersSchema
from registry.web.schemas import InstantField

LIST_LIMIT_MAX = MAX_LIMIT
ENTRIES_LIMIT_MAX = 1000


class UtcInstantField(InstantField):
    """An instant, normalised to UTC; one that cannot be expressed in UTC is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            raise self.make_error("invalid") from None


# Queries ------------------------------------------------------------------------------------------


class AsOfQuerySchema(Schema):
    as_of = fields.Date(
        metadata={"description": "State of the world on this date (default: every known act)."}
    )
    known_at = UtcInstantField(
        metadata={
            "description": "Using only what was recorded by this instant (default: everything); "
            "a bare date means the end of that day, UTC."
        }
    )


class ListQuerySchema(FiltersSchema):
    """The list's filters (registry/store/reads/filters.py), paged by `cursor` or `page`."""

    class Meta(FiltersSchema.Meta):
        exclude = ("dir",)

    sorts = AS_OF_SORTS
    page_size = 50
    sort = fields.String(
        validate=validate.OneOf([f"{way}{key}" for key in AS_OF_SORTS for way in ("", "-")]),
        metadata={
            "description": "By reference (the default), the first signature or the first entry "
            "into force (with `party`: that party's own); '-' for latest first. Any order but "
            "the default pages with `page`."
        },
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=LIST_LIMIT_MAX), metadata={"default": 50}
    )
    known_at = UtcInstantField(  # documented as a date-time (openapi_extras.py)
        metadata={"description": FiltersSchema._declared_fields["known_at"].metadata["description"]}
    )
    page = fields.Integer(
        validate=validate.Range(min=1, max=1_000_000),
        metadata={
            "description": "Page number, from 1, of `limit` items each: instead of a cursor, "
            "never with one (400)."
        },
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "Opaque: the `next` cursor of the previous page, sent with the same "
            "filters. Use either `cursor` or `page`, not both (400)."
        },
    )

    @validates_schema
    def one_way_of_paging(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "cursor" in data and "page" in data:
            raise ValidationError("Use either cursor or page, not both.", "page")
        if "cursor" in data and data.get("sort", "reference") != "reference":
            raise ValidationError("A cursor pages by reference: use page with sort.", "cursor")


class EntriesQuerySchema(Schema):
    start = fields.Integer(
        required=True,
        validate=validate.Range(min=0, max=2**53 - 1),
        metadata={"description": "The first leaf index to return."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=ENTRIES_LIMIT_MAX))


class InclusionQuerySchema(Schema):
    index = fields.Integer(required=True, validate=validate.Range(min=0, max=2**53 - 1))
    size = fields.Integer(
        validate=validate.Range(min=1, max=2**53 - 1),
        metadata={"description": "Tree size to prove against (default: the latest checkpoint)."},
    )


class ConsistencyQuerySchema(Schema):
    first = fields.Integer(required=True, validate=validate.Range(min=1, max=2**53 - 1))
    second = fields.Integer(
        validate=validate.Range(min=1, max=2**53 - 1),
        metadata={"description": "The larger tree size (default: the latest checkpoint)."},
    )


class CheckpointQuerySchema(Schema):
    size = fields.Integer(
        validate=validate.Range(min=0, max=2**53 - 1),
        metadata={"description": "An archived checkpoint of this size (default: the latest)."},
    )


# The state document, generated from the domain's dataclasses --------------------------------------


def _state_field(hint: Any) -> fields.Field:
    nullable = False
    if typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(hint):
        nullable = True
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    options: dict[str, Any] = {"required": True, "allow_none": nullable}
    origin = typing.get_origin(hint)
    if hint in (str, PartialDate, UUID, datetime, date):  # to_dict() gives their wire text
        return fields.String(**options)
    if hint is bool:
        return fields.Boolean(**options)
    if hint is int:
        return fields.Integer(**options)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return fields.String(validate=validate.OneOf([m.value for m in hint]), **options)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return fields.Nested(row_schema(hint), **options)
    if origin is tuple:
        return fields.List(_state_field(typing.get_args(hint)[0]), **options)
    if origin is dict:
        values = fields.String() if typing.get_args(hint)[1] is str else fields.Raw()
        return fields.Dict(keys=fields.String(), values=values, **options)
    raise TypeError(f"no response field for {hint!r}")


@cache
def row_schema(cls: type) -> type[Schema]:
    hints = typing.get_type_hints(cls)
    declared = {f.name: _state_field(hints[f.name]) for f in dataclasses.fields(cls)}
    return Schema.from_dict(declared, name=cls.__name__)


def state_schema() -> type[Schema]:
    """The document of GET /agreements/{id}: exactly `AgreementState.to_dict()`."""
    return row_schema(AgreementState)


# Listing ------------------------------------------------------------------------------------------


class PartySummarySchema(Schema):
    code = fields.String(required=True)
    status = fields.String(required=True)


class AgreementSummarySchema(Schema):
    id = fields.String(required=True)
    reference = fields.String(required=True)
    title = fields.String(required=True)
    titles = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    kind = fields.String(required=True)
    character = fields.String(required=True)
    status = fields.String(required=True)
    parties = fields.List(fields.Nested(PartySummarySchema), required=True)
    url = fields.String(required=True)


class AgreementListSchema(Schema):
    items = fields.List(fields.Nested(AgreementSummarySchema), required=True)
    total = fields.Integer(required=True)
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Matching agreements by status (ignoring `status`)."},
    )
    limit = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


# Envelopes, proofs, bundles -----------------------------------------------------------------------


class SignatureSchema(Schema):
    keyid = fields.String(required=True)
    sig = fields.String(required=True)


class EnvelopeSchema(Schema):
    """A DSSE envelope; its canonical JSON (RFC 8785) is the exact bytes that were signed."""

    payload = fields.String(required=True)
    payloadType = fields.String(required=True)
    signatures = fields.List(fields.Nested(SignatureSchema), required=True)


class RecordSchema(Schema):
    """An envelope with its leaf index and inclusion proof against a signed checkpoint."""

    envelope = fields.Nested(EnvelopeSchema, required=True)
    index = fields.Integer(required=True)
    inclusion = fields.List(fields.String(), required=True)
    checkpoint = fields.String(required=True)
    tlog_proof = fields.String(required=True)


class AgreementEventsSchema(Schema):
    agreement = fields.String(required=True)
    reference = fields.String(required=True)
    version = fields.Integer(required=True)
    size = fields.Integer(required=True)
    checkpoint = fields.String(required=True)
    events = fields.List(fields.Nested(RecordSchema), required=True)


class BundleSchema(Schema):
    """An offline proof bundle: verify with `registry verify-bundle FILE --keys DIR`."""

    format = fields.String(required=True)
    origin = fields.String(required=True)
    checkpoint = fields.String(required=True)
    keyring = fields.List(fields.Nested(RecordSchema), required=True)
    events = fields.List(fields.Nested(RecordSchema), required=True)
    complete = fields.Boolean(required=True)


class RecordedSchema(Schema):
    """What a POST stored: the new version, its signed envelope and its proof."""

    agreement = fields.String(required=True)
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    recorded = fields.String(required=True)
    url = fields.String(required=True)
    record = fields.Nested(RecordSchema, required=True)


class EntrySchema(Schema):
    index = fields.Integer(required=True)
    agreement = fields.String(required=True)
    version = fields.Integer(required=True)
    type = fields.String(required=True)
    recorded = fields.String(required=True)
    envelope = fields.Nested(EnvelopeSchema, required=True)


class EntriesSchema(Schema):
    start = fields.Integer(required=True)
    entries = fields.List(fields.Nested(EntrySchema), required=True)
    next = fields.String(required=True, allow_none=True)


class InclusionProofSchema(Schema):
    index = fields.Integer(required=True)
    size = fields.Integer(required=True)
    hashes = fields.List(fields.String(), required=True)
    checkpoint = fields.String(required=True, allow_none=True)


class ConsistencyProofSchema(Schema):
    first = fields.Integer(required=True)
    second = fields.Integer(required=True)
    hashes = fields.List(fields.String(), required=True)
    checkpoint = fields.String(required=True, allow_none=True)


class KeyEntrySchema(Schema):
    keyid = fields.String(required=True)
    owner = fields.String(required=True)
    role = fields.String(required=True)
    public_key = fields.String(required=True)


class AnchorsSchema(Schema):
    keys = fields.List(fields.Nested(KeyEntrySchema), required=True)


class OfficerKeySchema(Schema):
    officer = fields.String(required=True)
    keyid = fields.String(required=True)
    role = fields.String(required=True)
    public_key = fields.String(required=True)
    valid_after = fields.String(required=True)
    valid_until = fields.String(required=True, allow_none=True)
    ended = fields.String(required=True, allow_none=True)


class KeysSchema(Schema):
    origin = fields.String(required=True)
    anchors = fields.Nested(AnchorsSchema, required=True)
    log_vkey = fields.String(required=True)
    keyring_version = fields.Integer(required=True)
    officer_keys = fields.List(fields.Nested(OfficerKeySchema), required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details, with the registry's `code`, `field` and `errors`."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    code = fields.String()
    field = fields.String(allow_none=True)
    errors = fields.Dict()
    problems = fields.List(
        fields.Dict(),
        metadata={"description": "A refused status table: each problem, with its `line`."},
    )
