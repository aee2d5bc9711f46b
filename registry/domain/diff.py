"""What changed between two views of one agreement: two dates known at one instant ("what
was signed, ratified, entered into force... between 1 February and 1 June"), one date known
at two instants ("what did the registry learn between the report of 1 March and today about
20 February"), or both.

`diff(before, after, events)` takes two `AgreementState`s of the same agreement (from
`history.state_as_of`; `before` None when nothing was known yet) and the agreement's events.
Each difference is a `Change`: its kind, the party (None for the agreement as a whole), the
date it took effect as the later view has it, the earlier view's date when it was re-dated,
and whether it was removed (the earlier view held it, the later one does not: a retraction).

- Acts are compared as facts: each view is built from a set of events (its `versions`) as
  corrected at its instant, so an act is a change when the later view holds it and the
  earlier does not, or holds it otherwise (re-dated, other fields). Acts that undo each other
  inside the window (suspended, then resumed) are both listed.
- Derived changes come from the states: the agreement drafted (before the first date it was
  "not yet drafted"), a party's own entry into force when it was bound after the general one
  (VCLT art. 24(3)), and a withdrawal taking effect.
- Corrections are listed when the later view knows them and the earlier did not, or, between
  two dates, when they were made between the dates.

Each change names the event the registry learned it from (the act's own, or the latest
correction of it), when that was recorded, and how late: the recorded day minus the last day
of the effective date, when positive ("ratified 15 Feb, recorded 3 Mar": 16 days). A vague
date ("February 2026") counts from its last day, so lateness is never overstated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry.domain.catalogue import act_kinds
from registry.domain.codec import format_instant
from registry.domain.corrections import Corrections
from registry.domain.dates import PartialDate
from registry.domain.declaration import ActKind
from registry.domain.events import (
    AgreementEvent,
    Amended,
    ConsentExpressed,
    DeclarationMade,
    DocumentAttached,
    Drafted,
    EnteredIntoForce,
    FootnoteRecorded,
    MilestoneRecorded,
    MilestoneStatusChanged,
    ObjectionMade,
    ParticularsRecorded,
    RegisteredWithUN,
    Renewed,
    ReservationMade,
    Signed,
    StatementWithdrawn,
    TerritorialApplicationDeclared,
    WithdrawalNotified,
)
from registry.domain.record import party_of, sort_key
from registry.domain.state import AgreementState
from registry.domain.values import AgreementStatus, CorrectionAction

ChangeKind = ActKind  # each type declares its act kind (catalogue.py)


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    party: str | None  # None: the agreement as a whole
    effective: PartialDate  # when it took effect, as the later view has it
    detail: str = ""  # plain words: "ratification", "planned → achieved"
    previous: PartialDate | None = None  # the earlier view's date, when it was re-dated
    removed: bool = False  # the earlier view had it, the later one does not
    version: int | None = None  # the event the registry learned it from
    recorded: datetime | None = None  # when that event was recorded
    late_days: int | None = None  # recorded day minus the effective date's last day, if > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "party": self.party,
            "effective": str(self.effective),
            "previous": str(self.previous) if self.previous is not None else None,
            "detail": self.detail,
            "removed": self.removed,
            "version": self.version,
            "recorded": format_instant(self.recorded) if self.recorded is not None else None,
            "late_days": self.late_days,
        }


def lateness(effective: PartialDate, recorded: datetime | None) -> int | None:
    """Days between the effective date's last day and the recorded (UTC) day, if positive."""
    if recorded is None:
        return None
    days = (recorded.date() - effective.end).days
    return days if days > 0 else None


def diff(
    before: AgreementState | None, after: AgreementState, events: Sequence[AgreementEvent] = ()
) -> list[Change]:
    """The changes from `before` (None: nothing known yet) to `after`, by effective date."""
    now = Sources(after, events)
    was = Sources(before, events) if before is not None else None
    acts = _acts(was, now)
    found = [
        *_drafted(before, after, now),
        *acts,
        *_derived(before, after, now, acts),
        *_corrections(before, after, now),
    ]
    order = list(ChangeKind)
    return sorted(
        (now.attributed(change) for change in found),
        key=lambda c: (c.effective.start, order.index(c.kind), c.party or "", c.version or 0),
    )


class Sources:
    """The facts one view is built from (corrections applied), and which event states each."""

    def __init__(self, view: AgreementState, events: Sequence[AgreementEvent]) -> None:
        known = sorted(
            (e for e in events if view.known_at is None or e.timestamp <= view.known_at),
            key=lambda e: e.originator_version,
        )
        corrections = Corrections()
        for event in known:
            corrections.take(event)
        self.recorded = {e.originator_version: e.timestamp for e in known}
        self.events = dict(corrections.events)  # every known event, as recorded
        # The facts in the view: dated by its day, known at its instant, as corrected then.
        self.facts: dict[int, AgreementEvent] = {
            v: fact for v, fact in corrections.facts.items() if v in view.versions
        }
        self.corrected_by: dict[int, list[int]] = {}
        for correction in corrections.corrections:
            self.corrected_by.setdefault(correction.corrects, []).append(
                correction.originator_version
            )

    def find(
        self,
        types: tuple[type[AgreementEvent], ...],
        effective: PartialDate | None,
        match: Callable[[Any], bool] = lambda fact: True,
    ) -> int | None:
        """The fact of one of `types` that `match`es, preferring one dated `effective`."""
        candidates = [
            v for v, fact in self.facts.items() if isinstance(fact, types) and match(fact)
        ]
        dated = [v for v in candidates if self.facts[v].effective == effective]
        return max(dated or candidates, default=None)

    def learned(self, version: int | None) -> int | None:
        """The event a fact is known from as it now stands: its own or its latest correction."""
        if version is None:
            return None
        return max([version, *self.corrected_by.get(version, [])])

    def attributed(self, change: Change) -> Change:
        recorded = self.recorded.get(change.version) if change.version is not None else None
        return dataclasses.replace(
            change, recorded=recorded, late_days=lateness(change.effective, recorded)
        )


# -- acts: facts in one view and not the other -----------------------------------------------

ACT_KINDS: dict[type[AgreementEvent], ChangeKind] = act_kinds()


def _acts(was: Sources | None, now: Sources) -> list[Change]:
    """Every act the later view holds and the earlier does not, or holds otherwise; and every
    act the earlier view held that the later one has lost (retracted, or re-dated away)."""
    old = was.facts if was is not None else {}
    found = []
    for version in sorted(old.keys() | now.facts.keys()):
        a, b = old.get(version), now.facts.get(version)
        if a == b or type(b or a) not in ACT_KINDS:
            continue
        if b is None:
            assert a is not None and was is not None
            found.append(
                Change(
                    ACT_KINDS[type(a)],
                    party_of(a),
                    a.effective,
                    _described(a, was),
                    removed=True,
                    version=now.learned(version),
                )
            )
            continue
        words = _described(b, now)
        if a is not None and was is not None and _described(a, was) != words:
            words = f"{words} (was {_described(a, was)})"
        previous = a.effective if a is not None and a.effective != b.effective else None
        found.append(
            Change(
                ACT_KINDS[type(b)],
                party_of(b),
                b.effective,
                words,
                previous,
                version=now.learned(version),
            )
        )
    return found


def _described(fact: AgreementEvent, sources: Sources) -> str:
    """The act in plain words, as the view holding it has it."""
    if isinstance(fact, Signed):
        succession = f", succeeding {fact.predecessor}" if fact.predecessor else ""
        return f"{_words(fact.signature_type.value)}, by {fact.signatory}{succession}"
    if isinstance(fact, ConsentExpressed):
        succession = f" of {fact.predecessor}" if fact.predecessor else ""
        return _words(fact.instrument.value) + succession
    if isinstance(fact, ObjectionMade):
        opposes = (
            ", opposing entry into force between them" if fact.opposes_entry_into_force else ""
        )
        return f"to the reservation of {fact.reserving_party} (event {fact.reservation}){opposes}"
    if isinstance(fact, StatementWithdrawn):
        return f"withdrew event {fact.statement}"
    if isinstance(fact, TerritorialApplicationDeclared):
        when = f", from {fact.takes_effect}" if fact.takes_effect else ""
        return f"{fact.scope.value} {', '.join(fact.territories)}{when}"
    if isinstance(fact, ParticularsRecorded):
        given = [f"{k} {v}" for k, v in _particulars(fact)]
        return "; ".join(given)
    if isinstance(fact, RegisteredWithUN):
        unts = f", UNTS vol. {fact.unts_volume}" if fact.unts_volume is not None else ""
        page = f" p. {fact.unts_page}" if fact.unts_page is not None else ""
        return f"No. {fact.number}{unts}{page}"
    if isinstance(fact, FootnoteRecorded):
        return f"note {fact.mark}: {_short(fact.text)}"
    if isinstance(fact, ReservationMade | DeclarationMade):
        return (f"article {fact.article}: " if fact.article else "") + _short(fact.text)
    if isinstance(fact, WithdrawalNotified):
        return f"takes effect {fact.takes_effect}"
    if isinstance(fact, Renewed):
        return f"until {fact.until}" if fact.until else "without an end date"
    if isinstance(fact, Amended):
        return f"{fact.amendment_reference}: {_short(fact.summary)}"
    if isinstance(fact, DocumentAttached):
        return f"{fact.title} ({fact.filename})"
    if isinstance(fact, MilestoneRecorded):
        due = f", due {fact.due}" if fact.due else ""
        return f"{fact.title}: {_words(fact.status.value)}{due}"
    if isinstance(fact, MilestoneStatusChanged):
        title, earlier = _milestone_before(fact, sources)
        return f"{title}: {earlier} → {_words(fact.status.value)}"
    return ""


def _particulars(fact: ParticularsRecorded) -> list[tuple[str, str]]:
    values = {
        "depositary": fact.depositary,
        "concluded at": fact.concluded_place,
        "concluded on": fact.concluded_on,
        "languages": ", ".join(fact.authentic_languages) if fact.authentic_languages else None,
    }
    return [(k, str(v)) for k, v in values.items() if v is not None]


def _milestone_before(change: MilestoneStatusChanged, sources: Sources) -> tuple[str, str]:
    """The milestone's title, and its status before `change` (in the fold order)."""
    title, status = change.milestone, "?"
    steps = sorted(
        (
            f
            for f in sources.facts.values()
            if isinstance(f, MilestoneRecorded | MilestoneStatusChanged)
            and f.milestone == change.milestone
            and sort_key(f) < sort_key(change)
        ),
        key=sort_key,
    )
    for step in steps:
        if isinstance(step, MilestoneRecorded):
            title = step.title
        status = _words(step.status.value)
    return title, status


# -- derived: what the states say that no single act does ------------------------------------


def _drafted(before: AgreementState | None, after: AgreementState, now: Sources) -> list[Change]:
    def drafted(state: AgreementState | None) -> PartialDate | None:
        if state is None or state.status is AgreementStatus.NOT_YET_DRAFTED:
            return None
        return state.drafted

    old, new = drafted(before), drafted(after)
    if old == new:
        return []
    version = now.learned(now.find((Drafted,), None))
    if new is None:
        assert old is not None
        return [Change(ChangeKind.DRAFTED, None, old, removed=True, version=version)]
    return [Change(ChangeKind.DRAFTED, None, new, previous=old, version=version)]


def _derived(
    before: AgreementState | None, after: AgreementState, now: Sources, acts: list[Change]
) -> list[Change]:
    """A party's entry into force on a date no act of entry into force gives (it was bound
    after the general entry into force: VCLT art. 24(3)), and withdrawals taking effect."""
    found: list[Change] = []
    old_rows = {row.code: row for row in (before.parties if before else ())}
    force_dates = {
        c.effective for c in acts if c.kind is ChangeKind.ENTERED_INTO_FORCE and not c.removed
    }
    for new in after.parties:
        old = old_rows.get(new.code)
        was_in_force = old.in_force if old is not None else None
        if new.in_force is not None and new.in_force != was_in_force:
            general = after.entered_into_force
            if new.in_force not in force_dates and new.in_force != general:
                # Known from the later of the two facts it needs: the party bound, and the
                # agreement in force for all.
                bound = now.find((ConsentExpressed, Signed), new.in_force, _for(new.code))
                for_all = now.find((EnteredIntoForce,), general, _for_all)
                sources = [now.learned(v) for v in (bound, for_all) if v is not None]
                found.append(
                    Change(
                        ChangeKind.ENTERED_INTO_FORCE,
                        new.code,
                        new.in_force,
                        "bound after the general entry into force",
                        previous=was_in_force,
                        version=max(sources, default=None),
                    )
                )
        was_withdrawn = old is not None and old.withdrawn
        if new.withdrawn and not was_withdrawn and new.withdrawal_takes_effect is not None:
            notified = now.find((WithdrawalNotified,), new.withdrawal_notified, _for(new.code))
            found.append(
                Change(
                    ChangeKind.WITHDRAWAL_TOOK_EFFECT,
                    new.code,
                    new.withdrawal_takes_effect,
                    f"notified {new.withdrawal_notified}",
                    version=now.learned(notified),
                )
            )
    return found


def _corrections(
    before: AgreementState | None, after: AgreementState, sources: Sources
) -> list[Change]:
    known_before = {row.version for row in (before.corrections if before else ())}
    start = before.as_of if before is not None else None
    found = []
    for row in after.corrections:
        between_dates = (
            row.version in known_before
            and start is not None
            and start < row.date.start
            and (after.as_of is None or row.date.start <= after.as_of)
        )
        if row.version in known_before and not between_dates:
            continue
        target = sources.events.get(row.corrects)
        what = f"event {row.corrects}" + (f" ({row.corrected_type})" if row.corrected_type else "")
        if row.action is CorrectionAction.RETRACT:
            words = f"retracted {what}"
        else:
            parts = [f"corrected {what}"]
            if row.new_effective is not None:
                parts.append(f"now effective {row.new_effective}")
            parts += [f"{name} = {value}" for name, value in row.changes.items()]
            words = ", ".join(parts)
        if row.reason:
            words += f"; reason: {row.reason}"
        found.append(
            Change(
                ChangeKind.CORRECTED,
                party_of(target) if target is not None else None,
                row.date,
                words,
                version=row.version,
            )
        )
    return found


# -- small helpers ---------------------------------------------------------------------------


def _for(code: str) -> Callable[[Any], bool]:
    return lambda fact: party_of(fact) == code


def _for_all(fact: Any) -> bool:
    return party_of(fact) is None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _words(value: str) -> str:
    return value.replace("_", " ")


__all__ = ["ACT_KINDS", "Change", "ChangeKind", "diff", "lateness"]
