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
    Phrase,
    words,
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
            "The amendment {amendment_reference} is the agreement {expected}, not {amendment}",
            amendment_reference=fact.amendment_reference,
            expected=expected,
            amendment=fact.amendment,
        )
    if fact.amendment == str(record.drafted.originator_id):
        raise AmendmentOfItself("{title} cannot amend itself", title=record.title)
    earlier = record.amendments.get(fact.amendment)
    if earlier is not None:
        raise DuplicateAmendment(
            "{amendment_reference} was already recorded as an amendment of {title} on {earlier}",
            amendment_reference=fact.amendment_reference,
            title=record.title,
            earlier=earlier.effective,
        )


def check_milestone_recorded(record: Record, fact: MilestoneRecorded) -> None:
    check_text(fact.milestone, "milestone", "A milestone id")
    check_text(fact.title, "title", "A milestone title")
    earlier = record.milestones.get(fact.milestone)
    if earlier is not None:
        raise DuplicateMilestone(
            "{title} already has a milestone {milestone} ({title2})",
            title=record.title,
            milestone=fact.milestone,
            title2=earlier.title,
        )


def check_milestone_status_changed(record: Record, fact: MilestoneStatusChanged) -> None:
    milestone = record.milestones.get(fact.milestone)
    if milestone is None:
        raise MilestoneNotFound(
            "{title} has no milestone {milestone}", title=record.title, milestone=fact.milestone
        )
    status, since = record.milestone_status(fact.milestone)
    what = Phrase("The milestone {title!r}", title=milestone.title)
    if status.is_final:
        raise MilestoneAlreadyFinal(
            "{what} is {status} since {since}: its status is final",
            what=what,
            status=words(status.value),
            since=since,
        )
    if not status.may_become(fact.status):
        raise InvalidMilestoneTransition(
            "{what} is {status}: it cannot become {new_status} (planned -> in progress -> "
            "achieved, missed or cancelled; a missed milestone may resume)",
            what=what,
            status=words(status.value),
            new_status=words(fact.status.value),
        )
    if fact.effective.start < since.start:
        raise DateOutOfOrder(
            "{what} took its current status on {since}: a change cannot be dated {effective}",
            what=what,
            since=since,
            effective=fact.effective,
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
            "This document is already attached to {title} as {title2!r} ({filename})",
            title=record.title,
            title2=earlier.title,
            filename=earlier.filename,
        )
