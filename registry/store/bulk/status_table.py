"""A UN-style status table and its treaty description, read and checked (no database).

STATUS.csv (UTF-8, a header row, one row per participant):

    Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a)",Notes
    Denmark 1,22 Apr 2016,1 Nov 2016 AA,
    Bolivia (Plurinational State of),22 Apr 2016,5 Oct 2016,

`Participant` is the name as the UN writes it, optionally followed by footnote numbers
("Netherlands 2, 3"); `Signature` a date or empty; the consent column (its header starts with
`Ratification`) a date and optionally its kind's mark: ` A` acceptance, ` AA` approval, ` a`
accession, ` d` succession, ` c` formal confirmation, none for ratification. Dates as the UN
writes them (`21 Sep 2016`) or ISO (`2016-09-21`). Further columns are participants' notes.

TREATY.json: `reference`, `titles` (by language), `kind`, `adopted` {`date`, `place`},
`depositary`, optional `entry_into_force` (the clause), `status_as_at` (the table's date),
`source`, optional `footnotes` ({"1": "text"}) and `withdrawal_notice_months`.

Every problem is collected with its line (the CSV's physical line, the header being line 1),
so that a refused file names them all at once.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from registry.domain.values import AgreementKind, ConsentKind
from registry.store.reads.participants import Participant, participant_named

# The UNTC mark after a consent date names its kind (declared once, ConsentKind.untc_mark);
# no mark is a ratification.
MARKS: dict[str, ConsentKind] = {"": ConsentKind.RATIFICATION} | {
    kind.untc_mark: kind for kind in ConsentKind if kind.untc_mark
}
_DATE = r"\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{4}|\d{4}-\d{2}-\d{2}"
_CELL = re.compile(rf"^(?P<date>{_DATE})(?:\s+(?P<mark>\S+))?$")
_NAME = re.compile(r"^(?P<name>.*?\D)(?:\s+(?P<notes>\d+(?:\s*,\s*\d+)*))?$")


@dataclass(frozen=True)
class Problem:
    line: int | None  # None: the treaty description, or the file as a whole
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class ImportRefused(ValueError):
    """The whole file is refused; `problems` names every one, by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(
            f"the status table is refused, nothing was recorded ({count} problem"
            f"{'s' if count != 1 else ''}): " + "; ".join(str(p) for p in problems)
        )


@dataclass(frozen=True)
class Treaty:
    reference: str
    titles: dict[str, str]
    kind: AgreementKind
    adopted: date
    place: str | None
    depositary: str | None
    entry_into_force: dict[str, Any] | None  # the clause, as the catalogue writes it
    status_as_at: date
    source: str
    footnotes: dict[str, str] = field(default_factory=dict)
    withdrawal_notice_months: int = 12

    @property
    def cited(self) -> str:
        """What every imported event names as its source."""
        return f"{self.source} (status as at {self.status_as_at.isoformat()})"


@dataclass(frozen=True)
class Consent:
    kind: ConsentKind
    date: date


@dataclass(frozen=True)
class Note:
    mark: str  # a footnote number, or the header of a notes column
    text: str


@dataclass(frozen=True)
class Row:
    line: int
    participant: Participant
    signature: date | None
    consent: Consent | None
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class StatusTable:
    treaty: Treaty
    rows: tuple[Row, ...]


def parse_day(text: str) -> date | None:
    """`21 Sep 2016`, `21 September 2016` or `2016-09-21`; None if it is none of them."""
    text = re.sub(r"\s+", " ", text.strip()).replace(".", "")
    for pattern in ("%Y-%m-%d", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# -- TREATY.json -----------------------------------------------------------------------------


def parse_treaty(raw: bytes) -> Treaty:
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused([Problem(None, "the treaty description is not UTF-8")]) from None
    except json.JSONDecodeError as error:
        raise ImportRefused(
            [Problem(None, f"the treaty description is not JSON: {error}")]
        ) from None
    if not isinstance(document, dict):
        raise ImportRefused([Problem(None, "the treaty description is a JSON object")])
    problems: list[Problem] = []

    def fail(name: str, message: str) -> None:
        problems.append(Problem(None, f"treaty {name}: {message}"))

    known = {"reference", "titles", "kind", "adopted", "depositary", "entry_into_force",
             "status_as_at", "source", "footnotes", "withdrawal_notice_months"}  # fmt: skip
    for name in sorted(set(document) - known):
        fail(name, "is not a field of a treaty description")
    for name in ("reference", "titles", "kind", "adopted", "status_as_at", "source"):
        if name not in document:
            fail(name, "is missing")
    if problems:
        raise ImportRefused(problems)
    reference = document["reference"]
    if not isinstance(reference, str) or not reference.strip():
        fail("reference", "must be a non-empty text, such as XXVII-7-d")
    titles = document["titles"]
    if not isinstance(titles, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in titles.items()
    ):
        fail("titles", 'must map languages to titles, e.g. {"en": "Paris Agreement"}')
        titles = {}
    elif not (titles.get("en") or "").strip():
        fail("titles", 'needs an English title ("en")')
    kind = next((k for k in AgreementKind if k.value == document["kind"]), None)
    if kind is None:
        fail("kind", f"must be one of {', '.join(k.value for k in AgreementKind)}")
    adopted = document["adopted"]
    adopted_on = None
    place = None
    if not isinstance(adopted, dict) or "date" not in adopted:
        fail("adopted", 'must be {"date": "2015-12-12", "place": "Paris"}')
    else:
        adopted_on = _day_field(adopted.get("date"), "adopted.date", fail)
        place = adopted.get("place")
        if place is not None and not isinstance(place, str):
            fail("adopted.place", "must be a text")
    status_as_at = _day_field(document["status_as_at"], "status_as_at", fail)
    source = document["source"]
    if not isinstance(source, str) or not source.strip():
        fail("source", "must be a non-empty text naming the depositary's record")
    clause = document.get("entry_into_force")
    if clause is not None and not isinstance(clause, dict):
        fail("entry_into_force", 'must be a clause, e.g. {"date": "2016-11-04", ...}')
    footnotes = document.get("footnotes") or {}
    if not isinstance(footnotes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in footnotes.items()
    ):
        fail("footnotes", 'must map footnote numbers to texts, e.g. {"1": "..."}')
        footnotes = {}
    months = document.get("withdrawal_notice_months", 12)
    if not isinstance(months, int) or isinstance(months, bool) or months < 0:
        fail("withdrawal_notice_months", "must be a whole number of months")
    depositary = document.get("depositary")
    if depositary is not None and not isinstance(depositary, str):
        fail("depositary", "must be a text")
    if problems:
        raise ImportRefused(problems)
    assert kind is not None and adopted_on is not None and status_as_at is not None
    return Treaty(
        reference=reference.strip(),
        titles=dict(titles),
        kind=kind,
        adopted=adopted_on,
        place=place,
        depositary=depositary,
        entry_into_force=clause,
        status_as_at=status_as_at,
        source=source.strip(),
        footnotes=dict(footnotes),
        withdrawal_notice_months=months,
    )


def _day_field(value: Any, name: str, fail: Any) -> date | None:
    day = parse_day(value) if isinstance(value, str) else None
    if day is None:
        fail(name, f"{value!r} is not a date like 2016-11-04")
    return day


# -- STATUS.csv ------------------------------------------------------------------------------


def parse_status(raw: bytes, treaty: Treaty) -> StatusTable:
    """The table's rows, or ImportRefused listing every problem by line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ImportRefused([Problem(line, "the file is not UTF-8 text")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ImportRefused([Problem(1, "the file is empty: it needs a header row")])
    columns = [name.strip() for name in header]
    problems = _header_problems(columns)
    if problems:
        raise ImportRefused(problems)
    consent_at = next(i for i, c in enumerate(columns) if c.startswith("Ratification"))
    signature_at = columns.index("Signature")
    notes_at = [i for i in range(1, len(columns)) if i not in (signature_at, consent_at)]
    rows: list[Row] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            problems.append(Problem(start, f"{len(cells)} cells, the header has {len(columns)}"))
            continue
        cells = [cell.strip() for cell in cells] + [""] * (len(columns) - len(cells))
        row = _row(start, cells, columns, signature_at, consent_at, notes_at, treaty, problems)
        if row is None:
            continue
        code = row.participant.code
        if code in seen:
            problems.append(
                Problem(
                    start,
                    f"{row.participant.name} ({code}) is listed twice: also on line {seen[code]}",
                )
            )
            continue
        seen[code] = start
        rows.append(row)
    if not rows and not problems:
        problems.append(Problem(None, "the table has no participants"))
    if problems:
        raise ImportRefused(problems)
    return StatusTable(treaty, tuple(rows))


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = []
    if not columns or columns[0] != "Participant":
        found = columns[0] if columns else "nothing"
        problems.append(Problem(1, f"the first column must be Participant, not {found!r}"))
    if columns.count("Signature") != 1:
        problems.append(Problem(1, "the header needs one Signature column"))
    consents = [c for c in columns if c.startswith("Ratification")]
    if len(consents) != 1:
        problems.append(
            Problem(
                1,
                "the header needs one consent column, whose name starts with "
                '"Ratification" (e.g. "Ratification, Acceptance(A), Approval(AA), '
                'Accession(a)")',
            )
        )
    if any(not c for c in columns):
        problems.append(Problem(1, "every column needs a name"))
    return problems


def _row(
    line: int,
    cells: list[str],
    columns: list[str],
    signature_at: int,
    consent_at: int,
    notes_at: list[int],
    treaty: Treaty,
    problems: list[Problem],
) -> Row | None:
    before = len(problems)
    written = _NAME.match(cells[0])
    if not cells[0] or written is None:
        problems.append(Problem(line, "the participant's name is empty"))
        return None
    name = written.group("name").strip()
    marks = [m.strip() for m in (written.group("notes") or "").split(",") if m.strip()]
    participant = participant_named(name)
    if participant is None:
        problems.append(
            Problem(
                line,
                f"unknown participant {name!r}: not a state or "
                "organisation the registry knows by that name",
            )
        )
    signature = None
    if cells[signature_at]:
        signature = parse_day(cells[signature_at])
        if signature is None:
            problems.append(
                Problem(
                    line,
                    f"signature: {cells[signature_at]!r} is not a date "
                    "like 21 Sep 2016 or 2016-09-21",
                )
            )
    consent = _consent(line, cells[consent_at], problems) if cells[consent_at] else None
    notes = []
    for mark in marks:
        text = treaty.footnotes.get(mark)
        if text is None and treaty.footnotes:
            problems.append(Problem(line, f"footnote {mark} has no text in the treaty's footnotes"))
        notes.append(Note(mark, text or f"See footnote {mark} of the depositary's status table."))
    notes += [Note(columns[i], cells[i]) for i in notes_at if cells[i]]
    if consent is not None and consent.kind.needs_prior_signature:
        verb = consent.kind.value
        if signature is None:
            problems.append(
                Problem(
                    line,
                    f"{name}: a {verb} needs a signature, and the table "
                    "shows none (an accession is marked a)",
                )
            )
        elif consent.date < signature:
            problems.append(
                Problem(
                    line,
                    f"{name}: the {verb} of {consent.date.isoformat()} "
                    f"comes before the signature of {signature.isoformat()}",
                )
            )
    for label, day in (("signature", signature), ("consent", consent and consent.date)):
        if day is not None and day < treaty.adopted:
            problems.append(
                Problem(
                    line,
                    f"{name}: the {label} of {day.isoformat()} comes "
                    f"before the adoption of {treaty.adopted.isoformat()}",
                )
            )
        if day is not None and day > treaty.status_as_at:
            problems.append(
                Problem(
                    line,
                    f"{name}: the {label} of {day.isoformat()} is after "
                    f"the table's date {treaty.status_as_at.isoformat()}",
                )
            )
    if len(problems) > before or participant is None:
        return None
    return Row(line, participant, signature, consent, tuple(notes))


def _consent(line: int, cell: str, problems: list[Problem]) -> Consent | None:
    cell = re.sub(r"\s+", " ", cell)
    found = _CELL.match(cell)
    if found is None:
        problems.append(
            Problem(
                line,
                f"consent: {cell!r} is not a date like 21 Sep 2016, "
                "optionally followed by A, AA, a, d or c",
            )
        )
        return None
    mark = found.group("mark") or ""
    if mark not in MARKS:
        problems.append(
            Problem(
                line,
                f"consent: {mark!r} is not a mark: A acceptance, AA "
                "approval, a accession, d succession, c formal confirmation, "
                "none for ratification",
            )
        )
        return None
    day = parse_day(found.group("date"))
    if day is None:
        problems.append(Problem(line, f"consent: {found.group('date')!r} is not a date"))
        return None
    return Consent(MARKS[mark], day)
