"""The words of the event forms: a title and an explanation per event type, a label and a hint
per field, and plain-language versions of the schema's messages.
"""

from __future__ import annotations

import re

DATE_HINT = "A year, a month or a day: 2026, 2026-02 or 2026-02-03."

EVENT_TITLES: dict[str, tuple[str, str]] = {
    "Drafted": (
        "Draft a new agreement",
        "Starts the agreement's record. Its reference cannot change later.",
    ),
    "TextAmended": ("Revise the draft text", "A revision of the draft before its text is adopted."),
    "TextAdopted": ("Adopt the text", "The text is settled (VCLT art. 9)."),
    "Signed": ("Record a signature", "A party signs (VCLT art. 12)."),
    "ConsentExpressed": (
        "Record consent to be bound",
        "Ratification, acceptance, approval, accession, succession or notification of completed "
        "internal procedures (VCLT arts. 14-16). Ratification, acceptance and approval need an "
        "earlier signature by that party.",
    ),
    "ReservationMade": (
        "Record a reservation",
        "A party excludes or modifies a provision (VCLT arts. 19-23).",
    ),
    "DeclarationMade": ("Record a declaration", "A party's interpretative or other declaration."),
    "ProvisionallyApplied": (
        "Record provisional application",
        "Applied before entry into force (VCLT art. 25).",
    ),
    "EnteredIntoForce": (
        "Record entry into force",
        "For all parties, or for one party (VCLT art. 24).",
    ),
    "Amended": (
        "Record an amendment",
        "An amendment is an agreement of its own, linked to this one (VCLT arts. 39-41).",
    ),
    "MilestoneRecorded": (
        "Add an implementation milestone",
        "Something the parties committed to do, with a due date.",
    ),
    "MilestoneStatusChanged": (
        "Change a milestone's status",
        "Planned, in progress, achieved, missed or cancelled.",
    ),
    "Suspended": ("Record a suspension", "For all parties, or for one party (VCLT art. 57)."),
    "Resumed": ("Record a resumption", "The end of a suspension (VCLT art. 58)."),
    "WithdrawalNotified": (
        "Record a notice of withdrawal",
        "It takes effect after the notice period (VCLT arts. 54, 56).",
    ),
    "Terminated": ("Record termination", "The agreement ends for all parties (VCLT art. 54)."),
    "Expired": ("Record expiry", "The agreement's term ran out."),
    "Renewed": ("Record a renewal", "The agreement's term is extended."),
    "DocumentAttached": (
        "Attach a document",
        "A text or scan, stored here and pinned in the signed event by its SHA-256.",
    ),
    "EventCorrected": (
        "Correct an event",
        "Supersedes or retracts an earlier event. The original stays in the history.",
    ),
}

# (label, hint) by field name; "Type.field" entries override the plain name for one type.
FIELD_TEXT: dict[str, tuple[str, str | None]] = {
    "effective": ("Effective date", DATE_HINT + " The date the act took effect in the world."),
    "source": (
        "Source",
        "Where this comes from, e.g. a depositary notification or a note verbale number.",
    ),
    "reason": ("Reason or remarks", None),
    "reference": (
        "Reference",
        "The registry's reference, e.g. PK-KZ-2026-001. It cannot change later.",
    ),
    "titles": (
        "Titles",
        "One title per language; English (en) is required. Use language codes like en, ur, kk, ru.",
    ),
    "kind": ("Kind of instrument", None),
    "character": (
        "Legal character",
        "Binding instruments take consent and enter into force; "
        "non-binding ones take effect on signature.",
    ),
    "multilateral": ("Multilateral (more than two parties may join)", None),
    "parties": (
        "Parties",
        "Code (ISO 3166 alpha-3 for states, e.g. PAK), name and type. "
        "A bilateral agreement has exactly two.",
    ),
    "parent": (
        "Parent agreement",
        "The reference of the agreement this one amends or implements, if any.",
    ),
    "withdrawal_notice_months": (
        "Withdrawal notice period (months)",
        "Leave blank for 12 months (or the withdrawal clause's notice).",
    ),
    "clauses": (
        "Final clauses (JSON)",
        'Optional. E.g. {"entry_into_force": {"instruments": 20, "days_after": 30, '
        '"later_parties_days_after_deposit": 30}}; see the API docs for every form.',
    ),
    "summary": ("Summary", None),
    "place": ("Place", "City, e.g. Islamabad."),
    "party": ("Party", None),
    "signatory": ("Signatory", "The person who signed."),
    "capacity": ("Capacity", "e.g. Minister of Foreign Affairs."),
    "signature_type": (
        "Kind of signature",
        "Simple signature needs ratification; a definitive signature binds at once.",
    ),
    "instrument": ("Instrument", None),
    "acceding": (
        "Acceding party",
        "Only for a state joining a multilateral treaty it did not negotiate; "
        "leave blank otherwise.",
    ),
    "article": ("Article", "e.g. Article 5(2)."),
    "text": ("Text", None),
    "amendment_reference": (
        "Reference of the amendment",
        "The amendment's own reference, e.g. PK-KZ-2026-001-A1.",
    ),
    "milestone": ("Milestone", None),
    "MilestoneRecorded.milestone": (
        "Milestone identifier",
        "Short and unique in this agreement, e.g. M3.",
    ),
    "title": ("Title", None),
    "due": ("Due date", DATE_HINT),
    "status": ("Status", None),
    "description": ("Description", None),
    "takes_effect": (
        "Takes effect on",
        DATE_HINT + " Leave blank for the end of the notice period.",
    ),
    "until": ("Renewed until", DATE_HINT),
    "language": ("Language of the document", "A language code such as en, ur, kk or ru."),
    "DocumentAttached.title": ("Document title", "e.g. Signed English text."),
    "new_effective": ("New effective date", DATE_HINT + " Leave blank to keep the date."),
    "action": ("What to do", None),
    "EventCorrected.reason": (
        "Reason for the correction",
        "Required: say what was wrong and where the right value comes from.",
    ),
    "EventCorrected.effective": ("Date of the correction", DATE_HINT),
}

PARTY_TYPE_LABELS = {
    "state": "State",
    "international_organisation": "International organisation",
    "agency": "Agency",
    "institute": "Institute",
}

CHOICE_LABELS = {
    "non_binding": "Non-binding",
    "ad_referendum": "Ad referendum",
    "in_progress": "In progress",
    "memorandum_of_understanding": "Memorandum of understanding",
    "exchange_of_notes": "Exchange of notes",
    "joint_declaration": "Joint declaration",
    "action_plan": "Action plan",
    "notification": "Notification of completed internal procedures",
    "supersede": "Supersede: new date and/or new values",
    "retract": "Retract: the event did not happen",
    **PARTY_TYPE_LABELS,
}


def field_text(type_name: str, name: str) -> tuple[str, str | None]:
    found = FIELD_TEXT.get(f"{type_name}.{name}") or FIELD_TEXT.get(name)
    return found or (name.replace("_", " ").capitalize(), None)


def choice_label(value: str) -> str:
    return CHOICE_LABELS.get(value) or value.replace("_", " ").capitalize()


def event_title(type_name: str) -> str:
    return EVENT_TITLES.get(type_name, (type_name, ""))[0]


def event_label(type_name: str) -> str:
    """`ConsentExpressed` -> `Consent expressed`: the past tense reads well in a history."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type_name).lower()
    return words[:1].upper() + words[1:]


_PLAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), "This is required."),
    (re.compile(r"^Field may not be null\.$"), "This is required."),
    (re.compile(r"^Not a valid integer\.$"), "Enter a whole number, like 6."),
    (re.compile(r"^Must be one of: .*$"), "Choose one of the options given."),
    (re.compile(r"^Length must be between 1 and (\d+)\.$"), r"Enter between 1 and \1 characters."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"Enter at most \1 characters."),
    (re.compile(r"^Shorter than minimum length 1\.$"), "Add at least one."),
    (re.compile(r"^Must be greater than or equal to 0.*$"), "Enter zero or a positive number."),
    (re.compile(r"^Not a valid string\.$"), "Enter text."),
    (re.compile(r"^Not a valid boolean\.$"), "Tick the box or leave it empty."),
    (re.compile(r"^Unknown field\.$"), "This is not a field of this form."),
    (
        re.compile(r"^(Not a valid mapping type|Invalid input type|Not a valid list)\.$"),
        "This is not in the expected form.",
    ),
]


def plain(message: str) -> str:
    for pattern, replacement in _PLAIN:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
