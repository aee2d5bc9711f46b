"""What can happen next to an agreement: the "Record an event" menu offers these first.

The order follows the life of a treaty (VCLT): a draft is revised, adopted and signed; a signed
binding text is ratified and enters into force; an agreement in force is implemented, amended,
suspended, or ended. The rules themselves stay in the domain: an event offered here may still be
refused, with the reason, when the form is sent.
"""

from __future__ import annotations

from registry.domain.state import AgreementState
from registry.domain.values import AgreementStatus

_OPERATING = (
    "MilestoneRecorded",
    "MilestoneStatusChanged",
    "DocumentAttached",
    "Amended",
    "Suspended",
    "WithdrawalNotified",
    "Terminated",
    "Expired",
    "Renewed",
)

NEXT: dict[AgreementStatus, tuple[str, ...]] = {
    AgreementStatus.DRAFT: ("TextAmended", "TextAdopted", "Signed", "DocumentAttached"),
    AgreementStatus.ADOPTED: ("Signed", "ConsentExpressed", "DocumentAttached"),
    AgreementStatus.SIGNED: (
        "Signed",
        "ConsentExpressed",
        "EnteredIntoForce",
        "ProvisionallyApplied",
        "ReservationMade",
        "DeclarationMade",
        "DocumentAttached",
    ),
    AgreementStatus.PROVISIONALLY_APPLIED: (
        "ConsentExpressed",
        "EnteredIntoForce",
        "Signed",
        "DocumentAttached",
        "MilestoneRecorded",
    ),
    AgreementStatus.IN_FORCE: ("ConsentExpressed", *_OPERATING),
    AgreementStatus.IN_EFFECT: _OPERATING,
    AgreementStatus.SUSPENDED: ("Resumed", "Terminated", "DocumentAttached", "WithdrawalNotified"),
    AgreementStatus.TERMINATED: ("DocumentAttached",),
    AgreementStatus.EXPIRED: ("Renewed", "DocumentAttached"),
}


def likely_next(state: AgreementState, recordable: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(likely next events, in order; every other recordable event, in catalogue order)."""
    likely = [name for name in NEXT.get(state.status, ()) if name in recordable]
    if state.status is AgreementStatus.IN_FORCE and not state.multilateral:
        likely = [name for name in likely if name != "ConsentExpressed"]
    rest = [name for name in recordable if name not in likely]
    return likely, rest
