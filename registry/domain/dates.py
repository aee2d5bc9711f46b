"""Effective dates with a precision, because sources are often vague ("February 2026")."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum


class Precision(Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_REDUCED_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class InvalidDate(ValueError):
    """A date string or date/precision pair that does not name a real period."""


@dataclass(frozen=True)
class PartialDate:
    """A calendar day, month or year.

    The period runs from `start` to `end` inclusive. For ordering rules a partial date is only
    "after" another when its whole period is (`definitely_after`), so a signature dated
    "February 2026" never contradicts a ratification dated 10 February 2026. For as-of
    queries an act counts from the first day of its period (`start`); readers always see the
    precision next to the date.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise InvalidDate(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise InvalidDate("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise InvalidDate(f"month {self.month} is out of range")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise InvalidDate(f"{self.year:04d}-{self.month:02d} has no day {self.day}")

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def start(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> date:
        if self.day is not None:
            return self.start
        if self.month is not None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 12, 31)

    def definitely_after(self, other: PartialDate) -> bool:
        return self.start > other.end

    def definitely_before(self, other: PartialDate) -> bool:
        return self.end < other.start

    def add_months(self, months: int) -> PartialDate:
        """The same day (clamped to the month's end) `months` later, keeping the precision."""
        if self.month is None:
            return PartialDate(self.year + (months + 11) // 12) if months else self
        index = self.year * 12 + (self.month - 1) + months
        year, month = divmod(index, 12)
        if self.day is None:
            return PartialDate(year, month + 1)
        day = min(self.day, calendar.monthrange(year, month + 1)[1])
        return PartialDate(year, month + 1, day)

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Reduced-precision ISO 8601: `2026`, `2026-02` or `2026-02-03`."""
        match = _REDUCED_ISO.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise InvalidDate(f"{text!r} is not a date like 2026, 2026-02 or 2026-02-03")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        return cls(year, month, day)

    @classmethod
    def from_start(cls, start: date | str, precision: Precision | str) -> PartialDate:
        """The wire form: the period's first day plus a precision."""
        try:
            if isinstance(start, str):
                start = date.fromisoformat(start)
            precision = Precision(precision)
        except ValueError as error:
            raise InvalidDate(str(error)) from None
        if precision is Precision.DAY:
            return cls(start.year, start.month, start.day)
        if start.day != 1:
            raise InvalidDate(f"{start} is not the first day of a {precision.value}")
        if precision is Precision.MONTH:
            return cls(start.year, start.month)
        if start.month != 1:
            raise InvalidDate(f"{start} is not the first day of a year")
        return cls(start.year)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __lt__(self, other: PartialDate) -> bool:
        """Orders by start, then by precision (the day before the month that contains it)."""
        return (self.start, self.end) < (other.start, other.end)


def parse_moment(text: str) -> datetime:
    """An instant typed by a person: ISO 8601 with or without an offset (UTC if none), or a bare
    date meaning the end of that day in UTC. Always returned in UTC."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidDate("enter an instant like 2026-03-01T12:00:00Z or a date like 2026-03-01")
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        # Converted now, so that an extreme offset fails here and not in a later comparison.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidDate(
            f"{text!r} is not an instant like 2026-03-01T12:00:00Z or a date like 2026-03-01"
        ) from None
