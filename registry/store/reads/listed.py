"""What the lists answer (a page of agreements, each with its parties' standings) and the
two clocks they are asked on (`When`: a day, and an instant or none)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, bindparam

from registry.domain.search_text import search_text
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter, PartyStatus
from registry.store.reads.intervals import OPEN_SQL


@dataclass(frozen=True)
class ListedParty:
    code: str
    status: PartyStatus


@dataclass(frozen=True)
class ListedAgreement:
    id: UUID
    reference: str
    title: str
    titles: dict[str, str]
    kind: AgreementKind
    character: LegalCharacter
    status: AgreementStatus
    parties: tuple[ListedParty, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "reference": self.reference,
            "title": self.title,
            "titles": dict(self.titles),
            "kind": self.kind.value,
            "character": self.character.value,
            "status": self.status.value,
            "parties": [{"code": p.code, "status": p.status.value} for p in self.parties],
        }


@dataclass(frozen=True)
class AgreementPage:
    agreements: tuple[ListedAgreement, ...]
    total: int  # matching every filter
    counts: dict[AgreementStatus, int] = field(default_factory=dict)  # ignoring `status`
    as_of: date | None = None
    known_at: datetime | None = None


def listed_agreement(row: Any, statuses: dict[str, PartyStatus]) -> ListedAgreement:
    """An `agreement_intervals` row, with its parties' standings on the same day."""
    return ListedAgreement(
        id=UUID(row.agreement_id),
        reference=row.reference,
        title=row.title,
        titles=json.loads(row.titles),
        kind=AgreementKind(row.kind),
        character=LegalCharacter(row.character),
        status=AgreementStatus(row.status),
        parties=tuple(ListedParty(code, statuses[code]) for code in json.loads(row.parties)),
    )


@dataclass(frozen=True)
class When:
    day: date
    instant: int | None  # None: the rows still believed

    @property
    def params(self) -> dict[str, Any]:
        """The values of the bound `bound_rows` conditions."""
        found: dict[str, Any] = {"day": self.day}
        if self.instant is not None:
            found["instant"] = self.instant
        return found

    def rows(self, table: Any, *, believed: ColumnElement[bool] | None = None) -> list[Any]:
        """The rows in force on the day, as known at the instant (`table`: a table or an
        alias of one). `believed` replaces the test for rows still believed (see `_page`)."""
        c = table.c
        valid = [c.valid_from <= self.day, c.valid_until >= self.day]
        if self.instant is None:
            return [*valid, c.recorded_to == OPEN_SQL if believed is None else believed]
        return [*valid, c.recorded_from <= self.instant, c.recorded_to > self.instant]


def bound_rows(table: Table, known_at_an_instant: bool) -> list[Any]:
    """`When.rows` with the day and the instant as bound parameters (`When.params`)."""
    c = table.c
    valid = [c.valid_from <= bindparam("day"), c.valid_until >= bindparam("day")]
    if not known_at_an_instant:
        return [*valid, c.recorded_to == OPEN_SQL]
    instant = bindparam("instant")
    return [*valid, c.recorded_from <= instant, c.recorded_to > instant]


def pattern(q: str) -> str:
    """A LIKE pattern for text in search_text's normal form (the stored texts are in it)."""
    return f"%{escaped(search_text(q))}%"


def escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
