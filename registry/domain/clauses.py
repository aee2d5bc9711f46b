"""The final clauses of an agreement that the registry computes from: entry into force,
withdrawal and duration. Declared once here, as data on the Drafted event.

The JSON form (carried as `clauses` in the Drafted event's data; absent means none):

    {"entry_into_force": {"date": "2016-11-04", "later_parties_days_after_deposit": 30}
                       | {"instruments": 20, "days_after": 30,
                          "later_parties_days_after_deposit": 30}
                       | {"as_recorded": true},
     "withdrawal": {"notice": {"months": 12} | {"years": 1},
                    "earliest": {"years": 3, "from": "agreement" | "party"}},
     "duration": {"years": 5, "tacit_renewal": {"years": 5}}}

Every key of each part is optional except those that say which rule it is. `parse_clauses`
turns it into frozen values or raises InvalidClause naming the path at fault; it never returns
a half-read clause. The computations over a Record live in clause_force.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from registry.domain.dates import InvalidDate, PartialDate, Precision
from registry.domain.errors import DomainError, Phrase, refusal


class InvalidClause(DomainError):
    """A clause that does not have the documented shape; `path` names the culprit."""

    code = "invalid_clause"
    field = "clauses"

    def __init__(self, path: str, template: str, **params: Any) -> None:
        super().__init__(
            refusal("{path}: {problem}"), path=path, problem=Phrase(template, **params)
        )
        self.path = path


class EntryIntoForceRule(Enum):
    DATE = "date"  # on a fixed date
    INSTRUMENTS = "instruments"  # D days after the deposit of the N-th instrument of consent
    AS_RECORDED = "as_recorded"  # as the EnteredIntoForce events say (today's behaviour)


class Reckoning(Enum):
    """What a withdrawal's earliest date is counted from."""

    AGREEMENT = "agreement"  # the general entry into force
    PARTY = "party"  # the entry into force for the withdrawing party


@dataclass(frozen=True)
class EntryIntoForceClause:
    rule: EntryIntoForceRule
    date: date | None = None
    instruments: int | None = None
    days_after: int = 0
    later_parties_days_after_deposit: int | None = None

    @property
    def computed(self) -> bool:
        return self.rule is not EntryIntoForceRule.AS_RECORDED


@dataclass(frozen=True)
class WithdrawalClause:
    notice_months: int | None  # None: the agreement's withdrawal_notice_months
    earliest_years: int | None = None
    earliest_from: Reckoning = Reckoning.PARTY


@dataclass(frozen=True)
class DurationClause:
    years: int
    renewal_years: int | None = None  # tacit renewal for periods of this length


@dataclass(frozen=True)
class Clauses:
    entry_into_force: EntryIntoForceClause | None = None
    withdrawal: WithdrawalClause | None = None
    duration: DurationClause | None = None


def parse_clauses(data: Any) -> Clauses | None:
    """The clauses of a Drafted event's `clauses` data (None when absent)."""
    if data is None:
        return None
    parts = _object(data, "clauses", {"entry_into_force", "withdrawal", "duration"})
    return Clauses(
        entry_into_force=_entry(parts["entry_into_force"]) if "entry_into_force" in parts else None,
        withdrawal=_withdrawal(parts["withdrawal"]) if "withdrawal" in parts else None,
        duration=_duration(parts["duration"]) if "duration" in parts else None,
    )


def clauses_or_none(data: Any) -> Clauses | None:
    """For replay, which never fails: stored clauses were checked when recorded."""
    try:
        return parse_clauses(data)
    except InvalidClause:
        return None


def _entry(data: Any) -> EntryIntoForceClause:
    path = "clauses.entry_into_force"
    keys = {"date", "instruments", "days_after", "later_parties_days_after_deposit", "as_recorded"}
    parts = _object(data, path, keys)
    rules = [key for key in ("date", "instruments", "as_recorded") if key in parts]
    if len(rules) != 1:
        raise InvalidClause(path, "give exactly one of date, instruments or as_recorded")
    later = _count(parts, "later_parties_days_after_deposit", path, minimum=0)
    if rules == ["as_recorded"]:
        if parts["as_recorded"] is not True or len(parts) != 1:
            raise InvalidClause(path, 'as recorded is written {"as_recorded": true}, alone')
        return EntryIntoForceClause(EntryIntoForceRule.AS_RECORDED)
    if rules == ["date"]:
        if "days_after" in parts:
            raise InvalidClause(f"{path}.days_after", "goes with instruments, not with a date")
        return EntryIntoForceClause(
            EntryIntoForceRule.DATE,
            date=_day(parts["date"], f"{path}.date"),
            later_parties_days_after_deposit=later,
        )
    return EntryIntoForceClause(
        EntryIntoForceRule.INSTRUMENTS,
        instruments=_count(parts, "instruments", path, minimum=1),
        days_after=_count(parts, "days_after", path, minimum=0) or 0,
        later_parties_days_after_deposit=later,
    )


def _withdrawal(data: Any) -> WithdrawalClause:
    path = "clauses.withdrawal"
    parts = _object(data, path, {"notice", "earliest"})
    months = None
    if "notice" in parts:
        notice = _object(parts["notice"], f"{path}.notice", {"months", "years"})
        if len(notice) != 1:
            raise InvalidClause(f"{path}.notice", "give months or years, one of them")
        (unit,) = notice
        amount = _count(notice, unit, f"{path}.notice", minimum=0)
        assert amount is not None
        months = amount * 12 if unit == "years" else amount
    if "earliest" not in parts:
        return WithdrawalClause(months)
    earliest = _object(parts["earliest"], f"{path}.earliest", {"years", "from"})
    years = _count(earliest, "years", f"{path}.earliest", minimum=0, required=True)
    reckoning = earliest.get("from", Reckoning.PARTY.value)
    try:
        counted_from = Reckoning(reckoning)
    except ValueError:
        raise InvalidClause(f"{path}.earliest.from", "must be agreement or party") from None
    return WithdrawalClause(months, years, counted_from)


def _duration(data: Any) -> DurationClause:
    path = "clauses.duration"
    parts = _object(data, path, {"years", "tacit_renewal"})
    years = _count(parts, "years", path, minimum=1, required=True)
    assert years is not None
    renewal = None
    if "tacit_renewal" in parts:
        tacit = _object(parts["tacit_renewal"], f"{path}.tacit_renewal", {"years"})
        renewal = _count(tacit, "years", f"{path}.tacit_renewal", minimum=1, required=True)
    return DurationClause(years, renewal)


def _object(data: Any, path: str, keys: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidClause(path, "must be an object")
    unknown = sorted(set(data) - keys)
    if unknown:
        raise InvalidClause(
            f"{path}.{unknown[0]}", "is not part of {part}", part=path.rsplit(".", 1)[-1]
        )
    return data


def _count(
    parts: Mapping[str, Any], key: str, path: str, *, minimum: int, required: bool = False
) -> int | None:
    if key not in parts:
        if required:
            raise InvalidClause(f"{path}.{key}", "is required")
        return None
    value = parts[key]
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= 100_000:
        raise InvalidClause(
            f"{path}.{key}", "must be a whole number, at least {minimum}", minimum=minimum
        )
    return value


def _day(value: Any, path: str) -> date:
    try:
        parsed = PartialDate.parse(value)
    except InvalidDate as error:
        raise InvalidClause(path, "{problem}", problem=str(error)) from None
    if parsed.precision is not Precision.DAY:
        raise InvalidClause(path, "a clause's date is a day, like 2016-11-04")
    return parsed.start


__all__ = [
    "Clauses",
    "DurationClause",
    "EntryIntoForceClause",
    "EntryIntoForceRule",
    "InvalidClause",
    "Reckoning",
    "WithdrawalClause",
    "clauses_or_none",
    "parse_clauses",
]
