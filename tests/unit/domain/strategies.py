"""Hypothesis strategies: random but plausible command sequences on one agreement.

A program is a draft plus a list of steps; `run` applies them through the Agreement's commands
and skips the steps its rules refuse, so the result is always an accepted history. Dates fall
in a few years around 2026 with a random precision; recorded instants are one minute apart.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any, Union
from uuid import UUID

from hypothesis import strategies as st

from registry.domain.agreement import Agreement
from registry.domain.codec import data_fields
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.domain.events import (
    AGREEMENT_EVENTS,
    AgreementEvent,
    Drafted,
    EventCorrected,
    ObjectionMade,
    ReservationMade,
)
from registry.domain.values import (
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    MilestoneStatus,
    Notification,
    Party,
    SignatureType,
    TerritorialScope,
)
from tests.unit.domain.builders import (
    AFGHANISTAN,
    FPRI,
    ISSI,
    KAZAKHSTAN,
    OFFICER,
    PAKISTAN,
    UZBEKISTAN,
    draft,
)

FIRST_DAY = date(2026, 1, 1)
FIRST_RECORDED = datetime(2026, 1, 1, 8, tzinfo=UTC)
CODES = ("PAK", "KAZ", "UZB", "AFG", "ISSI", "KZ-FPRI")
MILESTONES = ("m1", "m2", "m3")


class Clock:
    """The dates of a program: mostly forward, sometimes back (acts recorded late)."""

    def __init__(self) -> None:
        self.today = date(2026, 1, 10)

    def advance(self, days: int, precision: str) -> PartialDate:
        self.today += timedelta(days=days)
        return vague(self.today, precision)


def vague(moment: date, precision: str) -> PartialDate:
    if precision == "year":
        return PartialDate(moment.year)
    if precision == "month":
        return PartialDate(moment.year, moment.month)
    return PartialDate.of(moment)


Step = Callable[[Agreement, Clock], None]
precisions = st.sampled_from(("day",) * 8 + ("month", "year"))
moves = st.integers(min_value=-15, max_value=45)


@st.composite
def partial_dates(draw: st.DrawFn) -> PartialDate:
    moment = FIRST_DAY + timedelta(days=draw(st.integers(min_value=-30, max_value=3 * 365)))
    return vague(moment, draw(precisions))


def drafts() -> st.SearchStrategy[Agreement]:
    return st.sampled_from(("bilateral", "multilateral", "non_binding")).map(new_draft)


def new_draft(shape: str) -> Agreement:
    if shape == "multilateral":
        return draft("TAR-2026-001", parties=(PAKISTAN, KAZAKHSTAN, UZBEKISTAN), multilateral=True)
    if shape == "non_binding":
        return draft("PK-KZ-2026-002", parties=(ISSI, FPRI), character=LegalCharacter.NON_BINDING)
    return draft(withdrawal_notice_months=3)


class PartyIndex(int):
    """A party of the agreement at hand, picked when the step runs (or an outsider)."""

    def code(self, agreement: Agreement) -> str:
        codes = [row.code for row in agreement.state.parties]
        return "AFG" if self == OUTSIDER else codes[self % len(codes)]


OUTSIDER = 11
party_picks = st.integers(min_value=0, max_value=OUTSIDER).map(PartyIndex)
scope_picks = st.none() | party_picks


def command(name: str, **strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[Step]:
    """A step calling `name` with drawn keyword arguments, dated by the program's clock."""

    def step(drawn: dict[str, Any]) -> Step:
        move, precision = drawn.pop("_move"), drawn.pop("_precision")

        def apply(agreement: Agreement, clock: Clock) -> None:
            fields = {
                key: value.code(agreement) if isinstance(value, PartyIndex) else value
                for key, value in drawn.items()
            }
            effective = clock.advance(move, precision)
            getattr(agreement, name)(effective=effective, actor=OFFICER, **fields)

        apply.__qualname__ = f"{name}({move:+d} days, {precision}, {drawn})"
        return apply

    return st.fixed_dictionaries({"_move": moves, "_precision": precisions, **strategies}).map(step)


@st.composite
def correction_steps(draw: st.DrawFn) -> Step:
    fraction = draw(st.floats(min_value=0, max_value=1))
    action = draw(st.sampled_from(CorrectionAction))
    shift = draw(st.none() | st.integers(min_value=-20, max_value=20))
    precision = draw(precisions)
    changes = draw(
        st.sampled_from(({}, {"party": "KAZ"}, {"signature_type": "simple"}, {"status": "missed"}))
    )

    def apply(agreement: Agreement, clock: Clock) -> None:
        target = agreement.history[round(fraction * (len(agreement.history) - 1))]
        retract = action is CorrectionAction.RETRACT
        new_effective = None
        if shift is not None and not retract:
            new_effective = vague(target.effective.start + timedelta(days=shift), precision)
        agreement.correct(
            effective=vague(clock.today, "day"),
            actor=OFFICER,
            corrects=target.originator_version,
            action=action,
            new_effective=new_effective,
            changes={} if retract else changes,
            reason="Checked against the source",
        )

    apply.__qualname__ = f"correct({fraction}, {action}, {shift}, {precision}, {changes})"
    return apply


@st.composite
def standing_statement_steps(draw: st.DrawFn) -> Step:
    """An objection to the latest reservation actually made, or the withdrawal of the latest
    objection or reservation by its party: so that histories do part two parties (VCLT art.
    20(4)(b)) and restore them (art. 22), which random event numbers seldom hit."""
    objecting = draw(party_picks)
    opposes = draw(st.booleans())
    withdraw = draw(st.sampled_from((None, ReservationMade, ObjectionMade)))
    move, precision = draw(moves), draw(precisions)

    def apply(agreement: Agreement, clock: Clock) -> None:
        made = [e for e in agreement.history if isinstance(e, withdraw or ReservationMade)]
        if not made:
            return
        target = made[-1]
        effective = clock.advance(move, precision)
        if withdraw is not None:
            agreement.withdraw_statement(
                effective=effective,
                actor=OFFICER,
                party=target.party,  # type: ignore[attr-defined]
                statement=target.originator_version,
            )
            return
        agreement.object_to_reservation(
            effective=effective,
            actor=OFFICER,
            party=objecting.code(agreement),
            reserving_party=target.party,  # type: ignore[attr-defined]
            reservation=target.originator_version,
            opposes_entry_into_force=opposes,
        )

    apply.__qualname__ = f"statement({objecting}, {opposes}, {withdraw}, {move:+d}, {precision})"
    return apply


def steps() -> st.SearchStrategy[Step]:
    sign = command(
        "sign",
        party=party_picks,
        signatory=st.just("Minister"),
        capacity=st.just("Foreign Minister"),
        signature_type=st.sampled_from(
            (SignatureType.SIMPLE, SignatureType.SIMPLE, *SignatureType)
        ),
    )
    consent = command(
        "express_consent",
        party=party_picks,
        instrument=st.sampled_from(
            (ConsentKind.RATIFICATION, ConsentKind.NOTIFICATION, *ConsentKind)
        ),
        acceding=st.none() | st.none() | st.just(AFGHANISTAN),
    )
    milestone = command(
        "record_milestone",
        milestone=st.sampled_from(MILESTONES),
        title=st.just("Target"),
        due=st.none() | partial_dates(),
    )
    status = command(
        "change_milestone_status",
        milestone=st.sampled_from(MILESTONES),
        status=st.sampled_from(MilestoneStatus),
    )
    return st.one_of(
        sign,
        sign,
        consent,
        consent,
        command("enter_into_force", party=scope_picks),
        command("enter_into_force", party=scope_picks),
        milestone,
        status,
        status,
        correction_steps(),
        correction_steps(),
        command("make_reservation", party=party_picks, text=st.just("Art. 7 excluded")),
        standing_statement_steps(),
        standing_statement_steps(),
        command("make_declaration", party=party_picks, text=st.just("On transit")),
        command(
            "object_to_reservation",
            party=party_picks,
            reserving_party=party_picks,
            reservation=st.integers(min_value=1, max_value=30),
            opposes_entry_into_force=st.booleans(),
        ),
        command(
            "withdraw_statement",
            party=party_picks,
            statement=st.integers(min_value=1, max_value=30),
        ),
        command(
            "declare_territorial_application",
            party=party_picks,
            scope=st.sampled_from(TerritorialScope),
            territories=st.just(("Islands",)),
            takes_effect=st.none() | partial_dates(),
        ),
        command(
            "record_footnote", party=scope_picks, mark=st.sampled_from("12"), text=st.just("N")
        ),
        command("register_with_un", number=st.just("I-1")),
        command(
            "sign",
            party=party_picks,
            signatory=st.just("Minister"),
            capacity=st.just("Foreign Minister"),
            predecessor=st.just("Yugoslavia"),
        ),
        command("apply_provisionally", party=scope_picks),
        command("suspend", party=scope_picks),
        command("resume", party=scope_picks),
        command("notify_withdrawal", party=party_picks),
        command("adopt_text"),
        command("amend_text", summary=st.just("Revised")),
        command("renew", until=st.none() | partial_dates()),
        command(
            "attach_document",
            sha256=st.sampled_from(("a" * 64, "b" * 64)),
            filename=st.just("text.pdf"),
            media_type=st.just("application/pdf"),
            size=st.integers(min_value=0, max_value=10_000),
            title=st.just("Text"),
        ),
        command(
            "record_amendment",
            amendment_reference=st.sampled_from(("A1", "A2")),
            summary=st.just("Protocol"),
        ),
        # the ends come rarely, so that histories have a life before them
        st.integers(min_value=0, max_value=9).flatmap(
            lambda n: command("terminate") if n == 0 else command("expire") if n == 1 else status
        ),
    )


def run(agreement: Agreement, program: list[Step]) -> Agreement:
    """Apply each step, skipping those the rules refuse."""
    clock = Clock()
    for step in program:
        try:
            step(agreement, clock)
        except DomainError:
            continue
    return agreement


def programs() -> st.SearchStrategy[list[Step]]:
    return st.lists(steps(), min_size=15, max_size=60)


@st.composite
def histories(draw: st.DrawFn) -> list[AgreementEvent]:
    """An accepted history, recorded one minute apart."""
    agreement = run(draw(drafts()), draw(programs()))
    return one_minute_apart(agreement.collect_events())  # type: ignore[arg-type]


def one_minute_apart(events: list[AgreementEvent]) -> list[AgreementEvent]:
    return [
        dataclasses.replace(event, timestamp=FIRST_RECORDED + timedelta(minutes=i))
        for i, event in enumerate(events)
    ]


def as_of_dates() -> st.SearchStrategy[date | None]:
    return st.none() | st.dates(min_value=date(2025, 11, 1), max_value=date(2029, 3, 1))


# -- arbitrary well-typed events, accepted by no rule ----------------------------------------


def values_for(hint: Any) -> st.SearchStrategy[Any]:  # one branch per field type
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        return st.none() | values_for(inner)
    if hint is str:
        return st.sampled_from((*CODES, *MILESTONES, "A1", "", "x"))
    if hint is int:
        return st.integers(min_value=-2, max_value=60)
    if hint is bool:
        return st.booleans()
    if hint is PartialDate:
        return partial_dates()
    if hint is datetime:
        return st.just(FIRST_RECORDED)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(hint)
    if hint is Party:
        return st.sampled_from((PAKISTAN, KAZAKHSTAN, AFGHANISTAN, ISSI))
    if hint is Notification:
        return st.builds(Notification, st.sampled_from(("C.N.1.2026", "")), st.none())
    if origin is tuple:
        return st.lists(values_for(args[0]), max_size=3).map(tuple)
    if origin is dict and args[1] is str:
        return st.dictionaries(st.sampled_from(("en", "ru")), st.sampled_from(("T", "")))
    if origin is dict:
        return st.sampled_from(({}, {"party": "AFG"}, {"status": "bogus"}, {"nope": 1}))
    raise TypeError(f"no strategy for {hint!r}")


@st.composite
def arbitrary_events(
    draw: st.DrawFn, originator: UUID, first_version: int, after: datetime
) -> list[AgreementEvent]:
    """Well-typed events of any agreement type but Drafted, breaking any rule they like."""
    types_ = [t for t in AGREEMENT_EVENTS if t is not Drafted]
    count = draw(st.integers(min_value=0, max_value=8))
    events = []
    for offset in range(count):
        event_type = draw(st.sampled_from(types_))
        fields = {name: draw(values_for(hint)) for name, hint in data_fields(event_type).items()}
        if event_type is EventCorrected:
            fields["corrects"] = draw(st.integers(min_value=0, max_value=first_version + count))
        events.append(
            event_type(
                originator_id=originator,
                originator_version=first_version + offset,
                timestamp=after + timedelta(seconds=offset + 1),
                effective=draw(partial_dates()),
                actor=draw(st.sampled_from((OFFICER, ""))),
                **fields,
            )
        )
    return events
