from __future__ import annotations

import pytest

from registry.domain.agreement import Agreement
from registry.domain.errors import (
    AmendmentOfItself,
    AmendmentReferenceMismatch,
    DateOutOfOrder,
    DuplicateAmendment,
    DuplicateDocument,
    DuplicateMilestone,
    InvalidDigest,
    InvalidDocumentSize,
    InvalidMilestoneTransition,
    MilestoneAlreadyFinal,
    MilestoneNotFound,
)
from registry.domain.history import state_as_of
from registry.domain.values import MilestoneStatus
from tests.unit.domain.builders import OFFICER, day, draft, draft_mou

ROADMAP_MILESTONE = {"milestone": "trade-1bn", "title": "Bilateral trade reaches $1bn"}


def roadmap() -> Agreement:
    agreement = draft_mou()
    agreement.record_milestone(
        effective=day(2026, 2, 5),
        actor=OFFICER,
        due=day(2027),
        description="Five-year trade roadmap, first target",
        **ROADMAP_MILESTONE,
    )
    return agreement


def change(agreement: Agreement, status: MilestoneStatus, on: tuple[int, ...]) -> None:
    agreement.change_milestone_status(
        effective=day(*on), actor=OFFICER, milestone="trade-1bn", status=status
    )


def test_a_milestone_is_shown_with_its_due_date_and_status() -> None:
    (row,) = roadmap().state.milestones
    assert (row.milestone, row.due, row.status) == ("trade-1bn", day(2027), MilestoneStatus.PLANNED)
    assert row.changed == day(2026, 2, 5)


def test_milestone_status_follows_planned_in_progress_achieved() -> None:
    agreement = roadmap()
    change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 3, 1))
    change(agreement, MilestoneStatus.MISSED, (2026, 7, 1))
    change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 8, 1))
    change(agreement, MilestoneStatus.ACHIEVED, (2026, 11, 1))
    row = agreement.state.milestone("trade-1bn")
    assert row is not None
    assert (row.status, row.changed) == (MilestoneStatus.ACHIEVED, day(2026, 11, 1))
    in_july = state_as_of(agreement.history, as_of=day(2026, 7, 15).start).milestone("trade-1bn")
    assert in_july is not None and in_july.status is MilestoneStatus.MISSED


def test_a_planned_milestone_cannot_be_achieved_directly() -> None:
    with pytest.raises(InvalidMilestoneTransition) as refused:
        change(roadmap(), MilestoneStatus.ACHIEVED, (2026, 3, 1))
    assert refused.value.field == "status"


def test_an_achieved_milestone_is_final() -> None:
    agreement = roadmap()
    change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 3, 1))
    change(agreement, MilestoneStatus.ACHIEVED, (2026, 9, 1))
    with pytest.raises(MilestoneAlreadyFinal):
        change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 10, 1))


def test_a_cancelled_milestone_is_final() -> None:
    agreement = roadmap()
    change(agreement, MilestoneStatus.CANCELLED, (2026, 3, 1))
    with pytest.raises(MilestoneAlreadyFinal):
        change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 10, 1))


def test_a_status_change_cannot_be_dated_before_the_current_status() -> None:
    agreement = roadmap()
    change(agreement, MilestoneStatus.IN_PROGRESS, (2026, 3, 1))
    with pytest.raises(DateOutOfOrder):
        change(agreement, MilestoneStatus.MISSED, (2026, 2, 20))


def test_an_unknown_milestone_is_refused() -> None:
    with pytest.raises(MilestoneNotFound) as refused:
        draft_mou().change_milestone_status(
            effective=day(2026, 3, 1),
            actor=OFFICER,
            milestone="nope",
            status=MilestoneStatus.MISSED,
        )
    assert "nope" in refused.value.message


def test_milestone_ids_are_unique() -> None:
    agreement = roadmap()
    with pytest.raises(DuplicateMilestone):
        agreement.record_milestone(effective=day(2026, 3, 1), actor=OFFICER, **ROADMAP_MILESTONE)


def test_an_amendment_is_linked_to_its_own_stream() -> None:
    agreement = draft()
    agreement.record_amendment(
        effective=day(2026, 6, 1),
        actor=OFFICER,
        amendment_reference="PK-KZ-2026-001-A1",
        summary="Adds a fifth border crossing",
    )
    (row,) = agreement.state.amendments
    assert row.amendment == str(Agreement.create_id("PK-KZ-2026-001-A1"))
    assert row.reference == "PK-KZ-2026-001-A1"


def test_an_amendment_id_must_match_its_reference() -> None:
    with pytest.raises(AmendmentReferenceMismatch):
        draft().record_amendment(
            effective=day(2026, 6, 1),
            actor=OFFICER,
            amendment="7d9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
            amendment_reference="PK-KZ-2026-001-A1",
            summary="x",
        )


def test_an_agreement_cannot_amend_itself_or_twice_by_the_same_amendment() -> None:
    agreement = draft("PK-KZ-2026-001")
    with pytest.raises(AmendmentOfItself):
        agreement.record_amendment(
            effective=day(2026, 6, 1),
            actor=OFFICER,
            amendment_reference="PK-KZ-2026-001",
            summary="x",
        )
    agreement.record_amendment(
        effective=day(2026, 6, 1), actor=OFFICER, amendment_reference="A1", summary="x"
    )
    with pytest.raises(DuplicateAmendment):
        agreement.record_amendment(
            effective=day(2026, 7, 1), actor=OFFICER, amendment_reference="a1", summary="y"
        )


def attach(agreement: Agreement, **changes: object) -> None:
    fields: dict[str, object] = {
        "sha256": "0" * 63 + "1",
        "filename": "text-en.pdf",
        "media_type": "application/pdf",
        "size": 52_311,
        "title": "Signed English text",
        "language": "en",
    }
    fields.update(changes)
    agreement.attach_document(effective=day(2026, 2, 3), actor=OFFICER, **fields)  # type: ignore[arg-type]


def test_a_document_is_pinned_by_its_sha256() -> None:
    agreement = draft()
    attach(agreement)
    (row,) = agreement.state.documents
    assert (row.sha256, row.filename, row.size, row.language) == (
        "0" * 63 + "1",
        "text-en.pdf",
        52_311,
        "en",
    )


@pytest.mark.parametrize("digest", ["abc", "G" * 64, "A" * 64])
def test_a_document_without_a_sha256_is_refused(digest: str) -> None:
    with pytest.raises(InvalidDigest):
        attach(draft(), sha256=digest)


def test_a_document_of_negative_size_is_refused() -> None:
    with pytest.raises(InvalidDocumentSize):
        attach(draft(), size=-1)


def test_the_same_document_cannot_be_attached_twice() -> None:
    agreement = draft()
    attach(agreement)
    with pytest.raises(DuplicateDocument):
        attach(agreement, title="Again")
