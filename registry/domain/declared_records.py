"""Declarations of the acts of force, of ending, and the registry's further records:
provisional application, entry into force, amendments, milestones, suspension, withdrawal,
termination, expiry, renewal, documents, particulars, UN registration, footnotes and
corrections (see catalogue.py)."""

from __future__ import annotations

from typing import Any

from registry.domain.clause_force import withdrawal_effect
from registry.domain.codec import to_json
from registry.domain.declaration import (
    ActKind,
    Computed,
    Correctable,
    DeadlineKind,
    Declaration,
    Scheduled,
)
from registry.domain.events import (
    Amended,
    DocumentAttached,
    EnteredIntoForce,
    EventCorrected,
    Expired,
    FootnoteRecorded,
    MilestoneRecorded,
    MilestoneStatusChanged,
    ParticularsRecorded,
    ProvisionallyApplied,
    RegisteredWithUN,
    Renewed,
    Resumed,
    Suspended,
    Terminated,
    WithdrawalNotified,
)
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules import ending, force, particulars, records

ANY = Correctable.SUPERSEDE_OR_RETRACT
PARTY = {"code": "PAK", "name": "Pakistan", "type": "state"}


def _correction_rules(_record: Any, fact: EventCorrected) -> None:
    """A correction is checked against the whole corrected history, by
    corrections.check_correction (the aggregate calls it), never one record at a time."""
    raise TypeError("corrections are checked by corrections.check_correction")


def _notice_period_end(record: Record, given: Any) -> Any:
    return withdrawal_effect(record, given["effective"])


def _amendment_stream(_record: Record, given: Any) -> str:
    return str(agreement_id(given["amendment_reference"]))


RECORDS: tuple[Declaration, ...] = (
    Declaration(
        ProvisionallyApplied,
        command="apply_provisionally",
        article="VCLT art. 25",
        rules=force.check_provisional,
        act=ActKind.PROVISIONALLY_APPLIED,
        standing=True,
        correctable=ANY,
        label="Record provisional application",
        called="Provisionally applied",
        help="Applied before entry into force (VCLT art. 25).",
        example={"party": "KAZ"},
        scheduled=(Scheduled("effective", DeadlineKind.PROVISIONAL_APPLICATION),),
    ),
    Declaration(
        EnteredIntoForce,
        command="enter_into_force",
        article="VCLT art. 24",
        rules=force.check_entry_into_force,
        act=ActKind.ENTERED_INTO_FORCE,
        standing=True,
        correctable=ANY,
        label="Record entry into force",
        called="Entered into force",
        help="For all parties, or for one party (VCLT art. 24).",
        example={"party": None},
        scheduled=(Scheduled("effective", DeadlineKind.ENTRY_INTO_FORCE),),
    ),
    Declaration(
        Amended,
        command="record_amendment",
        article="VCLT arts. 39-41",
        rules=records.check_amended,
        act=ActKind.AMENDED,
        standing=False,
        correctable=ANY,
        label="Record an amendment",
        called="Amended",
        help="An amendment is an agreement of its own, linked to this one (VCLT arts. 39-41).",
        example={"amendment_reference": "PK-KZ-2026-001-A1", "summary": "Annex I amended."},
        field_text={
            "amendment_reference": (
                "Reference of the amendment",
                "The amendment's own reference, e.g. PK-KZ-2026-001-A1.",
            ),
            "amendment": ("The amendment's record", "Its id, from its reference."),
        },
        computed={"amendment": Computed("the id of its reference", _amendment_stream)},
        server_filled=frozenset({"amendment"}),
    ),
    Declaration(
        MilestoneRecorded,
        command="record_milestone",
        article="Registry record of implementation (no VCLT article)",
        rules=records.check_milestone_recorded,
        act=ActKind.MILESTONE,
        standing=False,
        correctable=ANY,
        label="Add an implementation milestone",
        called="Milestone recorded",
        help="Something the parties committed to do, with a due date.",
        example={"milestone": "M1", "title": "Joint border post opened", "due": "2026-12"},
        field_text={
            "milestone": ("Milestone identifier", "Short and unique in this agreement, e.g. M3."),
            "due": ("Due date", "A year, a month or a day: 2026, 2026-02 or 2026-02-03."),
        },
        scheduled=(Scheduled("due", DeadlineKind.MILESTONE_DUE),),
    ),
    Declaration(
        MilestoneStatusChanged,
        command="change_milestone_status",
        article="Registry record of implementation (no VCLT article)",
        rules=records.check_milestone_status_changed,
        act=ActKind.MILESTONE,
        standing=False,
        correctable=ANY,
        label="Change a milestone's status",
        called="Milestone status changed",
        help="Planned, in progress, achieved, missed or cancelled.",
        example={"milestone": "M1", "status": "in_progress"},
    ),
    Declaration(
        Suspended,
        command="suspend",
        article="VCLT arts. 57-58",
        rules=ending.check_suspended,
        act=ActKind.SUSPENDED,
        standing=True,
        correctable=ANY,
        label="Record a suspension",
        called="Suspended",
        help="For all parties, or for one party (VCLT art. 57).",
        example={"party": "KGZ"},
        scheduled=(Scheduled("effective", DeadlineKind.SUSPENSION),),
    ),
    Declaration(
        Resumed,
        command="resume",
        article="VCLT art. 58",
        rules=ending.check_resumed,
        act=ActKind.RESUMED,
        standing=True,
        correctable=ANY,
        label="Record a resumption",
        called="Resumed",
        help="The end of a suspension (VCLT art. 58).",
        example={"party": "KGZ"},
        scheduled=(Scheduled("effective", DeadlineKind.RESUMPTION),),
    ),
    Declaration(
        WithdrawalNotified,
        command="notify_withdrawal",
        article="VCLT arts. 54, 56",
        rules=ending.check_withdrawal,
        act=ActKind.WITHDRAWAL_NOTIFIED,
        standing=True,
        correctable=ANY,
        label="Record a notice of withdrawal",
        called="Withdrawal notified",
        help="It takes effect after the notice period (VCLT arts. 54, 56).",
        example={"party": "KGZ"},
        field_text={
            "takes_effect": (
                "Takes effect on",
                "A year, a month or a day. Leave blank for the end of the notice period.",
            )
        },
        computed={"takes_effect": Computed("the end of the notice period", _notice_period_end)},
        scheduled=(Scheduled("takes_effect", DeadlineKind.WITHDRAWAL_TAKES_EFFECT),),
    ),
    Declaration(
        Terminated,
        command="terminate",
        article="VCLT arts. 54, 59-64",
        rules=ending.check_terminated,
        act=ActKind.TERMINATED,
        standing=True,
        correctable=ANY,
        label="Record termination",
        called="Terminated",
        help="The agreement ends for all parties (VCLT art. 54).",
        example={},
        scheduled=(Scheduled("effective", DeadlineKind.TERMINATION),),
    ),
    Declaration(
        Expired,
        command="expire",
        article="VCLT art. 54(a) (termination under the treaty's own terms)",
        rules=ending.check_expired,
        act=ActKind.EXPIRED,
        standing=True,
        correctable=ANY,
        label="Record expiry",
        called="Expired",
        help="The agreement's term ran out.",
        example={},
        scheduled=(Scheduled("effective", DeadlineKind.EXPIRY),),
    ),
    Declaration(
        Renewed,
        command="renew",
        article="VCLT art. 54(a) (under the treaty's own terms)",
        rules=ending.check_renewed,
        act=ActKind.RENEWED,
        standing=True,
        correctable=ANY,
        label="Record a renewal",
        called="Renewed",
        help="The agreement's term is extended.",
        example={"until": "2031-03-01"},
        field_text={"until": ("Renewed until", "A year, a month or a day.")},
        scheduled=(
            Scheduled("effective", DeadlineKind.RENEWAL),
            Scheduled("until", DeadlineKind.RENEWAL_ENDS),
        ),
    ),
    Declaration(
        DocumentAttached,
        command="attach_document",
        article="VCLT art. 77 (the depositary keeps the original text)",
        rules=records.check_document,
        act=ActKind.DOCUMENT,
        standing=False,
        correctable=ANY,
        label="Attach a document",
        called="Document attached",
        help="A text or scan, stored here and pinned in the signed event by its SHA-256.",
        example={
            "sha256": "ab" * 32,
            "filename": "certified-copy-en.pdf",
            "media_type": "application/pdf",
            "size": 48213,
            "title": "Certified true copy, English",
            "language": "en",
        },
        field_text={
            "title": ("Document title", "e.g. Signed English text."),
            "sha256": ("SHA-256", "Of the file, in hexadecimal."),
            "filename": ("File name", None),
            "media_type": ("Media type", None),
            "size": ("Size in bytes", None),
        },
        server_filled=frozenset({"sha256", "filename", "media_type", "size"}),
    ),
    Declaration(
        ParticularsRecorded,
        command="record_particulars",
        article="VCLT arts. 76-77 (depositary), 33 (authentic languages)",
        rules=particulars.check_particulars,
        act=ActKind.PARTICULARS,
        standing=False,
        correctable=ANY,
        label="Record the agreement's particulars",
        called="Particulars recorded",
        help="The depositary, the place and date of conclusion and the authentic languages; "
        "what is left blank keeps what earlier records said.",
        example={
            "depositary": "Secretary-General of the United Nations",
            "concluded_place": "Paris",
            "concluded_on": "2015-12-12",
            "authentic_languages": ["ar", "zh", "en", "fr", "ru", "es"],
        },
        field_text={
            "depositary": ("Depositary", "e.g. Secretary-General of the United Nations."),
            "concluded_place": ("Place of conclusion", "City, e.g. Paris."),
            "concluded_on": ("Date of conclusion", "A year, a month or a day."),
            "authentic_languages": (
                "Authentic languages",
                "One language code per line, e.g. en, fr, ru.",
            ),
        },
    ),
    Declaration(
        RegisteredWithUN,
        command="register_with_un",
        article="UN Charter art. 102; VCLT art. 80",
        rules=particulars.check_registration,
        act=ActKind.REGISTRATION,
        standing=False,
        correctable=ANY,
        label="Record UN registration",
        called="Registered with the UN",
        help="The Secretariat's registration (its date is the effective date), with the volume "
        "and page of the United Nations Treaty Series once published.",
        example={"number": "I-54113", "unts_volume": 3156, "unts_page": 79},
        field_text={
            "number": ("Registration number", "e.g. I-54113."),
            "unts_volume": ("UNTS volume", None),
            "unts_page": ("UNTS page", None),
        },
    ),
    Declaration(
        FootnoteRecorded,
        command="record_footnote",
        article="Depositary practice (UNTC status tables)",
        rules=particulars.check_footnote,
        act=ActKind.FOOTNOTE,
        standing=False,
        correctable=ANY,
        label="Record a footnote",
        called="Footnote recorded",
        help="A note of the status table, on one participant or general; its mark links to it.",
        example={"party": "PAK", "mark": "1", "text": "With a declaration on signature."},
        field_text={
            "party": ("Participant", "Leave blank for a general note."),
            "mark": ("Mark", "e.g. 1."),
        },
    ),
    Declaration(
        EventCorrected,
        command="correct",
        article="VCLT art. 79 (correction of errors); the registry never edits an event",
        rules=_correction_rules,
        act=ActKind.CORRECTED,
        standing=True,
        correctable=Correctable.NOT_CORRECTABLE,
        label="Correct an event",
        called="Event corrected",
        help="Supersedes or retracts an earlier event. The original stays in the history.",
        example={
            "corrects": 4,
            "action": "supersede",
            "new_effective": "2026-02-04",
            "changes": {"place": "Astana"},
        },
        field_text={
            "corrects": ("Event corrected", None),
            "changes": ("New values", None),
            "new_effective": (
                "New effective date",
                "A year, a month or a day. Leave blank to keep the date.",
            ),
            "action": ("What to do", None),
            "reason": (
                "Reason for the correction",
                "Required: say what was wrong and where the right value comes from.",
            ),
            "effective": ("Date of the correction", "A year, a month or a day."),
        },
        computed={"changes": Computed("no changes", lambda _record, _given: {})},
        normalise={"changes": lambda changes: to_json(dict(changes))},  # kept JSON-native
        recordable=False,
    ),
)
