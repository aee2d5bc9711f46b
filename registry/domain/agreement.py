"""The Agreement aggregate: one stream of signed events per agreement.

Each command runs its rules (rules/, corrections.py) against what is currently known, with
corrections applied, and only then triggers its event. Applying an event only changes state
and never checks, so replaying stored history never fails. The aggregate keeps every event
(`history`) and folds each new fact into its Record incrementally; only a correction makes it
rebuild the Record from the corrected facts.

Commands take keyword arguments named exactly like their event's fields, plus the common
`effective`, `actor`, `source` and `reason`. `draft` is the only way to create an agreement
(calling the class directly is not supported). Snapshots are not supported: the state is
rebuilt from events.
"""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from registry.domain.clause_force import notice_or_default, withdrawal_effect
from registry.domain.codec import to_json
from registry.domain.corrections import Corrections, check_correction
from registry.domain.dates import PartialDate
from registry.domain.events import (
    AgreementEvent,
    Amended,
    ConsentExpressed,
    DeclarationMade,
    DocumentAttached,
    Drafted,
    EnteredIntoForce,
    EventCorrected,
    Expired,
    MilestoneRecorded,
    MilestoneStatusChanged,
    ProvisionallyApplied,
    Renewed,
    ReservationMade,
    Resumed,
    Signed,
    Suspended,
    Terminated,
    TextAdopted,
    TextAmended,
    WithdrawalNotified,
)
from registry.domain.history import derive
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules import check_drafting, check_recording
from registry.domain.state import AgreementState
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    MilestoneStatus,
    Party,
    SignatureType,
)


class Agreement(Aggregate):
    @staticmethod
    def create_id(reference: str) -> UUID:
        return agreement_id(reference)

    @classmethod
    def draft(
        cls,
        *,
        effective: PartialDate,
        actor: str,
        reference: str,
        titles: dict[str, str],
        kind: AgreementKind,
        character: LegalCharacter,
        multilateral: bool,
        parties: tuple[Party, ...] | list[Party],
        parent: str | None = None,
        withdrawal_notice_months: int | None = None,
        summary: str | None = None,
        clauses: dict[str, Any] | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> Agreement:
        """`withdrawal_notice_months` defaults to the withdrawal clause's notice, else 12."""
        fields: dict[str, Any] = dict(
            effective=effective,
            actor=actor,
            source=source,
            reason=reason,
            reference=reference.strip(),
            titles=dict(titles),
            kind=kind,
            character=character,
            multilateral=multilateral,
            parties=tuple(parties),
            parent=parent,
            withdrawal_notice_months=notice_or_default(withdrawal_notice_months, clauses),
            summary=summary,
            clauses=clauses,
        )
        check_drafting(
            Drafted(
                originator_id=cls.create_id(reference),
                originator_version=cls.INITIAL_VERSION,
                timestamp=Drafted.create_timestamp(),
                originator_topic="",  # a candidate for the rules; `_create` sets the real one
                **fields,
            )
        )
        return cls._create(Drafted, **fields)

    # -- state -----------------------------------------------------------------------------

    def apply_event(self, event: AgreementEvent) -> None:
        """Called by every event's `apply`: change state, never check."""
        if isinstance(event, Drafted):
            self._history: list[AgreementEvent] = []
            self._corrections = Corrections()
            self._record = Record(event)
        self._history.append(event)
        self._corrections.take(event)
        if isinstance(event, EventCorrected):
            self._record = Record.of(self._corrections.in_order())
        elif not isinstance(event, Drafted):
            self._record.add(event)

    def __deepcopy__(self, memo: dict[int, Any]) -> Agreement:
        """Events are immutable: a copy shares them and copies only the state built from them
        (the repository's cache hands out deep copies, and copying every event is O(history))."""
        for event in self._history:
            memo[id(event)] = event
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()})
        return clone

    @property
    def history(self) -> tuple[AgreementEvent, ...]:
        """Every event, in recorded order, as recorded (corrections are events too)."""
        return tuple(self._history)

    @property
    def reference(self) -> str:
        return self._record.drafted.reference

    @property
    def state(self) -> AgreementState:
        """Current knowledge: every recorded act, corrections applied, whatever its date."""
        return derive(self._record, self._corrections, None, None)

    @property
    def status(self) -> AgreementStatus:
        return self.state.status

    def _record_event(self, event_class: type[AgreementEvent], **fields: Any) -> None:
        candidate = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=event_class.create_timestamp(),
            **fields,
        )
        if isinstance(candidate, EventCorrected):
            check_correction(self._corrections, candidate)
        else:
            check_recording(self._record, candidate)
        self.trigger_event(event_class, timestamp=candidate.timestamp, **fields)

    # -- the text ----------------------------------------------------------------------------

    def amend_text(
        self,
        *,
        effective: PartialDate,
        actor: str,
        summary: str,
        titles: dict[str, str] | None = None,
        parties: tuple[Party, ...] | list[Party] | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            TextAmended,
            **common(effective, actor, source, reason),
            summary=summary,
            titles=dict(titles) if titles is not None else None,
            parties=tuple(parties) if parties is not None else None,
        )

    def adopt_text(
        self,
        *,
        effective: PartialDate,
        actor: str,
        place: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(TextAdopted, **common(effective, actor, source, reason), place=place)

    # -- signature and consent ---------------------------------------------------------------

    def sign(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str,
        signatory: str,
        capacity: str,
        signature_type: SignatureType = SignatureType.SIMPLE,
        place: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            Signed,
            **common(effective, actor, source, reason),
            party=party,
            signatory=signatory,
            capacity=capacity,
            signature_type=signature_type,
            place=place,
        )

    def express_consent(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str,
        instrument: ConsentKind,
        acceding: Party | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            ConsentExpressed,
            **common(effective, actor, source, reason),
            party=party,
            instrument=instrument,
            acceding=acceding,
        )

    def make_reservation(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str,
        text: str,
        article: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        fields = common(effective, actor, source, reason)
        self._record_event(ReservationMade, **fields, party=party, article=article, text=text)

    def make_declaration(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str,
        text: str,
        article: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        fields = common(effective, actor, source, reason)
        self._record_event(DeclarationMade, **fields, party=party, article=article, text=text)

    # -- force -------------------------------------------------------------------------------

    def apply_provisionally(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        fields = common(effective, actor, source, reason)
        self._record_event(ProvisionallyApplied, **fields, party=party)

    def enter_into_force(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        fields = common(effective, actor, source, reason)
        self._record_event(EnteredIntoForce, **fields, party=party)

    def suspend(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(Suspended, **common(effective, actor, source, reason), party=party)

    def resume(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(Resumed, **common(effective, actor, source, reason), party=party)

    def notify_withdrawal(
        self,
        *,
        effective: PartialDate,
        actor: str,
        party: str,
        takes_effect: PartialDate | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        """`takes_effect` defaults to the earliest the notice period allows."""
        if takes_effect is None:
            takes_effect = withdrawal_effect(self._record, effective)
        self._record_event(
            WithdrawalNotified,
            **common(effective, actor, source, reason),
            party=party,
            takes_effect=takes_effect,
        )

    # -- end and renewal ---------------------------------------------------------------------

    def terminate(
        self,
        *,
        effective: PartialDate,
        actor: str,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(Terminated, **common(effective, actor, source, reason))

    def expire(
        self,
        *,
        effective: PartialDate,
        actor: str,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(Expired, **common(effective, actor, source, reason))

    def renew(
        self,
        *,
        effective: PartialDate,
        actor: str,
        until: PartialDate | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(Renewed, **common(effective, actor, source, reason), until=until)

    # -- amendments, milestones, documents ---------------------------------------------------

    def record_amendment(
        self,
        *,
        effective: PartialDate,
        actor: str,
        amendment_reference: str,
        summary: str,
        amendment: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        """`amendment` (the amendment's own stream id) defaults to the id of its reference."""
        if amendment is None:
            amendment = str(agreement_id(amendment_reference))
        self._record_event(
            Amended,
            **common(effective, actor, source, reason),
            amendment=amendment,
            amendment_reference=amendment_reference,
            summary=summary,
        )

    def record_milestone(
        self,
        *,
        effective: PartialDate,
        actor: str,
        milestone: str,
        title: str,
        due: PartialDate | None = None,
        status: MilestoneStatus = MilestoneStatus.PLANNED,
        description: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            MilestoneRecorded,
            **common(effective, actor, source, reason),
            milestone=milestone,
            title=title,
            due=due,
            status=status,
            description=description,
        )

    def change_milestone_status(
        self,
        *,
        effective: PartialDate,
        actor: str,
        milestone: str,
        status: MilestoneStatus,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            MilestoneStatusChanged,
            **common(effective, actor, source, reason),
            milestone=milestone,
            status=status,
        )

    def attach_document(
        self,
        *,
        effective: PartialDate,
        actor: str,
        sha256: str,
        filename: str,
        media_type: str,
        size: int,
        title: str,
        language: str | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._record_event(
            DocumentAttached,
            **common(effective, actor, source, reason),
            sha256=sha256,
            filename=filename,
            media_type=media_type,
            size=size,
            title=title,
            language=language,
        )

    # -- corrections -------------------------------------------------------------------------

    def correct(
        self,
        *,
        effective: PartialDate,
        actor: str,
        corrects: int,
        action: CorrectionAction = CorrectionAction.SUPERSEDE,
        new_effective: PartialDate | None = None,
        changes: dict[str, Any] | None = None,
        source: str | None = None,
        reason: str | None = None,
    ) -> None:
        """`changes` maps field names of the target to new values (kept JSON-native)."""
        self._record_event(
            EventCorrected,
            **common(effective, actor, source, reason),
            corrects=corrects,
            action=action,
            new_effective=new_effective,
            changes=to_json(dict(changes or {})),
        )


def common(
    effective: PartialDate, actor: str, source: str | None, reason: str | None
) -> dict[str, Any]:
    return {"effective": effective, "actor": actor, "source": source, "reason": reason}
