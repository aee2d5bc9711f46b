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
from registry.domain.errors import EventType, Phrase, Words, words
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
    # `detail` as a template and its parameters, for the interface to translate
    phrase: Phrase | None = dataclasses.field(default=None, compare=False, repr=False)

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
                    str(_described(a, was)),
                    removed=True,
                    phrase=_described(a, was),
                    version=now.learned(version),
                )
            )
            continue
        words = _described(b, now)
        if a is not None and was is not None and str(_described(a, was)) != str(words):
            words = Phrase("{now} (was {was})", now=words, was=_described(a, was))
        previous = a.effective if a is not None and a.effective != b.effective else None
        found.append(
            Change(
                ACT_KINDS[type(b)],
                party_of(b),
                b.effective,
                str(words),
                previous,
                version=now.learned(version),
                phrase=words,
            )
        )
    return found


def _described(fact: AgreementEvent, sources: Sources) -> Phrase:
    """The act in plain words, as the view holding it has it."""
    if isinstance(fact, Signed):
        succession = (
            Phrase(", succeeding {predecessor}", predecessor=fact.predecessor)
            if fact.predecessor
            else ""
        )
        return Phrase(
            "{signature_type}, by {signatory}{succession}",
            signature_type=words(fact.signature_type.value),
            signatory=fact.signatory,
            succession=succession,
        )
    if isinstance(fact, ConsentExpressed):
        if fact.predecessor:
            return Phrase(
                "{instrument} of {predecessor}",
                instrument=words(fact.instrument.value),
                predecessor=fact.predecessor,
            )
        return Phrase("{instrument}", instrument=words(fact.instrument.value))
    if isinstance(fact, ObjectionMade):
        opposes = (
            Words(", opposing entry into force between them")
            if fact.opposes_entry_into_force
            else ""
        )
        return Phrase(
            "to the reservation of {party} (event {reservation}){opposes}",
            party=fact.reserving_party,
            reservation=fact.reservation,
            opposes=opposes,
        )
    if isinstance(fact, StatementWithdrawn):
        return Phrase("withdrew event {statement}", statement=fact.statement)
    if isinstance(fact, TerritorialApplicationDeclared):
        when = Phrase(", from {day}", day=str(fact.takes_effect)) if fact.takes_effect else ""
        return Phrase(
            "{scope} {territories}{when}",
            scope=words(fact.scope.value),
            territories=", ".join(fact.territories),
            when=when,
        )
    if isinstance(fact, ParticularsRecorded):
        given = [Phrase("{name} {value}", name=k, value=v) for k, v in _particulars(fact)]
        return _joined("; ", given)
    if isinstance(fact, RegisteredWithUN):
        unts = (
            Phrase(", UNTS vol. {volume}", volume=fact.unts_volume)
            if fact.unts_volume is not None
            else ""
        )
        page = Phrase(" p. {page}", page=fact.unts_page) if fact.unts_page is not None else ""
        return Phrase("No. {number}{unts}{page}", number=fact.number, unts=unts, page=page)
    if isinstance(fact, FootnoteRecorded):
        return Phrase("note {mark}: {text}", mark=fact.mark, text=_short(fact.text))
    if isinstance(fact, ReservationMade | DeclarationMade):
        if fact.article:
            return Phrase("article {article}: {text}", article=fact.article, text=_short(fact.text))
        return Phrase("{text}", text=_short(fact.text))
    if isinstance(fact, WithdrawalNotified):
        return Phrase("takes effect {day}", day=str(fact.takes_effect))
    if isinstance(fact, Renewed):
        if fact.until:
            return Phrase("until {day}", day=str(fact.until))
        return Phrase("without an end date")
    if isinstance(fact, Amended):
        return Phrase(
            "{reference}: {summary}",
            reference=fact.amendment_reference,
            summary=_short(fact.summary),
        )
    if isinstance(fact, DocumentAttached):
        return Phrase("{title} ({filename})", title=fact.title, filename=fact.filename)
    if isinstance(fact, MilestoneRecorded):
        due = Phrase(", due {day}", day=str(fact.due)) if fact.due else ""
        return Phrase(
            "{title}: {status}{due}", title=fact.title, status=words(fact.status.value), due=due
        )
    if isinstance(fact, MilestoneStatusChanged):
        title, earlier = _milestone_before(fact, sources)
        return Phrase(
            "{title}: {earlier} → {status}",
            title=title,
            earlier=earlier,
            status=words(fact.status.value),
        )
    return Phrase("")


def _joined(separator: str, parts: Sequence[Phrase | str]) -> Phrase:
    """Parts in a row, each translated on its own."""
    names = {f"part{i}": part for i, part in enumerate(parts)}
    return Phrase(separator.join("{" + name + "}" for name in names), **names)


def _particulars(fact: ParticularsRecorded) -> list[tuple[Words, str]]:
    values = {
        Words("depositary"): fact.depositary,
        Words("concluded at"): fact.concluded_place,
        Words("concluded on"): fact.concluded_on,
        Words("languages"): ", ".join(fact.authentic_languages)
        if fact.authentic_languages
        else None,
    }
    return [(k, str(v)) for k, v in values.items() if v is not None]


def _milestone_before(change: MilestoneStatusChanged, sources: Sources) -> tuple[str, Words]:
    """The milestone's title, and its status before `change` (in the fold order)."""
    title, status = change.milestone, Words("?")
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
        status = words(step.status.value)
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
                        phrase=Phrase("bound after the general entry into force"),
                        version=max(sources, default=None),
                    )
                )
        was_withdrawn = old is not None and old.withdrawn
        if new.withdrawn and not was_withdrawn and new.withdrawal_takes_effect is not None:
            notified = now.find((WithdrawalNotified,), new.withdrawal_notified, _for(new.code))
            notice = Phrase("notified {day}", day=str(new.withdrawal_notified))
            found.append(
                Change(
                    ChangeKind.WITHDRAWAL_TOOK_EFFECT,
                    new.code,
                    new.withdrawal_takes_effect,
                    str(notice),
                    version=now.learned(notified),
                    phrase=notice,
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
        what = (
            Phrase(
                "event {number} ({event})", number=row.corrects, event=EventType(row.corrected_type)
            )
            if row.corrected_type
            else Phrase("event {number}", number=row.corrects)
        )
        if row.action is CorrectionAction.RETRACT:
            said = Phrase("retracted {what}", what=what)
        else:
            parts: list[Phrase | str] = [Phrase("corrected {what}", what=what)]
            if row.new_effective is not None:
                parts.append(Phrase("now effective {day}", day=str(row.new_effective)))
            parts += [f"{name} = {value}" for name, value in row.changes.items()]
            said = _joined(", ", parts)
        if row.reason:
            said = Phrase("{said}; reason: {reason}", said=said, reason=row.reason)
        found.append(
            Change(
                ChangeKind.CORRECTED,
                party_of(target) if target is not None else None,
                row.date,
                str(said),
                version=row.version,
                phrase=said,
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


__all__ = ["ACT_KINDS", "Change", "ChangeKind", "diff", "lateness"]
