"""The catalogue: one Declaration per agreement event type (see declaration.py), and `check`.

Adding a type: its class in events.py (fields, types, defaults), its rule (rules/), and its
entry here; the Record folds it (record.py) and the state shows it (history.py). The codec,
the commands, the forms, the API's schemas and documentation, the history, the diff and the
intervals read this catalogue. Importing the Agreement (agreement.py, whose commands are made
from these declarations) checks every declaration (`check_catalogue`).
"""

from __future__ import annotations

from typing import Any

from registry.domain.declaration import (
    ActKind,
    Computed,
    Correctable,
    Declaration,
    check_complete,
)
from registry.domain.errors import RequiredFieldMissing
from registry.domain.events import (
    AGREEMENT_EVENTS,
    AgreementEvent,
    Amended,
    ConsentExpressed,
    DeclarationMade,
    DocumentAttached,
    Drafted,
    EnteredIntoForce,
    EventCorrected,
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
from registry.domain.identity import agreement_id
from registry.domain.record import Record
from registry.domain.rules import consent, ending, force, particulars, records, statements, text
from registry.domain.rules.common import check_text, check_within_life
from registry.domain.values import Notification

ANY = Correctable.SUPERSEDE_OR_RETRACT
PARTY = {"code": "PAK", "name": "Pakistan", "type": "state"}


def _draft_rules(_record: Any, fact: Drafted) -> None:
    text.check_drafted(fact)


def _correction_rules(_record: Any, fact: EventCorrected) -> None:
    """A correction is checked against the whole corrected history, by
    corrections.check_correction (the aggregate calls it), never one record at a time."""
    raise TypeError("corrections are checked by corrections.check_correction")


def _notice_period_end(record: Record, given: Any) -> Any:
    return given["effective"].add_months(record.drafted.withdrawal_notice_months)


def _amendment_stream(_record: Record, given: Any) -> str:
    return str(agreement_id(given["amendment_reference"]))


DECLARATIONS: tuple[Declaration, ...] = (
    Declaration(
        Drafted,
        command="draft",
        article="VCLT art. 2(1)(a) (what is a treaty); the registry's record starts here",
        rules=_draft_rules,
        act=ActKind.DRAFTED,
        standing=True,
        correctable=Correctable.SUPERSEDE_ONLY,
        label="Draft a new agreement",
        called="Drafted",
        help="Starts the agreement's record. Its reference cannot change later.",
        example={
            "reference": "PK-KZ-2026-001",
            "titles": {"en": "Agreement on Transit Trade", "kk": "Транзиттік сауда туралы"},
            "kind": "agreement",
            "character": "binding",
            "multilateral": False,
            "parties": [PARTY, {"code": "KAZ", "name": "Kazakhstan", "type": "state"}],
        },
        field_text={
            "reference": (
                "Reference",
                "The registry's reference, e.g. PK-KZ-2026-001. It cannot change later.",
            ),
            "kind": ("Kind of instrument", None),
            "character": (
                "Legal character",
                "Binding instruments take consent and enter into force; "
                "non-binding ones take effect on signature.",
            ),
            "multilateral": ("Multilateral (more than two parties may join)", None),
            "parent": (
                "Parent agreement",
                "The reference of the agreement this one amends or implements, if any.",
            ),
            "withdrawal_notice_months": (
                "Withdrawal notice period (months)",
                "Leave blank for 12 months.",
            ),
        },
        normalise={"reference": str.strip},
        recordable=False,
    ),
    Declaration(
        TextAmended,
        command="amend_text",
        article="VCLT art. 9 (before adoption of the text)",
        rules=text.check_text_amended,
        act=ActKind.DRAFTED,
        standing=True,
        correctable=ANY,
        label="Revise the draft text",
        called="Text amended",
        help="A revision of the draft before its text is adopted.",
        example={"summary": "Article 28 (dispute settlement) revised."},
    ),
    Declaration(
        TextAdopted,
        command="adopt_text",
        article="VCLT art. 9",
        rules=text.check_text_adopted,
        act=ActKind.TEXT_ADOPTED,
        standing=True,
        correctable=ANY,
        label="Adopt the text",
        called="Text adopted",
        help="The text is settled (VCLT art. 9).",
        example={"place": "Tashkent"},
    ),
    Declaration(
        Signed,
        command="sign",
        article="VCLT arts. 10, 12, 18; succession: 1978 Convention arts. 18-19",
        rules=consent.check_signed,
        act=ActKind.SIGNED,
        standing=True,
        correctable=ANY,
        label="Record a signature",
        called="Signed",
        help="A party signs (VCLT art. 12). With a predecessor state named, the party succeeds "
        "to that state's signature; a successor not yet a party is given as the successor.",
        example={
            "party": "PAK",
            "signatory": "Minister of Foreign Affairs of Pakistan",
            "capacity": "Minister of Foreign Affairs",
            "signature_type": "simple",
            "place": "Astana",
            "notification": {"number": "C.N.12.2026.TREATIES-XI.4", "date": "2026-02-10"},
        },
        field_text={
            "signatory": ("Signatory", "The person who signed."),
            "capacity": ("Capacity", "e.g. Minister of Foreign Affairs."),
            "signature_type": (
                "Kind of signature",
                "Simple signature needs ratification; a definitive signature binds at once.",
            ),
            "predecessor": (
                "Succeeds to the signature of",
                "Only for a succession to a signature: the predecessor state.",
            ),
            "successor": (
                "Successor state",
                "Only for a successor state that is not yet a party; leave blank otherwise.",
            ),
        },
    ),
    Declaration(
        ConsentExpressed,
        command="express_consent",
        article="VCLT arts. 11, 14-16; 1986 Convention art. 2(1)(b bis); 1978 Convention",
        rules=consent.check_consent,
        act=ActKind.CONSENT,
        standing=True,
        correctable=ANY,
        label="Record consent to be bound",
        called="Consent expressed",
        help="Ratification, acceptance, approval, accession, succession, formal confirmation "
        "(an international organisation's) or notification of completed internal procedures "
        "(VCLT arts. 14-16). Ratification, acceptance, approval and formal confirmation need "
        "an earlier signature by that party; a succession names its predecessor state.",
        example={"party": "PAK", "instrument": "ratification"},
        field_text={
            "instrument": ("Instrument", None),
            "acceding": (
                "Acceding party",
                "Only for a state joining a multilateral treaty it did not negotiate; "
                "leave blank otherwise.",
            ),
        },
    ),
    Declaration(
        ReservationMade,
        command="make_reservation",
        article="VCLT arts. 19-23",
        rules=consent.check_reservation,
        act=ActKind.RESERVATION,
        standing=False,
        correctable=ANY,
        label="Record a reservation",
        called="Reservation made",
        help="A party excludes or modifies a provision (VCLT arts. 19-23).",
        example={"party": "PAK", "article": "28(2)", "text": "Pakistan does not consider..."},
    ),
    Declaration(
        DeclarationMade,
        command="make_declaration",
        article="VCLT arts. 19-23 (interpretative declarations)",
        rules=consent.check_declaration,
        act=ActKind.DECLARATION,
        standing=False,
        correctable=ANY,
        label="Record a declaration",
        called="Declaration made",
        help="A party's interpretative or other declaration.",
        example={"party": "KAZ", "article": "3", "text": "Kazakhstan designates..."},
    ),
    Declaration(
        ObjectionMade,
        command="object_to_reservation",
        article="VCLT arts. 20(4)(b), 21(3), 23",
        rules=statements.check_objection,
        act=ActKind.OBJECTION,
        standing=False,
        correctable=ANY,
        label="Record an objection to a reservation",
        called="Objection made",
        help="A party objects to another party's reservation (named by its event). It may "
        "state that the treaty does not enter into force between the two (VCLT art. "
        "20(4)(b)); otherwise the provisions reserved do not apply between them (art. 21(3)).",
        example={
            "party": "KAZ",
            "reserving_party": "PAK",
            "reservation": 14,
            "opposes_entry_into_force": False,
            "text": "Kazakhstan objects to the reservation to Article 28(2).",
        },
        field_text={
            "party": ("Objecting party", None),
            "reserving_party": ("Reserving party", "The party whose reservation is objected to."),
            "reservation": (
                "Reservation (event number)",
                "The number of the ReservationMade event in this agreement's history.",
            ),
            "opposes_entry_into_force": (
                "Opposes entry into force between the two (VCLT art. 20(4)(b))",
                None,
            ),
        },
    ),
    Declaration(
        StatementWithdrawn,
        command="withdraw_statement",
        article="VCLT arts. 22, 23(4)",
        rules=statements.check_statement_withdrawn,
        act=ActKind.STATEMENT_WITHDRAWN,
        standing=False,
        correctable=ANY,
        label="Withdraw a reservation, declaration or objection",
        called="Statement withdrawn",
        help="The party that made a reservation, declaration or objection withdraws it "
        "(VCLT arts. 22, 23(4)); it stays in the history, marked withdrawn.",
        example={"party": "TJK", "statement": 23},
        field_text={
            "statement": (
                "Statement withdrawn (event number)",
                "The number of the ReservationMade, DeclarationMade or ObjectionMade event.",
            ),
            "text": ("Text of the withdrawal", None),
        },
    ),
    Declaration(
        TerritorialApplicationDeclared,
        command="declare_territorial_application",
        article="VCLT art. 29",
        rules=statements.check_territorial,
        act=ActKind.TERRITORIAL_APPLICATION,
        standing=False,
        correctable=ANY,
        label="Record a territorial declaration",
        called="Territorial application declared",
        help="A party extends the treaty to territories, or excludes them (VCLT art. 29), "
        "from the declaration's date or from its own later date.",
        example={
            "party": "KAZ",
            "scope": "extends",
            "territories": ["Khorgos International Centre for Boundary Cooperation"],
            "takes_effect": "2024-01-01",
        },
        field_text={
            "scope": ("Extends or excludes", None),
            "territories": ("Territories", "One territory per line."),
            "takes_effect": (
                "Takes effect on",
                "Leave blank if it takes effect on the date of the declaration.",
            ),
        },
    ),
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
        recordable=False,
    ),
)

BY_NAME: dict[str, Declaration] = {d.name: d for d in DECLARATIONS}
BY_TYPE: dict[type[AgreementEvent], Declaration] = {d.event: d for d in DECLARATIONS}
RECORDABLE: tuple[str, ...] = tuple(d.name for d in DECLARATIONS if d.recordable)


def declared(event_type: type[AgreementEvent] | str) -> Declaration:
    """The declaration of an agreement event type (by class or by name); KeyError if none."""
    if isinstance(event_type, str):
        return BY_NAME[event_type]
    return BY_TYPE[event_type]


def act_kinds() -> dict[type[AgreementEvent], ActKind]:
    """The act kind of each type that a diff lists as an act (not drafting, not corrections)."""
    special = (ActKind.DRAFTED, ActKind.CORRECTED)
    return {d.event: d.act for d in DECLARATIONS if d.act not in special}


def standing_neutral() -> tuple[type[AgreementEvent], ...]:
    return tuple(d.event for d in DECLARATIONS if not d.standing)


def check(record: Record, fact: AgreementEvent) -> None:
    """Raise the DomainError of the first rule `fact` would break (corrections excepted)."""
    check_text(fact.actor, "actor", "The acting officer")
    check_notification(fact.notification)
    check_within_life(record, fact)
    BY_TYPE[type(fact)].rules(record, fact)


def check_notification(notification: Notification | None) -> None:
    if notification is not None and not notification.number.strip():
        raise RequiredFieldMissing(
            "A depositary notification needs its number", field="notification"
        )


def check_catalogue(declarations: tuple[Declaration, ...] = DECLARATIONS) -> None:
    """Every agreement event class declared exactly once, and every declaration complete."""
    from registry.domain.agreement import Agreement
    from registry.domain.declaration import IncompleteDeclaration

    names = [d.name for d in declarations]
    missing = {cls.__name__ for cls in AGREEMENT_EVENTS} - set(names)
    if missing:
        raise IncompleteDeclaration(f"event types without a declaration: {sorted(missing)}")
    twice = {n for n in names if names.count(n) > 1}
    if twice:
        raise IncompleteDeclaration(f"event types declared twice: {sorted(twice)}")
    for declaration in declarations:
        check_complete(declaration, lambda command: callable(getattr(Agreement, command, None)))


__all__ = [
    "BY_NAME",
    "DECLARATIONS",
    "RECORDABLE",
    "act_kinds",
    "check",
    "check_catalogue",
    "declared",
    "standing_neutral",
]
