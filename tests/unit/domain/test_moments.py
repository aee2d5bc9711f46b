"""Instants typed by people (known-at pickers, CLI options) come out in UTC or are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry.domain.dates import InvalidDate, parse_moment


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)),
        ("2026-03-01T12:00:00Z", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("2026-03-01T12:00:00+05:00", datetime(2026, 3, 1, 7, tzinfo=UTC)),
        (" 2026-03-01T12:00 ", datetime(2026, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_a_typed_instant_is_read_in_utc(text: str, expected: datetime) -> None:
    moment = parse_moment(text)
    assert moment == expected
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "yesterday",
        "2026-02-30",
        "2026-13-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
    ],
)
def test_a_bad_or_out_of_range_instant_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidDate, match="2026-03-01"):
        parse_moment(text)
