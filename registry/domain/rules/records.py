"""Amendments (VCLT arts. 39-41), implementation milestones and attached documents."""

from __future__ import annotations

import re

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
    spoken,
)
from registry.domain.events import (
    Amended,
    DocumentAttached,
    MilestoneRecorded,
    MilestoneStatusChanged,
)
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules.common import check_text

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def check_amended(record: Record, fact: Amended) -> None:
    check_text(fact.amendment_reference, "amendment_reference", "The amendment's reference")
    check_text(fact.summary, "summary", "A summary of the amendment")
    expected = str(agreement_id(fact.amendment_reference))
    if fact.amendment != expected:
        raise AmendmentReferenceMismatch(
            f"The amendment {fact.amendment_reference} is the agreement {expected}, not "
            f"{fact.amendment}"
        )
    if fact.amendment == str(record.drafted.originator_id):
        raise AmendmentOfItself(f"{record.title} cannot amend itself")
    earlier = record.amendments.get(fact.amendment)
    if earlier is not None:
        raise DuplicateAmendment(
            f"{fact.amendment_reference} was already recorded as an amendment of "
            f"{record.title} on {spoken(earlier.effective)}"
        )


def check_milestone_recorded(record: Record, fact: MilestoneRecorded) -> None:
    check_text(fact.milestone, "milestone", "A milestone id")
    check_text(fact.title, "title", "A milestone title")
    earlier = record.milestones.get(fact.milestone)
    if earlier is not None:
        raise DuplicateMilestone(
            f"{record.title} already has a milestone {fact.milestone} ({earlier.title})"
        )


def check_milestone_status_changed(record: Record, fact: MilestoneStatusChanged) -> None:
    milestone = record.milestones.get(fact.milestone)
    if milestone is None:
        raise MilestoneNotFound(f"{record.title} has no milestone {fact.milestone}")
    status, since = record.milestone_status(fact.milestone)
    what = f"The milestone {milestone.title!r}"
    if status.is_final:
        raise MilestoneAlreadyFinal(
            f"{what} is {status.value} since {spoken(since)}: its status is final"
        )
    if not status.may_become(fact.status):
        raise InvalidMilestoneTransition(
            f"{what} is {status.value.replace('_', ' ')}: it cannot become "
            f"{fact.status.value.replace('_', ' ')} (planned -> in progress -> achieved, "
            "missed or cancelled; a missed milestone may resume)"
        )
    if fact.effective.start < since.start:
        raise DateOutOfOrder(
            f"{what} took its current status on {spoken(since)}: a change cannot be dated "
            f"{spoken(fact.effective)}"
        )


def check_document(record: Record, fact: DocumentAttached) -> None:
    if not SHA256_HEX.match(fact.sha256):
        raise InvalidDigest("A document is pinned by its SHA-256: 64 lowercase hex digits")
    if fact.size < 0:
        raise InvalidDocumentSize("A document's size cannot be negative")
    check_text(fact.filename, "filename", "A file name")
    check_text(fact.media_type, "media_type", "A media type")
    check_text(fact.title, "title", "A document title")
    earlier = record.documents.get(fact.sha256)
    if earlier is not None:
        raise DuplicateDocument(
            f"This document is already attached to {record.title} as {earlier.title!r} "
            f"({earlier.filename})"
        )
