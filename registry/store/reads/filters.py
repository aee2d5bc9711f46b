"""What a list of agreements asks for: one `Filters`, declared once, parsed by one schema.

The CLI, the officers' list, the auditor's pages and the API all build a `Filters` through
`FiltersSchema` (each entry point a subclass naming its sorts and page size), and so do a
party's pages through `PartyFiltersSchema` (a party's standing and the dates of its acts
besides). The store's queries answer it in SQL (queries.py for the lists, party_view.py for a
party's agreements), and `Filters.matches` is the same selection applied to one agreement's
state (the audit report keeps an agreement that matches in either of its two views). Text
search compares in the one normal form of domain/search_text.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
)

from registry.domain.dates import InvalidDate, parse_moment
from registry.domain.search_text import search_text
from registry.domain.state import AgreementState
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter, PartyStatus

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
AS_OF_SORTS = ("reference", "signed", "in_force")  # the first signature, first entry into force
CURRENT_SORTS = (*AS_OF_SORTS, "title", "kind", "status", "recorded")  # the summary table's
SELECTION = ("party", "kind", "character", "status", "q")  # what selects agreements
# a party's agreements (party_view.py): sorted by its own acts, standing, or the agreement's
# status; filtered by the dates of its acts
PARTY_SORTS = ("reference", "signed", "consented", "in_force", "withdrawal", "party_status",
               "status")  # fmt: skip
DATED = ("signed", "consented", "in_force", "withdrawal")

Dated = tuple[tuple[str, date | None, date | None], ...]  # (act, from, to), both inclusive


@dataclass(frozen=True)
class Filters:
    """Which agreements, on which date as known at which instant, in which order, which page."""

    party: str | None = None  # a party's code: agreements it is a party to on that date
    kind: AgreementKind | None = None
    character: LegalCharacter | None = None
    status: AgreementStatus | None = None
    q: str | None = None  # in the reference or any title, in search_text's normal form
    as_of: date | None = None  # None: no cut-off (every known act)
    known_at: datetime | None = None  # None: everything recorded
    sort: str = "reference"
    descending: bool = False
    page: int | None = None  # from 1; None: the first (the API then pages by cursor)
    limit: int | None = DEFAULT_LIMIT  # None: every agreement
    cursor: str | None = None  # the API's opaque position (registry/web/api/listing.py)
    party_status: PartyStatus | None = None  # with `party`: its standing on that date
    dated: Dated = ()  # with `party`: the days of its acts (DATED), each within a range

    def __post_init__(self) -> None:
        if self.known_at is not None and self.known_at.tzinfo is None:
            raise ValueError("known_at must be timezone-aware")
        for name, _, _ in self.dated:
            if name not in DATED:
                raise ValueError(f"cannot filter by {name!r}: one of {', '.join(DATED)}")

    @property
    def offset(self) -> int:
        return ((self.page or 1) - 1) * (self.limit or 0)

    @property
    def selects(self) -> bool:
        """Whether any filter narrows the list (beyond the date)."""
        return any(getattr(self, name) for name in SELECTION)

    def matches(self, state: AgreementState | None) -> bool:
        """Whether the agreement, in this state, is one the filters select (as the lists do)."""
        if state is None:
            return False
        if self.status is None and state.status is AgreementStatus.NOT_YET_DRAFTED:
            return False  # counted by the lists, but listed only when that status is asked for
        texts = [state.reference, *state.titles.values()]
        party = state.party(self.party) if self.party is not None else None
        return (
            (self.party is None or party is not None)
            and (self.party_status is None or getattr(party, "status", None) is self.party_status)
            and (self.kind is None or state.kind is self.kind)
            and (self.character is None or state.character is self.character)
            and (self.status is None or state.status is self.status)
            and (not self.q or any(search_text(self.q) in search_text(t) for t in texts))
        )

    def selection(self) -> dict[str, str | None]:
        """The selecting filters as text (the audit report's `filters`)."""
        values = {name: getattr(self, name) for name in SELECTION}
        return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}

    @classmethod
    def of_selection(cls, data: dict[str, Any], **others: Any) -> Filters:
        """The inverse of `selection`; a bad value raises ValueError, KeyError or TypeError."""
        return cls(
            party=data["party"],
            kind=AgreementKind(data["kind"]) if data["kind"] else None,
            character=LegalCharacter(data["character"]) if data["character"] else None,
            status=AgreementStatus(data["status"]) if data["status"] else None,
            q=data["q"],
            **others,
        )


class UtcInstant(fields.Field):
    """An instant (UTC unless it says otherwise); a bare date means the end of that day."""

    default_error_messages = {"invalid": "Enter an instant like 2026-03-01T12:00:00Z or a date."}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.isoformat()

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if isinstance(value, str) and value.strip().upper().endswith(" UTC"):
            value = value.strip()[:-4] + "Z"  # an instant as the pages show it
        try:
            return parse_moment(value).astimezone(UTC)
        except (InvalidDate, OverflowError, ValueError):
            raise self.make_error("invalid") from None


def _choice(enum: type, description: str, **options: Any) -> fields.String:
    values = [member.value for member in enum]  # type: ignore[attr-defined]
    return fields.String(
        validate=validate.OneOf(values), metadata={"description": description}, **options
    )


class FiltersSchema(Schema):
    """The one parser of list filters. Blank values are left out (a form's empty select);
    each entry point subclasses it to name its sorts and page size."""

    class Meta:
        unknown = EXCLUDE

    sorts: ClassVar[tuple[str, ...]] = AS_OF_SORTS
    page_size: ClassVar[int | None] = DEFAULT_LIMIT

    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Text in the reference or any title (ignoring case and marks)."},
    )
    party = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "A party's code, e.g. PAK: agreements it is a party to then."},
    )
    kind = _choice(AgreementKind, "The kind of instrument.")
    character = _choice(LegalCharacter, "Binding or non-binding.")
    status = _choice(AgreementStatus, "The agreement's status on that date.")
    as_of = fields.Date(
        metadata={"description": "State of the world on this date (default: every known act)."},
        error_messages={"invalid": "Enter a date like 2026-06-01."},
    )
    known_at = UtcInstant(
        metadata={
            "description": "Using only what was recorded by this instant (default: everything); "
            "a bare date means the end of that day, UTC."
        }
    )
    sort = fields.String(
        metadata={
            "description": "By reference (the default), the first signature or the first entry "
            "into force (with `party`: that party's own); '-' for latest first."
        },
    )
    dir = fields.String(validate=validate.OneOf(["asc", "desc"]))
    page = fields.Integer(
        validate=validate.Range(min=1, max=1_000_000),
        metadata={"description": "Page number, from 1, of `limit` items each."},
    )
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_LIMIT))

    @pre_load
    def leave_out_blanks(self, data: Any, **kwargs: Any) -> Any:
        if not hasattr(data, "items"):
            return data
        return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}

    @validates("sort")
    def sort_is_one_of_the_sorts(self, value: str, **kwargs: Any) -> None:
        if value.removeprefix("-") not in self.sorts:
            raise ValidationError(f"Must be one of: {', '.join(self.sorts)}.")

    @post_load
    def make_filters(self, data: dict[str, Any], **kwargs: Any) -> Filters:
        sort = data.get("sort", "reference")
        return Filters(
            party=data["party"].strip() if "party" in data else None,
            kind=AgreementKind(data["kind"]) if "kind" in data else None,
            character=LegalCharacter(data["character"]) if "character" in data else None,
            status=AgreementStatus(data["status"]) if "status" in data else None,
            q=data["q"].strip() if "q" in data else None,
            as_of=data.get("as_of"),
            known_at=data.get("known_at"),
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-") or data.get("dir") == "desc",
            page=data.get("page"),
            limit=data.get("limit", self.page_size),
            cursor=data.get("cursor"),
            party_status=PartyStatus(data["party_status"]) if "party_status" in data else None,
            dated=tuple(
                (name, data.get(f"{name}_from"), data.get(f"{name}_to"))
                for name in DATED
                if data.get(f"{name}_from") or data.get(f"{name}_to")
            ),
        )


def _dated(name: str, end: str) -> fields.Date:
    return fields.Date(
        metadata={"description": f"Only rows whose {name} date is {end} this (inclusive)."},
        error_messages={"invalid": "Enter a date like 2026-06-01."},
    )


class PartyFiltersSchema(FiltersSchema):
    """A party's agreements (`Filters.party` is given by the path or the command): `status`
    is the party's standing there, `agreement_status` the agreement's; `<act>_from` and
    `<act>_to` bound the days of its acts (DATED); every row, no page."""

    class Meta(FiltersSchema.Meta):
        exclude = ("q", "party", "kind", "character", "page", "limit")

    sorts = PARTY_SORTS
    page_size = None

    party_status = _choice(
        PartyStatus, "Only the agreements where the party has this standing.", data_key="status"
    )
    status = _choice(
        AgreementStatus, "The agreement's status on that date.", data_key="agreement_status"
    )
    signed_from, signed_to = _dated("signed", "from"), _dated("signed", "to")
    consented_from, consented_to = _dated("consented", "from"), _dated("consented", "to")
    in_force_from, in_force_to = _dated("in_force", "from"), _dated("in_force", "to")
    withdrawal_from, withdrawal_to = _dated("withdrawal", "from"), _dated("withdrawal", "to")


def parse_filters(
    schema: Schema, values: dict[str, Any], names: dict[str, str] | None = None
) -> tuple[Filters, list[str]]:
    """The filters from query arguments; on errors, the defaults and one message per field
    (`names`: what a page calls its fields)."""
    try:
        return schema.load(values), []
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {}
        problems = [
            f"{(names or {}).get(name, name)}: {' '.join(map(str, m))}"
            for name, m in messages.items()
        ]
        return schema.load({}), problems


__all__ = [
    "AS_OF_SORTS",
    "CURRENT_SORTS",
    "DATED",
    "DEFAULT_LIMIT",
    "PARTY_SORTS",
    "Filters",
    "FiltersSchema",
    "PartyFiltersSchema",
    "UtcInstant",
    "parse_filters",
]
