"""An agreement's state on a date, as known at an instant: a pure function of its events.

`state_as_of(events, as_of, known_at)`:

1. keeps the events recorded by `known_at` (an event's recorded instant is its `timestamp`,
   which the store sets from the signed envelope);
2. applies the corrections among them, in recorded order: a retraction removes its target, a
   supersession replaces its effective date and/or field values (corrections.py);
3. keeps the facts whose effective period starts on or before `as_of` (a vague date counts
   from the first day of its period; readers see its precision next to it);
4. folds them in (effective start, version) order into a Record and derives the state.

Decisions:

- `as_of=None` means no cut-off: every known act applies, whatever its date (a withdrawal
  notified to take effect next year shows as taken effect). This is the aggregate's "current
  knowledge"; callers wanting "today" pass `date.today()`. `known_at=None` means everything
  recorded. A view known before the agreement was first recorded raises NotYetRecorded.
- Identity (reference, kind, character...) comes from the Drafted event as corrected, even
  when `as_of` is before its date; the status is then NOT_YET_DRAFTED.
- Status, first that holds: NOT_YET_DRAFTED; TERMINATED (a Terminated, or for a bilateral
  agreement a withdrawal that took effect); EXPIRED (the latest of expiries and renewals is an
  expiry); SUSPENDED (operative, and suspended for all or for every operative party);
  IN_FORCE (entered into force for all, or for a party that has not withdrawn) or, for a
  non-binding instrument, IN_EFFECT (every party has signed, ad referendum not counting);
  PROVISIONALLY_APPLIED; SIGNED (any signature); ADOPTED; DRAFT.
- A party is in force from its own EnteredIntoForce, or else from the general one if it was
  bound (consent or definitive signature) by then, or from its consent if that came later
  (VCLT art. 24(3)); with a computed entry-into-force clause, from the day the clause gives
  (clause_force.py), compared with `as_of`. A fixed term's end is an expiry like a recorded
  one. A provisional application or suspension "for all" shows on every row.
- An objection that opposes entry into force between the objecting and the reserving party
  (VCLT art. 20(4)(b)) is pair-wise: each row lists the other party (`not_in_force_with`)
  while the objection and the reservation stand; it changes no party's status (each is in
  force with the others), so the status intervals do not carry it.
- Once the agreement is terminated (or, bilateral, the other party's withdrawal took effect)
  or expired, every party's row says so (TERMINATED, EXPIRED) unless the party withdrew.
- `versions` lists the events the state was built from: the facts folded in (and the Drafted
  event) and every correction known at `known_at`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from registry.domain.clause_force import (
    by,
    computed_entry,
    derived_expiry,
    entry_given,
    general_entry,
    party_entry,
    reference_day,
    term_ends,
)
from registry.domain.clauses import EntryIntoForceClause
from registry.domain.codec import format_instant
from registry.domain.corrections import Corrections
from registry.domain.dates import PartialDate
from registry.domain.errors import NotYetRecorded
from registry.domain.events import (
    AgreementEvent,
    DeclarationMade,
    Drafted,
    EnteredIntoForce,
    EventCorrected,
    ObjectionMade,
    ProvisionallyApplied,
    ReservationMade,
    Suspended,
)
from registry.domain.record import Record, sort_key
from registry.domain.state import (
    AgreementState,
    AmendmentRow,
    CorrectionRow,
    DocumentRow,
    FootnoteRow,
    MilestoneRow,
    ObjectionRow,
    PartyRow,
    RegistrationRow,
    RevisionRow,
    SignatureRow,
    Statement,
    TerritorialRow,
)
from registry.domain.values import AgreementStatus, ConsentKind, Party, PartyStatus

F = TypeVar("F", bound=AgreementEvent)


def state_as_of(
    events: Sequence[AgreementEvent],
    as_of: date | None = None,
    known_at: datetime | None = None,
) -> AgreementState:
    if known_at is not None and known_at.tzinfo is None:
        raise ValueError("known_at must be timezone-aware")
    known = sorted(
        (e for e in events if known_at is None or e.timestamp <= known_at),
        key=lambda e: e.originator_version,
    )
    if not known or not isinstance(known[0], Drafted):
        raise not_yet_recorded(events, known_at)
    corrections = Corrections()
    for event in known:
        corrections.take(event)
    facts = corrections.in_order()
    record = Record(facts[0])  # type: ignore[arg-type]
    dated = [f for f in facts[1:] if as_of is None or f.effective.start <= as_of]
    for fact in sorted(dated, key=sort_key):
        record.add(fact)
    return derive(record, corrections, as_of, known_at)


def not_yet_recorded(events: Sequence[AgreementEvent], known_at: datetime | None) -> Exception:
    drafted = next((e for e in events if isinstance(e, Drafted)), None)
    if drafted is None or known_at is None:
        return ValueError("an agreement's history starts with its Drafted event")
    return NotYetRecorded(
        "{reference} was first recorded at {first_recorded}: nothing about it was known at "
        "{known_at}",
        reference=drafted.reference,
        first_recorded=format_instant(drafted.timestamp),
        known_at=format_instant(known_at),
    )


def derive(
    record: Record, corrections: Corrections, as_of: date | None, known_at: datetime | None
) -> AgreementState:
    drafted = record.drafted
    rows = tuple(party_row(record, party, as_of) for party in record.parties)
    general_suspension = record.suspended(None)
    expiry = expiry_on(record, as_of)
    renewal = record.last_renewal
    return AgreementState(
        id=drafted.originator_id,
        reference=drafted.reference,
        titles=dict(record.titles),
        kind=drafted.kind,
        character=drafted.character,
        multilateral=drafted.multilateral,
        parent=drafted.parent,
        summary=drafted.summary,
        withdrawal_notice_months=drafted.withdrawal_notice_months,
        status=agreement_status(record, rows, as_of),
        drafted=drafted.effective,
        adopted=effective_of(record.adoption),
        provisionally_applied=effective_of(record.provisional.get(None)),
        entered_into_force=by(general_entry(record), as_of),
        suspended=effective_of(general_suspension),
        terminated=effective_of(record.termination),
        expired=expiry,
        renewed_until=renewal.until if renewal is not None else None,
        depositary=record.particular("depositary"),  # type: ignore[arg-type]
        concluded_place=record.particular("concluded_place"),  # type: ignore[arg-type]
        concluded_on=record.particular("concluded_on"),  # type: ignore[arg-type]
        authentic_languages=tuple(record.particular("authentic_languages") or ()),  # type: ignore[call-overload]
        registration=registration_row(record),
        footnotes=footnote_rows(record),
        parties=rows,
        milestones=milestone_rows(record),
        amendments=tuple(
            AmendmentRow(a.amendment, a.amendment_reference, a.summary, a.effective, version(a))
            for a in in_order(record.amendments.values())
        ),
        revisions=tuple(
            RevisionRow(r.summary, r.effective, version(r)) for r in in_order(record.revisions)
        ),
        documents=tuple(
            DocumentRow(
                d.sha256,
                d.filename,
                d.media_type,
                d.size,
                d.title,
                d.language,
                d.effective,
                version(d),
            )
            for d in in_order(record.documents.values())
        ),
        corrections=correction_rows(corrections),
        versions=tuple(
            sorted(record.versions | {c.originator_version for c in corrections.corrections})
        ),
        as_of=as_of,
        known_at=known_at,
        clauses=record.drafted.clauses,
        term_ends=term_ends(record, as_of),
    )


class PartyStanding(Protocol):
    """What the agreement's status asks of a party's row (a PartyRow, or a lean one)."""

    @property
    def withdrawn(self) -> bool: ...
    @property
    def in_force(self) -> PartialDate | None: ...
    @property
    def suspended(self) -> PartialDate | None: ...


def agreement_status(
    record: Record,
    rows: Sequence[PartyStanding],
    as_of: date | None,
    shared: Shared | None = None,
) -> AgreementStatus:
    """The agreement's status; `shared` (the day's `Shared.of(record, as_of)`), when given,
    answers what it holds instead of asking every party again."""
    if as_of is not None and as_of < record.drafted.effective.start:
        return AgreementStatus.NOT_YET_DRAFTED
    if record.termination is not None or (
        not record.multilateral and any(row.withdrawn for row in rows)
    ):
        return AgreementStatus.TERMINATED
    if (shared.expiry if shared is not None else expiry_on(record, as_of)) is not None:
        return AgreementStatus.EXPIRED
    if record.binding:
        operative = [row for row in rows if not row.withdrawn and row.in_force is not None]
    else:  # in effect once every party has signed: asked once, not once per party
        effect = shared.in_effect if shared is not None else in_effect(record)
        operative = [row for row in rows if not row.withdrawn] if effect else []
    entry = shared.entry if shared is not None else general_entry(record)
    if operative or by(entry, as_of) is not None:
        if record.suspended(None) is not None or (
            operative and all(row.suspended is not None for row in operative)
        ):
            return AgreementStatus.SUSPENDED
        return AgreementStatus.IN_FORCE if record.binding else AgreementStatus.IN_EFFECT
    if record.provisional:
        return AgreementStatus.PROVISIONALLY_APPLIED
    if any(record.signatures.values()):
        return AgreementStatus.SIGNED
    if record.adoption is not None:
        return AgreementStatus.ADOPTED
    return AgreementStatus.DRAFT


def is_operative(record: Record, row: PartyStanding) -> bool:
    if row.withdrawn:
        return False
    if record.binding:
        return row.in_force is not None
    return in_effect(record)


def in_effect(record: Record) -> bool:
    return all(record.signature(party.code) is not None for party in record.parties)


def party_row(record: Record, party: Party, as_of: date | None) -> PartyRow:
    code = party.code
    signatures = in_order(record.signatures.get(code, ()))
    operative = record.signature(code) or (signatures[-1] if signatures else None)
    consent = record.consents.get(code)
    withdrawal = record.withdrawals.get(code)
    withdrawn = withdrawal is not None and (as_of is None or withdrawal.takes_effect.start <= as_of)
    in_force = by(party_entry(record, code), as_of)
    suspended = first_date(record.suspended(code), record.suspended(None))
    provisional = first_date(record.provisional.get(code), record.provisional.get(None))
    return PartyRow(
        code=code,
        name=party.name,
        type=party.type,
        status=ended_status(record, as_of, withdrawn)
        or party_status(
            record,
            code,
            withdrawn,
            in_force,
            suspended,
            provisional,
            not record.binding and in_effect(record),
        ),
        joined=consent.effective if consent is not None and consent.acceding else None,
        signature_type=operative.signature_type if operative else None,
        signed=operative.effective if operative else None,
        signatures=tuple(
            SignatureRow(
                s.signature_type, s.effective, s.signatory, s.capacity, s.place, version(s)
            )
            for s in signatures
        ),
        consent=consent.instrument if consent else None,
        consented=consent.effective if consent else None,
        provisionally_applied=provisional,
        in_force=in_force,
        reservations=statements(record, record.reservations.get(code, ())),
        declarations=statements(record, record.declarations.get(code, ())),
        objections=objection_rows(record, code),
        territorial=tuple(
            TerritorialRow(
                t.scope,
                t.territories,
                t.takes_effect or t.effective,
                t.text,
                t.effective,
                version(t),
            )
            for t in in_order(record.territorial.get(code, ()))
        ),
        predecessor=predecessor_of(record, code),
        footnotes=tuple(
            f.mark for f in sorted(record.party_footnotes.get(code, ()), key=mark_order)
        ),
        suspended=suspended,
        withdrawal_notified=withdrawal.effective if withdrawal else None,
        withdrawal_takes_effect=withdrawal.takes_effect if withdrawal else None,
        withdrawn=withdrawn,
        not_in_force_with=not_in_force_with(record, code),
    )


@dataclass(frozen=True)
class Shared:
    """What the rows of every party share on one day: asked once for them all, not once per
    party (a 190-party treaty's day would otherwise ask 190 times what needs every party)."""

    clause: EntryIntoForceClause | None  # a computed entry-into-force clause
    reference: date | None  # its general day (clause_force.reference_day)
    general: EnteredIntoForce | None  # the general entry into force recorded
    in_effect: bool  # every party has signed (what a non-binding instrument asks)
    ended: PartyStatus | None  # ended_status of a party that has not withdrawn
    suspended: Suspended | None  # for all
    provisional: ProvisionallyApplied | None  # for all
    entry: PartialDate | None  # the general entry into force (clause_force.general_entry)
    expiry: PartialDate | None  # expiry_on the day

    @classmethod
    def of(cls, record: Record, as_of: date | None) -> Shared:
        clause = computed_entry(record)
        reference = reference_day(record, clause) if clause is not None else None
        expiry = expiry_on(record, as_of)
        return cls(
            clause=clause,
            reference=reference,
            general=record.in_force.get(None),
            in_effect=not record.binding and in_effect(record),
            ended=ended_given(record, as_of, expiry),
            suspended=record.suspended(None),
            provisional=record.provisional.get(None),
            entry=general_of(record, clause, reference),
            expiry=expiry,
        )


def general_of(
    record: Record, clause: EntryIntoForceClause | None, reference: date | None
) -> PartialDate | None:
    """`clause_force.general_entry(record)`, given its computed clause and the clause's
    general day (tests pin the two to each other)."""
    if clause is None:
        general = record.in_force.get(None)
        return general.effective if general is not None else None
    if not record.binding or reference is None:
        return None
    for code in record.codes:
        bound = record.bound_on(code)
        if bound is not None and bound.start <= reference:
            return PartialDate.of(reference)
    return None


@dataclass(frozen=True, slots=True)
class PartyLine:
    """What a list shows of one party on a day: the PartyRow's status and own dates only
    (`party_line` gives them as `party_row` does, without the rest of the row)."""

    code: str
    status: PartyStatus
    signed: PartialDate | None
    consent: ConsentKind | None
    consented: PartialDate | None
    in_force: PartialDate | None
    withdrawal_takes_effect: PartialDate | None
    withdrawn: bool
    suspended: PartialDate | None


def party_line(record: Record, code: str, as_of: date | None, shared: Shared) -> PartyLine:
    """`party_row`'s status and dates, with `shared` the day's `Shared.of(record, as_of)`."""
    operative = record.signature(code) or record.last_signature.get(code)
    consent = record.consents.get(code)
    withdrawal = record.withdrawals.get(code)
    withdrawn = withdrawal is not None and (as_of is None or withdrawal.takes_effect.start <= as_of)
    bound = record.bound_on(code)
    in_force = by(entry_of(record, code, bound, shared), as_of)
    suspended = first_date(record.suspended(code), shared.suspended)
    provisional = first_date(record.provisional.get(code), shared.provisional)
    status = None if withdrawn else shared.ended
    if status is None:
        status = party_status(
            record, code, withdrawn, in_force, suspended, provisional, shared.in_effect
        )
    return PartyLine(
        code=code,
        status=status,
        signed=operative.effective if operative else None,
        consent=consent.instrument if consent else None,
        consented=consent.effective if consent else None,
        in_force=in_force,
        withdrawal_takes_effect=withdrawal.takes_effect if withdrawal else None,
        withdrawn=withdrawn,
        suspended=suspended,
    )


def entry_of(
    record: Record, code: str, bound: PartialDate | None, shared: Shared
) -> PartialDate | None:
    """`clause_force.party_entry(record, code)`, given `record.bound_on(code)` and the clause
    and its general day, which every party shares (tests pin the two to each other)."""
    if not record.binding:
        return None
    return entry_given(record, code, bound, shared.clause, shared.general, shared.reference)


def not_in_force_with(record: Record, code: str) -> tuple[str, ...]:
    """The parties with which `code` has no treaty relations by an objection that opposes
    entry into force between the two (VCLT art. 20(4)(b)): made by either of them, and
    neither the objection nor the reservation objected to withdrawn (art. 22). The standing
    is pair-wise: each party stays in force with every other party."""
    others = set()
    for objecting, objections in record.objections.items():
        for objection in objections:
            if not objection.opposes_entry_into_force or code not in (
                objecting,
                objection.reserving_party,
            ):
                continue
            if record.withdrawn(objection.originator_version) is not None:
                continue
            reservation = record.statements.get(objection.reservation)
            if reservation is None or record.withdrawn(objection.reservation) is not None:
                continue  # retracted by a correction, or withdrawn
            others.add(objection.reserving_party if objecting == code else objecting)
    return tuple(p.code for p in record.parties if p.code in others) if others else ()


def party_status(
    record: Record,
    code: str,
    withdrawn: bool,
    in_force: PartialDate | None,
    suspended: PartialDate | None,
    provisional: PartialDate | None,
    in_effect: bool,
) -> PartyStatus:
    """A party's status; `in_effect` is `in_effect(record)` (asked once for every party)."""
    signed = record.signature(code) is not None
    operative = in_force is not None if record.binding else signed and in_effect
    if withdrawn:
        return PartyStatus.WITHDRAWN
    if operative and suspended is not None:
        return PartyStatus.SUSPENDED
    if operative:
        return PartyStatus.IN_FORCE if record.binding else PartyStatus.IN_EFFECT
    if provisional is not None:
        return PartyStatus.PROVISIONALLY_APPLYING
    if record.bound_on(code) is not None:
        return PartyStatus.BOUND
    if record.signatures.get(code):
        return PartyStatus.SIGNED
    return PartyStatus.LISTED


def party_in_force(record: Record, code: str) -> PartialDate | None:
    return party_entry(record, code)


def expiry_on(record: Record, as_of: date | None) -> PartialDate | None:
    """The expiry in effect on `as_of`: a recorded one, or the end of a fixed term."""
    recorded = record.expiry()
    return recorded.effective if recorded is not None else by(derived_expiry(record), as_of)


def ended_status(record: Record, as_of: date | None, withdrawn: bool) -> PartyStatus | None:
    """A party's standing once the agreement has ended for everyone (its withdrawal aside):
    terminated, or for a bilateral agreement the other party withdrew, or expired."""
    return None if withdrawn else ended_given(record, as_of, expiry_on(record, as_of))


def ended_given(
    record: Record, as_of: date | None, expiry: PartialDate | None
) -> PartyStatus | None:
    """`ended_status` of a party that has not withdrawn, `expiry_on(record, as_of)` given."""
    if record.termination is not None:
        return PartyStatus.TERMINATED
    if not record.multilateral and any(
        as_of is None or w.takes_effect.start <= as_of for w in record.withdrawals.values()
    ):
        return PartyStatus.TERMINATED
    if expiry is not None:
        return PartyStatus.EXPIRED
    return None


def milestone_rows(record: Record) -> tuple[MilestoneRow, ...]:
    rows = []
    for milestone in in_order(record.milestones.values()):
        status, since = record.milestone_status(milestone.milestone)
        rows.append(
            MilestoneRow(
                milestone=milestone.milestone,
                title=milestone.title,
                description=milestone.description,
                due=milestone.due,
                status=status,
                recorded=milestone.effective,
                changed=since,
            )
        )
    return tuple(rows)


def correction_rows(corrections: Corrections) -> tuple[CorrectionRow, ...]:
    rows = []
    for correction in corrections.corrections:
        target = corrections.events.get(correction.corrects)
        rows.append(
            CorrectionRow(
                version=version(correction),
                corrects=correction.corrects,
                corrected_type=type(target).__name__ if target is not None else None,
                action=correction.action,
                new_effective=correction.new_effective,
                changes=dict(correction.changes),
                reason=correction.reason,
                actor=correction.actor,
                date=correction.effective,
            )
        )
    return tuple(rows)


def statements(
    record: Record, facts: Iterable[ReservationMade | DeclarationMade]
) -> tuple[Statement, ...]:
    return tuple(
        Statement(f.article, f.text, f.effective, version(f), withdrawn_on(record, f))
        for f in in_order(facts)
    )


def withdrawn_on(record: Record, fact: AgreementEvent) -> PartialDate | None:
    withdrawal = record.withdrawn(fact.originator_version)
    return withdrawal.effective if withdrawal is not None else None


def objection_rows(record: Record, code: str) -> tuple[ObjectionRow, ...]:
    found: list[ObjectionMade] = in_order(record.objections.get(code, ()))
    return tuple(
        ObjectionRow(
            o.reserving_party,
            o.reservation,
            o.opposes_entry_into_force,
            o.text,
            o.effective,
            version(o),
            withdrawn_on(record, o),
        )
        for o in found
    )


def predecessor_of(record: Record, code: str) -> str | None:
    consent = record.consents.get(code)
    if consent is not None and consent.predecessor:
        return consent.predecessor
    succeeded = [s for s in in_order(record.signatures.get(code, ())) if s.predecessor]
    return succeeded[0].predecessor if succeeded else None


def mark_order(footnote: AgreementEvent) -> tuple[int, str, int]:
    mark = getattr(footnote, "mark", "").strip()
    return (int(mark) if mark.isdigit() else 10**9, mark, footnote.originator_version)


def footnote_rows(record: Record) -> tuple[FootnoteRow, ...]:
    codes = [None, *(p.code for p in record.parties)]
    rank = {code: i for i, code in enumerate(codes)}
    ordered = sorted(record.footnotes, key=lambda f: (rank.get(f.party, len(codes)), mark_order(f)))
    return tuple(FootnoteRow(f.party, f.mark, f.text, version(f)) for f in ordered)


def registration_row(record: Record) -> RegistrationRow | None:
    found = record.registration
    if found is None:
        return None
    return RegistrationRow(
        found.number, found.effective, found.unts_volume, found.unts_page, version(found)
    )


def in_order(facts: Iterable[F]) -> list[F]:
    return sorted(facts, key=sort_key)


def version(event: AgreementEvent | EventCorrected) -> int:
    return event.originator_version


def effective_of(event: AgreementEvent | None) -> PartialDate | None:
    return event.effective if event is not None else None


def first_date(*events: AgreementEvent | None) -> PartialDate | None:
    present = [e for e in events if e is not None]
    return min(present, key=sort_key).effective if present else None


__all__ = ["derive", "state_as_of"]
