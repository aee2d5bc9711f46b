"""The repository cache hands out deep copies: they share the immutable events, nothing else."""

from __future__ import annotations

import copy

from registry.domain.agreement import Agreement
from registry.domain.dates import PartialDate
from registry.domain.values import AgreementKind, LegalCharacter, Party, PartyType


def roadmap() -> Agreement:
    agreement = Agreement.draft(
        effective=PartialDate(2026, 1, 1),
        actor="officer.islamabad",
        reference="PK-KZ-2026-003",
        titles={"en": "Roadmap"},
        kind=AgreementKind.ROADMAP,
        character=LegalCharacter.NON_BINDING,
        multilateral=False,
        parties=[
            Party("PAK", "Pakistan", PartyType.STATE),
            Party("KAZ", "Kazakhstan", PartyType.STATE),
        ],
    )
    agreement.record_milestone(
        effective=PartialDate(2026, 2, 1),
        actor="officer.islamabad",
        milestone="visa",
        title="Visas",
    )
    return agreement


def test_a_copy_shares_the_events_but_grows_on_its_own() -> None:
    original = roadmap()
    clone = copy.deepcopy(original)
    assert clone.history[1] is original.history[1]
    clone.record_milestone(
        effective=PartialDate(2026, 3, 1), actor="officer.islamabad", milestone="air", title="Air"
    )
    assert [m.milestone for m in original.state.milestones] == ["visa"]
    assert [m.milestone for m in clone.state.milestones] == ["visa", "air"]
    assert (original.version, clone.version) == (2, 3)
    assert len(original.pending_events) == 2 and len(clone.pending_events) == 3
