"""What falls due after a date: withdrawals taking effect, expiries, renewals running out,
acts recorded to take effect later, and milestones due (or overdue), as known at an instant.

`upcoming(on_day, known, until)` is pure. `on_day` is the agreement as of the day D, `known`
is every act known at the same instant whatever its date (`state_as_of(as_of=None)`), and
`until` the last day of the horizon. Decisions:

- Dated acts come from `known`: an act whose date falls in (D, until] is upcoming, however
  early it was recorded (a withdrawal notified after D with its date in the horizon is
  listed; its notification date is in the words).
- A party's entry into force or withdrawal on or after the agreement's termination or expiry
  is not upcoming: the end comes first.
- A renewal's end ("renewed until") is upcoming when the latest known renewal ends in the
  horizon and nothing ends the agreement earlier.
- Milestones come from `on_day`: those not achieved or cancelled on D, due in the horizon,
  or overdue (due before D and still open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from registry.domain.dates import PartialDate
from registry.domain.state import AgreementState


class DeadlineKind(Enum):
    ENTRY_INTO_FORCE = "entry_into_force"
    WITHDRAWAL_TAKES_EFFECT = "withdrawal_takes_effect"
    TERMINATION = "termination"
    EXPIRY = "expiry"
    RENEWAL_ENDS = "renewal_ends"
    MILESTONE_DUE = "milestone_due"
    MILESTONE_OVERDUE = "milestone_overdue"


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: PartialDate
    party: str | None  # None: the agreement as a whole
    detail: str = ""

    def days_from(self, day: date) -> int:
        """Days from `day` to the first day the deadline can fall on (negative: overdue)."""
        return (self.due.start - day).days


def upcoming(on_day: AgreementState, known: AgreementState, until: date) -> list[Deadline]:
    """The agreement's deadlines after `on_day.as_of` up to `until`, and overdue milestones."""
    if on_day.as_of is None:
        raise ValueError("deadlines are counted from a date: `on_day` needs an as_of")
    day = on_day.as_of

    def ahead(when: PartialDate | None) -> bool:
        return when is not None and day < when.start <= until

    ends = [d for d in (known.terminated, known.expired) if d is not None]

    def standing(when: PartialDate | None) -> bool:
        """Whether a party's date still matters: nothing ends the agreement by then."""
        return when is not None and not any(end.start <= when.start for end in ends)

    found: list[Deadline] = []
    if ahead(known.entered_into_force) and standing(known.entered_into_force):
        assert known.entered_into_force is not None
        found.append(Deadline(DeadlineKind.ENTRY_INTO_FORCE, known.entered_into_force, None))
    for row in known.parties:
        if (
            ahead(row.in_force)
            and standing(row.in_force)
            and row.in_force != known.entered_into_force
        ):
            assert row.in_force is not None
            found.append(Deadline(DeadlineKind.ENTRY_INTO_FORCE, row.in_force, row.code))
        if ahead(row.withdrawal_takes_effect) and standing(row.withdrawal_takes_effect):
            assert row.withdrawal_takes_effect is not None
            found.append(
                Deadline(
                    DeadlineKind.WITHDRAWAL_TAKES_EFFECT,
                    row.withdrawal_takes_effect,
                    row.code,
                    f"notified {row.withdrawal_notified}",
                )
            )
    for kind, when in (
        (DeadlineKind.TERMINATION, known.terminated),
        (DeadlineKind.EXPIRY, known.expired),
    ):
        if ahead(when):
            assert when is not None
            found.append(Deadline(kind, when, None))
    renewal = known.renewed_until
    if ahead(renewal) and not any(renewal is not None and e.start < renewal.start for e in ends):
        assert renewal is not None
        found.append(Deadline(DeadlineKind.RENEWAL_ENDS, renewal, None, "unless renewed again"))
    for milestone in on_day.milestones:
        if milestone.due is None or milestone.status.is_final:
            continue
        words = f"{milestone.title} ({milestone.status.value.replace('_', ' ')})"
        if milestone.due.end < day:
            found.append(Deadline(DeadlineKind.MILESTONE_OVERDUE, milestone.due, None, words))
        elif milestone.due.start <= until:
            found.append(Deadline(DeadlineKind.MILESTONE_DUE, milestone.due, None, words))
    return sorted(found, key=lambda d: (d.due.start, list(DeadlineKind).index(d.kind)))


__all__ = ["Deadline", "DeadlineKind", "upcoming"]
