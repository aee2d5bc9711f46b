"""Declarations of the acts that make an agreement and bind its parties: drafting, the text,
signature, consent, reservations, declarations, objections, withdrawals of statements and
territorial application (see catalogue.py)."""

from __future__ import annotations

from typing import Any

from registry.domain.clause_force import notice_or_default
from registry.domain.declaration import (
    ActKind,
    Computed,
    Correctable,
    DeadlineKind,
    Declaration,
    Scheduled,
)
from registry.domain.events import (
    ConsentExpressed,
    DeclarationMade,
    Drafted,
    ObjectionMade,
    ReservationMade,
    Signed,
    StatementWithdrawn,
    TerritorialApplicationDeclared,
    TextAdopted,
    TextAmended,
)
from registry.domain.rules import consent, statements, text

ANY = Correctable.SUPERSEDE_OR_RETRACT
PARTY = {"code": "PAK", "name": "Pakistan", "type": "state"}


def _draft_rules(_record: Any, fact: Drafted) -> None:
    text.check_drafted(fact)


ACTS: tuple[Declaration, ...] = (
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
                "Leave blank for the withdrawal clause's notice, else 12 months.",
            ),
            "clauses": (
                "Final clauses (JSON)",
                'Optional. E.g. {"entry_into_force": {"instruments": 20, "days_after": 30, '
                '"later_parties_days_after_deposit": 30}}; see the API docs for every form.',
            ),
        },
        computed={
            "withdrawal_notice_months": Computed(
                "the withdrawal clause's notice, else 12 months",
                lambda _record, given: notice_or_default(None, given.get("clauses")),
            )
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
        scheduled=(Scheduled("takes_effect", DeadlineKind.TERRITORIAL_APPLICATION),),
    ),
)
