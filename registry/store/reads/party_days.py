"""A change day's party lines, and what one party's fact can change (projection.Head).

The Head keeps, for each change day of an agreement of three parties or more, the parties'
lines as its standing was computed from them (`Day`). A fact of one party (`one_party`)
then recomputes that party's line and the agreement's columns alone (`agreement_values`):
those depend on the parties only through their codes and their earliest signature and entry
into force, which `Day.with_line` keeps up to date without asking every party again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from registry.domain.events import AgreementEvent, ConsentExpressed, Signed, TextAmended
from registry.domain.history import PartyLine, Shared
from registry.domain.record import party_of
from registry.domain.timeline import PartyActs, Standing, party_acts
from registry.domain.values import AgreementKind, AgreementStatus, LegalCharacter, PartyStatus
from registry.store.reads.intervals import PARTY_ACTS
from registry.store.reads.projection_rows import standing_values

Values = tuple[Any, ...]  # the columns of a row after `valid_until` (intervals.VALUES)


@dataclass(frozen=True)
class Day:
    """The parties' lines on one change day, as the standing was computed from them."""

    status: AgreementStatus
    shared: Shared
    codes: tuple[str, ...]  # the parties', in their order
    lines: tuple[PartyLine, ...]  # in the same order
    acts: tuple[PartyActs, ...]  # each line's party_acts
    place: dict[str, int]  # party code -> index in lines
    signed: str | None  # the earliest of the parties' signatures
    in_force: str | None  # the earliest of their entries into force

    @classmethod
    def of(
        cls,
        status: AgreementStatus,
        shared: Shared,
        codes: tuple[str, ...],
        lines: tuple[PartyLine, ...],
        acts: tuple[PartyActs, ...],
    ) -> Day:
        place = {code: number for number, code in enumerate(codes)}
        return cls(
            status, shared, codes, lines, acts, place, _first(acts, SIGNED), _first(acts, IN_FORCE)
        )

    def with_line(self, place: int, line: PartyLine) -> Day:
        """The same day, the party at `place` on `line` (the agreement's status unchanged:
        the caller makes sure of it)."""
        lines, acts = list(self.lines), list(self.acts)
        old = acts[place]
        lines[place], acts[place] = line, party_acts(line)
        new = tuple(acts)
        return Day(
            self.status, self.shared, self.codes, tuple(lines), new, self.place,
            _first_after(self.signed, old[SIGNED], new[place][SIGNED], new, SIGNED),
            _first_after(self.in_force, old[IN_FORCE], new[place][IN_FORCE], new, IN_FORCE),
        )  # fmt: skip


def _first_after(
    first: str | None, old: str | None, new: str | None, acts: tuple[PartyActs, ...], column: int
) -> str | None:
    """`_first(acts, column)` once one party's date went from `old` to `new`, the earliest
    before being `first`: asked again of every party only when `old` may have been it."""
    if new is not None and (first is None or new < first):
        return new
    if old is not None and old == first and new != old:
        return _first(acts, column)
    return first


def one_party(fact: AgreementEvent) -> str | None:
    """The party a fact concerns, if it can change no other party's line but through what
    every party shares (history.Shared and the agreement's status, which every party's row
    shows; `_one_party` compares them day by day): not a fact for all, nor
    one that changes the parties' list (an accession, a succession, a party list amended)."""
    party = party_of(fact)
    if party is None or isinstance(fact, TextAmended):
        return None
    if isinstance(fact, ConsentExpressed) and fact.acceding is not None:
        return None
    if isinstance(fact, Signed) and fact.successor is not None:
        return None
    return party


SIGNED = PARTY_ACTS.index("signed")
IN_FORCE = PARTY_ACTS.index("in_force")


def _first(acts: tuple[PartyActs, ...], column: int) -> str | None:
    """The earliest of one of the parties' dates (reduced ISO dates sort as text)."""
    return min((own[column] for own in acts if own[column] is not None), default=None)


@lru_cache(maxsize=4096)
def agreement_values(
    agreement_id: str,
    status: AgreementStatus,
    reference: str,
    titles: tuple[tuple[str, str], ...],
    kind: AgreementKind,
    character: LegalCharacter,
    codes: tuple[str, ...],
    signed: str | None,
    in_force: str | None,
) -> tuple[Values, tuple[int, str, str]]:
    """The agreement's columns and wording (projection_rows.standing_values), which depend
    on the parties only through their codes and their earliest signature and entry into
    force: those of a standing whose first party holds both dates and the others none."""
    first = tuple(signed if n == SIGNED else in_force if n == IN_FORCE else None
                  for n in range(len(PARTY_ACTS)))  # fmt: skip
    acts = tuple(first if n == 0 else (None,) * len(PARTY_ACTS) for n in range(len(codes)))
    parties = tuple((code, PartyStatus.LISTED) for code in codes)
    standing = Standing(status, reference, titles, kind, character, parties, acts)
    whole, _, wording = standing_values(agreement_id, standing)
    return whole, wording
