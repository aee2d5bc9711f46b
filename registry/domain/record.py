"""What is known about one agreement: its facts (events with corrections applied), indexed.

`Record.add` is the fold step shared by the Agreement aggregate (current knowledge, kept up to
date one event at a time) and by `history.state_as_of` (any date, as known at any instant). It
never checks and never fails, and the result does not depend on the order facts are added in:
whatever depends on order is kept as the earliest or latest by `sort_key`, the fold order
(effective start, then version). That is why the aggregate, adding facts in recorded order,
and `state_as_of`, adding them in effective order, always agree.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TypeVar

from registry.domain.dates import PartialDate
from registry.domain.events import (
    AgreementEvent,
    Amended,
    ConsentExpressed,
    DeclarationMade,
    DocumentAttached,
    Drafted,
    EnteredIntoForce,
    Expired,
    FootnoteRecorded,
    MilestoneRecorded,
    MilestoneStatusChanged,
    ObjectionMade,
    ParticularsRecorded,
    ProvisionallyApplied,
    RegisteredWithUN,
    Renewed,
    ReservationMade,
    Resumed,
    Signed,
    StatementWithdrawn,
    Suspended,
    Terminated,
    TerritorialApplicationDeclared,
    TextAdopted,
    TextAmended,
    WithdrawalNotified,
)
from registry.domain.values import LegalCharacter, MilestoneStatus, Party, SignatureType

Key = tuple[date, int]
AD_REF = SignatureType.AD_REFERENDUM
E = TypeVar("E", bound=AgreementEvent)
Statement = ReservationMade | DeclarationMade | ObjectionMade
PARTICULARS = ("depositary", "concluded_place", "concluded_on", "authentic_languages")

TITLE_IN_MESSAGES = 60  # longer English titles give way to the reference in messages


def sort_key(event: AgreementEvent) -> Key:
    return (event.effective.start, event.originator_version)


def earliest(current: E | None, candidate: E) -> E:
    return candidate if current is None or sort_key(candidate) < sort_key(current) else current


def latest(current: E | None, candidate: E) -> E:
    return candidate if current is None or sort_key(candidate) > sort_key(current) else current


def party_of(event: AgreementEvent) -> str | None:
    party = getattr(event, "party", None)
    return party if isinstance(party, str) else None


class Record:
    def __init__(self, drafted: Drafted) -> None:
        self.drafted = drafted
        self.versions: set[int] = {drafted.originator_version}
        self.revisions: list[TextAmended] = []
        self.last_revision: TextAmended | None = None
        self.last_party_list: TextAmended | None = None
        self.last_titles: TextAmended | None = None
        self.adoption: TextAdopted | None = None
        self.signatures: dict[str, list[Signed]] = defaultdict(list)
        self.last_signature: dict[str, Signed] = {}  # by party: its latest of any type
        self.full_signature: dict[str, Signed] = {}  # its latest simple or definitive one
        self.bound_act: dict[str, Signed | ConsentExpressed] = {}  # its earliest binding act
        self.consents: dict[str, ConsentExpressed] = {}
        self.reservations: dict[str, list[ReservationMade]] = defaultdict(list)
        self.declarations: dict[str, list[DeclarationMade]] = defaultdict(list)
        self.objections: dict[str, list[ObjectionMade]] = defaultdict(list)
        self.statements: dict[int, Statement] = {}  # by version
        self.statement_withdrawals: dict[int, StatementWithdrawn] = {}  # by statement version
        self.territorial: dict[str, list[TerritorialApplicationDeclared]] = defaultdict(list)
        self.particulars: list[ParticularsRecorded] = []
        self.registration: RegisteredWithUN | None = None
        self.footnotes: list[FootnoteRecorded] = []
        self.party_footnotes: dict[str | None, list[FootnoteRecorded]] = defaultdict(list)
        self.provisional: dict[str | None, ProvisionallyApplied] = {}
        self.in_force: dict[str | None, EnteredIntoForce] = {}
        self.amendments: dict[str, Amended] = {}
        self.milestones: dict[str, MilestoneRecorded] = {}
        self.milestone_changes: dict[str, list[MilestoneStatusChanged]] = defaultdict(list)
        self.last_milestone_change: dict[str, MilestoneStatusChanged] = {}
        self.suspensions: dict[str | None, list[Suspended | Resumed]] = defaultdict(list)
        self.last_suspension: dict[str | None, Suspended | Resumed] = {}
        self.withdrawals: dict[str, WithdrawalNotified] = {}
        self.termination: Terminated | None = None
        self.term: list[Expired | Renewed] = []
        self.last_term: Expired | Renewed | None = None
        self.last_renewal: Renewed | None = None
        self.documents: dict[str, DocumentAttached] = {}
        self.latest_act: AgreementEvent | None = None  # the latest-starting act of any kind
        self.latest_party_act: dict[str, AgreementEvent] = {}
        self._parties: tuple[Party, ...] | None = None  # `parties`, until a fact changes it
        self._codes: tuple[str, ...] | None = None  # their codes
        self.binding = drafted.character is LegalCharacter.BINDING

    @classmethod
    def of(cls, facts: list[AgreementEvent]) -> Record:
        """The record of facts that start with their Drafted event."""
        drafted = facts[0]
        assert isinstance(drafted, Drafted)
        record = cls(drafted)
        for fact in facts[1:]:
            record.add(fact)
        return record

    # -- the fold ------------------------------------------------------------------------

    def add(self, fact: AgreementEvent) -> None:
        self.versions.add(fact.originator_version)
        if isinstance(fact, TextAmended | ConsentExpressed) or (
            isinstance(fact, Signed) and fact.successor is not None
        ):  # a party list, an accession (a party's earliest consent) or a succession
            self._parties = self._codes = None
        if not isinstance(fact, DocumentAttached):
            self.latest_act = latest(self.latest_act, fact)
            party = party_of(fact)
            if party is not None:
                self.latest_party_act[party] = latest(self.latest_party_act.get(party), fact)
        if isinstance(fact, TextAmended):
            self.revisions.append(fact)
            self.last_revision = latest(self.last_revision, fact)
            if fact.parties is not None:
                self.last_party_list = latest(self.last_party_list, fact)
            if fact.titles is not None:
                self.last_titles = latest(self.last_titles, fact)
        elif isinstance(fact, TextAdopted):
            self.adoption = earliest(self.adoption, fact)
        elif isinstance(fact, Signed):
            self.add_signature(fact)
        elif isinstance(fact, ConsentExpressed):
            self.consents[fact.party] = earliest(self.consents.get(fact.party), fact)
            self.bound_act[fact.party] = earliest(self.bound_act.get(fact.party), fact)
        elif isinstance(fact, ReservationMade | DeclarationMade | ObjectionMade):
            self.add_statement(fact)
        elif isinstance(fact, StatementWithdrawn):
            known = self.statement_withdrawals.get(fact.statement)
            self.statement_withdrawals[fact.statement] = earliest(known, fact)
        elif isinstance(fact, TerritorialApplicationDeclared):
            self.territorial[fact.party].append(fact)
        elif isinstance(fact, ParticularsRecorded):
            self.particulars.append(fact)
        elif isinstance(fact, RegisteredWithUN):
            self.registration = earliest(self.registration, fact)
        elif isinstance(fact, FootnoteRecorded):
            self.footnotes.append(fact)
            self.party_footnotes[fact.party].append(fact)
        elif isinstance(fact, ProvisionallyApplied):
            self.provisional[fact.party] = earliest(self.provisional.get(fact.party), fact)
        elif isinstance(fact, EnteredIntoForce):
            self.in_force[fact.party] = earliest(self.in_force.get(fact.party), fact)
        elif isinstance(fact, Amended):
            self.amendments[fact.amendment] = earliest(self.amendments.get(fact.amendment), fact)
        elif isinstance(fact, MilestoneRecorded):
            known = self.milestones.get(fact.milestone)
            self.milestones[fact.milestone] = earliest(known, fact)
        elif isinstance(fact, MilestoneStatusChanged):
            self.milestone_changes[fact.milestone].append(fact)
            last = self.last_milestone_change.get(fact.milestone)
            self.last_milestone_change[fact.milestone] = latest(last, fact)
        elif isinstance(fact, Suspended | Resumed):
            self.suspensions[fact.party].append(fact)
            last_suspension = self.last_suspension.get(fact.party)
            self.last_suspension[fact.party] = latest(last_suspension, fact)
        elif isinstance(fact, WithdrawalNotified):
            self.withdrawals[fact.party] = earliest(self.withdrawals.get(fact.party), fact)
        elif isinstance(fact, Terminated):
            self.termination = earliest(self.termination, fact)
        elif isinstance(fact, Expired | Renewed):
            self.term.append(fact)
            self.last_term = latest(self.last_term, fact)
            if isinstance(fact, Renewed):
                self.last_renewal = latest(self.last_renewal, fact)
        elif isinstance(fact, DocumentAttached):
            self.documents[fact.sha256] = earliest(self.documents.get(fact.sha256), fact)

    def add_signature(self, fact: Signed) -> None:
        party = fact.party
        self.signatures[party].append(fact)
        self.last_signature[party] = latest(self.last_signature.get(party), fact)
        if fact.signature_type is not AD_REF:
            self.full_signature[party] = latest(self.full_signature.get(party), fact)
        if fact.signature_type is SignatureType.DEFINITIVE:
            self.bound_act[party] = earliest(self.bound_act.get(party), fact)

    def add_statement(self, fact: Statement) -> None:
        self.statements[fact.originator_version] = fact
        if isinstance(fact, ReservationMade):
            self.reservations[fact.party].append(fact)
        elif isinstance(fact, DeclarationMade):
            self.declarations[fact.party].append(fact)
        else:
            self.objections[fact.party].append(fact)

    # -- questions the rules and the views ask -------------------------------------------

    def particular(self, name: str) -> object | None:
        """The latest value recorded for one of the agreement's PARTICULARS."""
        given = [p for p in self.particulars if getattr(p, name) is not None]
        return getattr(max(given, key=sort_key), name) if given else None

    def withdrawn(self, statement: int) -> StatementWithdrawn | None:
        return self.statement_withdrawals.get(statement)

    @property
    def multilateral(self) -> bool:
        return self.drafted.multilateral

    @property
    def titles(self) -> dict[str, str]:
        if self.last_titles is not None and self.last_titles.titles is not None:
            return self.last_titles.titles
        return self.drafted.titles

    @property
    def parties(self) -> tuple[Party, ...]:
        """The negotiating parties (as last revised), then those that joined, in order
        (kept until a fact that may change them: every party's row asks for them)."""
        if self._parties is None:
            self._parties = self._listed_parties()
        return self._parties

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of the `parties`, in their order."""
        if self._codes is None:
            self._codes = tuple(party.code for party in self.parties)
        return self._codes

    def _listed_parties(self) -> tuple[Party, ...]:
        listed = self.drafted.parties
        if self.last_party_list is not None and self.last_party_list.parties is not None:
            listed = self.last_party_list.parties
        joining: list[tuple[Key, Party]] = [
            (sort_key(c), c.acceding) for c in self.consents.values() if c.acceding is not None
        ]
        joining += [
            (sort_key(s), s.successor)
            for signed in self.signatures.values()
            for s in signed
            if s.successor is not None
        ]
        codes = {p.code for p in listed}
        extra: list[Party] = []
        for _key, party in sorted(joining, key=lambda item: item[0]):
            if party.code not in codes:
                codes.add(party.code)
                extra.append(party)
        return (*listed, *extra)

    def party(self, code: str) -> Party | None:
        return next((p for p in self.parties if p.code == code), None)

    def name_of(self, code: str | None) -> str:
        if code is None:
            return "every party"
        party = self.party(code)
        return party.name if party else code

    @property
    def title(self) -> str:
        """How refusals name the agreement: its English title when short, else its reference
        (a 130-character title buries the message)."""
        title = self.titles.get("en") or ""
        return title if 0 < len(title) <= TITLE_IN_MESSAGES else self.drafted.reference

    def signature(self, code: str) -> Signed | None:
        """The party's operative signature: its latest simple or definitive one."""
        return self.full_signature.get(code)

    def bound_on(self, code: str) -> PartialDate | None:
        """When the party consented to be bound: its consent, or its definitive signature
        (the earlier of the two)."""
        act = self.bound_act.get(code)
        return act.effective if act is not None else None

    def milestone_status(self, milestone: str) -> tuple[MilestoneStatus, PartialDate]:
        """The milestone's latest status and the date it took it."""
        last = self.last_milestone_change.get(milestone)
        if last is not None:
            return last.status, last.effective
        recorded = self.milestones[milestone]
        return recorded.status, recorded.effective

    def suspended(self, scope: str | None) -> Suspended | None:
        last = self.last_suspension.get(scope)
        return last if isinstance(last, Suspended) else None

    def expiry(self) -> Expired | None:
        """The expiry in effect: the latest of expiries and renewals, if it is an expiry."""
        return self.last_term if isinstance(self.last_term, Expired) else None

    def first_withdrawal(self) -> WithdrawalNotified | None:
        return min(
            self.withdrawals.values(),
            key=lambda w: (w.takes_effect.start, w.originator_version),
            default=None,
        )
