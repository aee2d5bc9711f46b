"""What a status table adds to what is recorded: the acts to record and the contradictions.

Pure: from a parsed table and the agreement's current state (None when it is not yet in the
registry) to the JSON-native steps of the catalogue (the same data the fixture loader and the
API send through domain.commands). A table never overwrites: an act the registry holds with
other values, or that the table no longer shows, is a contradiction for an officer to correct.

The acts are recorded in the order they took effect (a stable sort: one day's acts in the
table's order, a participant's signature before its consent), not in the table's alphabetical
order. Recorded alphabetically, nearly every act was backdated against the one before it, and
the read models recompute every standing from a backdated act's day on: the import was cubic
in the participants (CPU, a generated table: 362 s for 192 rows, 3.9 s for 48).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.domain.dates import PartialDate
from registry.domain.events import EVENT_TYPES
from registry.domain.state import AgreementState, PartyRow
from registry.domain.values import ConsentKind, LegalCharacter
from registry.store.bulk.status_table import Problem, Row, StatusTable

CAPACITY = "not stated in the depositary's status table"
FOOTNOTE = "FootnoteRecorded"
PARTICULARS = "ParticularsRecorded"


@dataclass(frozen=True)
class Act:
    line: int | None  # the table's line it comes from (None: the treaty description)
    type: str
    effective: date
    data: dict[str, Any]
    party: str | None
    label: str  # what the act is, for counts: "signature", "ratification", "footnote"...


@dataclass
class Plan:
    table: StatusTable
    new: bool  # the agreement is not yet in the registry
    acts: list[Act] = field(default_factory=list)
    contradictions: list[Problem] = field(default_factory=list)
    notes_kept: int = 0  # footnotes parsed but not recorded (no footnote event type)

    def counts(self) -> dict[str, int]:
        return dict(Counter(act.label for act in self.acts))

    def by_party(self) -> dict[str, list[Act]]:
        found: dict[str, list[Act]] = {row.participant.code: [] for row in self.table.rows}
        for act in self.acts:
            if act.party is not None:
                found.setdefault(act.party, []).append(act)
        return found


def footnotes_supported() -> bool:
    return FOOTNOTE in EVENT_TYPES


def plan(table: StatusTable, current: AgreementState | None, footnotes: Any = ()) -> Plan:
    """`footnotes`: the (party, mark, text) already recorded on the agreement."""
    result = Plan(table, new=current is None)
    if current is None:
        result.acts += _opening(table)
    else:
        result.contradictions += _treaty_differences(table, current)
    recorded_notes = {(party, mark): text for party, mark, text in footnotes}
    for row in table.rows:
        party = current.party(row.participant.code) if current is not None else None
        if current is not None and party is None:
            _joining(result, row)
        else:
            _acts_of(result, row, party)
        _notes(result, row, recorded_notes)
    if current is not None:
        listed = {row.participant.code for row in table.rows}
        for party in current.parties:
            if party.code not in listed and (party.signed or party.consent):
                result.contradictions.append(
                    Problem(
                        None,
                        f"{party.name} ({party.code}) has acts recorded but is not in the table",
                    )
                )
    result.acts.sort(key=in_effect_order)
    return result


def in_effect_order(act: Act) -> tuple[bool, date]:
    """The treaty's own acts first (its drafting and adoption), then by effective date."""
    return act.line is not None, act.effective


def _opening(table: StatusTable) -> list[Act]:
    treaty = table.treaty
    parties = [
        {"code": r.participant.code, "name": r.participant.name, "type": r.participant.type.value}
        for r in table.rows
    ]
    data: dict[str, Any] = {
        "reference": treaty.reference,
        "titles": treaty.titles,
        "kind": treaty.kind.value,
        "character": LegalCharacter.BINDING.value,
        "multilateral": True,
        "parties": parties,
        "withdrawal_notice_months": treaty.withdrawal_notice_months,
        "summary": f"Imported from the depositary's status table: {treaty.cited}.",
    }
    if treaty.entry_into_force is not None:
        data["clauses"] = {"entry_into_force": treaty.entry_into_force}
    adopted = {"place": treaty.place}
    acts = [
        Act(None, "Drafted", treaty.adopted, data, None, "drafting"),
        Act(None, "TextAdopted", treaty.adopted, adopted, None, "adoption"),
    ]
    # A multilateral treaty is concluded where and when its text is adopted; the depositary
    # is named by its final clauses (VCLT art. 76).
    particulars = {"depositary": treaty.depositary, "concluded_place": treaty.place}
    particulars = {k: v for k, v in particulars.items() if v}
    if particulars:
        particulars["concluded_on"] = treaty.adopted.isoformat()
        acts.append(Act(None, PARTICULARS, treaty.adopted, particulars, None, "particulars"))
    return acts


def _treaty_differences(table: StatusTable, current: AgreementState) -> list[Problem]:
    treaty = table.treaty
    found = []
    if current.titles.get("en") != treaty.titles.get("en"):
        found.append(
            Problem(
                None,
                f"the English title is recorded as {current.titles.get('en')!r}, "
                f"the treaty description says {treaty.titles.get('en')!r}",
            )
        )
    if current.kind is not treaty.kind:
        found.append(
            Problem(
                None,
                f"the kind is recorded as {current.kind.value}, the treaty "
                f"description says {treaty.kind.value}",
            )
        )
    adopted = PartialDate.of(treaty.adopted)
    if current.adopted is not None and current.adopted != adopted:
        found.append(
            Problem(
                None,
                f"the adoption is recorded on {current.adopted}, the treaty "
                f"description says {adopted}",
            )
        )
    return found


def _signature(row: Row) -> Act:
    assert row.signature is not None
    data = {
        "party": row.participant.code,
        "signatory": row.participant.name,
        "capacity": CAPACITY,
        "signature_type": "simple",
        "place": None,
    }
    return Act(row.line, "Signed", row.signature, data, row.participant.code, "signature")


def _consent_act(row: Row, acceding: bool = False) -> Act:
    assert row.consent is not None
    data: dict[str, Any] = {"party": row.participant.code, "instrument": row.consent.kind.value}
    if acceding:
        p = row.participant
        data["acceding"] = {"code": p.code, "name": p.name, "type": p.type.value}
    label = row.consent.kind.value.replace("_", " ")
    return Act(row.line, "ConsentExpressed", row.consent.date, data, row.participant.code, label)


def _acts_of(result: Plan, row: Row, party: PartyRow | None) -> None:
    name = f"{row.participant.name} ({row.participant.code})"
    if row.signature is not None:
        signed = PartialDate.of(row.signature)
        if party is None or party.signed is None:
            result.acts.append(_signature(row))
        elif party.signed != signed:
            result.contradictions.append(
                Problem(
                    row.line,
                    f"{name}: the signature is recorded on {party.signed}, the table says {signed}",
                )
            )
    elif party is not None and party.signed is not None:
        result.contradictions.append(
            Problem(
                row.line, f"{name}: a signature of {party.signed} is recorded, the table shows none"
            )
        )
    if row.consent is not None:
        consented = PartialDate.of(row.consent.date)
        if party is None or party.consent is None:
            result.acts.append(_consent_act(row))
        elif party.consent is not row.consent.kind or party.consented != consented:
            result.contradictions.append(
                Problem(
                    row.line,
                    f"{name}: the {party.consent.value} of {party.consented} is "
                    f"recorded, the table says {_spoken(row.consent.kind, consented)}",
                )
            )
    elif party is not None and party.consent is not None:
        result.contradictions.append(
            Problem(
                row.line,
                f"{name}: a {party.consent.value} of "
                f"{party.consented} is recorded, the table shows "
                "none",
            )
        )


def _joining(result: Plan, row: Row) -> None:
    """A participant the recorded agreement does not list: it can only join by accession or
    succession (a state that signs later was listed when the agreement was first imported)."""
    name = f"{row.participant.name} ({row.participant.code})"
    consent = row.consent
    if (
        row.signature is not None
        or consent is None
        or consent.kind
        not in (
            ConsentKind.ACCESSION,
            ConsentKind.SUCCESSION,
        )
    ):
        result.contradictions.append(
            Problem(
                row.line,
                f"{name} is not a participant of the recorded agreement: a newer "
                "table can add a participant only by accession (a) or succession (d); "
                "record its other acts by a correction of the party list",
            )
        )
        return
    result.acts.append(_consent_act(row, acceding=True))


def _notes(result: Plan, row: Row, recorded: dict[tuple[str | None, str], str]) -> None:
    code = row.participant.code
    for note in row.notes:
        if not footnotes_supported():
            result.notes_kept += 1
            continue
        known = recorded.get((code, note.mark))
        if known is None:
            data = {"party": code, "mark": note.mark, "text": note.text}
            result.acts.append(
                Act(row.line, FOOTNOTE, result.table.treaty.status_as_at, data, code, "footnote")
            )
        elif known != note.text:
            result.contradictions.append(
                Problem(
                    row.line,
                    f"{row.participant.name}: footnote {note.mark} is recorded as "
                    f"{known!r}, the table says {note.text!r}",
                )
            )


def _spoken(kind: ConsentKind, day: PartialDate) -> str:
    mark = kind.untc_mark
    return f"{kind.value} of {day}" + (f" ({mark})" if mark else "")
