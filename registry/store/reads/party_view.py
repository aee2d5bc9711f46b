"""A party's agreements as of a date, as known at an instant: one indexed query over the
party status intervals (intervals.py), never a replay of each agreement.

Each party row carries the agreement's columns and the party's own acts known on its days
(signature, consent kind and date, entry into force, withdrawal taking effect), so that the
answer for party P is the rows `party = P` in force on D as known at T: a range of the
`now` index (or of `past`, known at an instant), then the titles of the agreements found.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pycountry
from sqlalchemy import ColumnElement, Select, select

from registry.domain.values import AgreementStatus, PartyStatus
from registry.store.reads.filters import PARTY_SORTS, Filters
from registry.store.reads.intervals import (
    LAST_DAY,
    agreement_intervals,
    instant_number,
    party_intervals,
)
from registry.store.reads.listed import When
from registry.store.reads.participants import ORGANISATIONS

if TYPE_CHECKING:
    from registry.store.application import Registry

SORTS = PARTY_SORTS


class InvalidPartyQuery(ValueError):
    """A filter or sort the party view does not know; the message names it."""


@dataclass(frozen=True)
class PartyAgreement:
    id: UUID
    reference: str
    title: str
    kind: str
    status: AgreementStatus  # the agreement's
    party_status: PartyStatus
    signed: str | None  # reduced ISO 8601: its precision is its length
    consent: str | None
    consented: str | None
    in_force: str | None
    withdrawal: str | None  # the day a notified withdrawal takes effect

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "reference": self.reference,
            "title": self.title,
            "kind": self.kind,
            "status": self.status.value,
            "party_status": self.party_status.value,
            "signed": self.signed,
            "consent": self.consent,
            "consented": self.consented,
            "in_force": self.in_force,
            "withdrawal": self.withdrawal,
        }


@dataclass(frozen=True)
class PartyAgreements:
    code: str
    name: str
    agreements: tuple[PartyAgreement, ...]
    as_of: date | None
    known_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.code,
            "name": self.name,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "known_at": self.known_at.isoformat() if self.known_at else None,
            "agreements": [a.to_dict() for a in self.agreements],
        }


CSV_COLUMNS = (
    "reference",
    "title",
    "kind",
    "status",
    "party_status",
    "signed",
    "consent",
    "consented",
    "in_force",
    "withdrawal",
)


def to_csv(found: PartyAgreements) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for agreement in found.agreements:
        row = agreement.to_dict()
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def party_name(code: str) -> str:
    for name, (org, _) in ORGANISATIONS.items():
        if org == code:
            return name
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return country.name if country is not None else code


def party_agreements(registry: Registry, filters: Filters) -> PartyAgreements:
    """The agreements of party `filters.party` as of `filters.as_of`, known at
    `filters.known_at`, with its standing and acts: every row (no page), sorted by
    `filters.sort` (PARTY_SORTS), then by reference."""
    if not filters.party:
        raise InvalidPartyQuery("a party's agreements need the party's code")
    if filters.sort not in SORTS:
        raise InvalidPartyQuery(f"cannot sort by {filters.sort!r}: one of {', '.join(SORTS)}")
    code = filters.party.strip().upper()
    known_at = filters.known_at
    when = When(filters.as_of or LAST_DAY, None if known_at is None else instant_number(known_at))
    query = party_query(code, when, filters)
    with registry.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        rows = session.execute(query).all()
        titles = _titles(session, [row.agreement_id for row in rows], when)
    return PartyAgreements(
        code=code,
        name=party_name(code),
        agreements=tuple(_agreement(row, titles.get(row.agreement_id, "")) for row in rows),
        as_of=filters.as_of,
        known_at=known_at,
    )


def party_query(code: str, when: When, filters: Filters) -> Select[Any]:
    """The party's rows in force on the day as known at the instant: a range of an index
    that leads with `party` (the `now` one for rows still believed)."""
    p = party_intervals
    wanted: list[ColumnElement[bool]] = [
        p.c.party == code,
        p.c.status != AgreementStatus.NOT_YET_DRAFTED.value,
    ]
    if filters.party_status is not None:
        wanted.append(p.c.party_status == filters.party_status.value)
    if filters.status is not None:
        wanted.append(p.c.status == filters.status.value)
    for column, low, high in filters.dated:
        if low is not None:
            wanted.append(p.c[column] >= low.isoformat())
        if high is not None:
            wanted.append(p.c[column] <= high.isoformat())
    key = p.c[filters.sort]
    order = key.desc() if filters.descending else key.asc()
    return (
        select(p)
        .where(*when.rows(p), *wanted)
        .order_by(order.nulls_last(), p.c.reference, p.c.agreement_id)
    )


def _titles(session: Any, ids: list[str], when: When) -> dict[str, str]:
    a = agreement_intervals
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(a.c.agreement_id, a.c.title).where(
            a.c.agreement_id.in_(chunk), *when.rows(a)
        )
        found.update((row.agreement_id, row.title) for row in session.execute(query))
    return found


def _agreement(row: Any, title: str) -> PartyAgreement:
    return PartyAgreement(
        id=UUID(row.agreement_id),
        reference=row.reference,
        title=title,
        kind=row.kind,
        status=AgreementStatus(row.status),
        party_status=PartyStatus(row.party_status),
        signed=row.signed,
        consent=row.consent,
        consented=row.consented,
        in_force=row.in_force,
        withdrawal=row.withdrawal,
    )
