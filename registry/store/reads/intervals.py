"""The registry-wide as-of read model: status intervals in both clocks, per agreement and party.

Each row says: from `valid_from` to `valid_until` (effective dates, both inclusive) the agreement
(or one party of it) stood so, according to what the registry had recorded from `recorded_from`
until just before `recorded_to` (recorded instants, as microseconds since 1970-01-01 UTC). "Every
agreement as of D, known at T" is one row per agreement: valid_from <= D <= valid_until and
recorded_from <= T < recorded_to. A party's rows also carry the agreement's own columns, so that
"the agreements of party P" is the same query on the party table.

Open ends are sentinels, not NULLs, so that both clocks are plain ranges for the indexes:
`valid_until` is `date.max` (which is also how `as_of=None`, no cut-off, is answered: every
act has started by then) and `recorded_to` is `OPEN`, later than any real instant.

Maintenance is the classic bitemporal "close and reinsert". After each event of an agreement,
recorded at instant r, the agreement's timeline as known at r (domain/timeline.py) gives the
rows that should be open; open rows that differ are closed (recorded_to = r), missing ones are
inserted (recorded_from = r). Corrections and backdated events come out right by themselves.
It runs as a projection inside the write transaction that seals the events, once per sealed
event, so a view known between two events of one commit is right too. `rebuild_views` makes
the same rows from the verified log with the same code (`replayed_rows`).

Search text (reference and titles) lives once per agreement and wording in
`registry_agreement_texts`; rows point to it by `titles_key`, so a search tests a few keys in
the index instead of reading every row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from registry.domain.agreement import Agreement
from registry.domain.catalogue import standing_neutral
from registry.domain.events import (
    AgreementEvent,
)
from registry.domain.keyring import Keyring
from registry.domain.search_text import search_text
from registry.domain.timeline import Period, Standing, status_timeline
from registry.ledger.chain import verify_chain
from registry.ledger.payload import format_instant, parse_instant
from registry.store.events.datastore import write_intent
from registry.store.events.mapper import TamperedEvent, event_from_payload
from registry.store.events.tables import agreements, metadata
from registry.store.reads.views import current_summary

if TYPE_CHECKING:
    from registry.store.application import Registry
    from registry.store.events.recorder import SealedEvent

PARTY_ACTS = ("signed", "consent", "consented", "in_force", "withdrawal")  # timeline.party_acts
LAST_DAY = date.max
OPEN = 2**63 - 1  # recorded_to of the rows still believed: after any instant
OPEN_SQL = literal_column(str(OPEN))  # written into the SQL, so that the partial indexes apply
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant_number(moment: datetime) -> int:
    """An instant as the integer the tables hold: microseconds since 1970-01-01 UTC."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def _reference() -> Column[str]:
    # byte order on PostgreSQL too, the order of SQLite and of Python's str
    kind = String(64).with_variant(String(64, collation="C"), "postgresql")
    return Column("reference", kind, nullable=False)


def _period() -> list[Column[Any]]:
    return [
        Column("valid_from", Date, nullable=False),
        Column("valid_until", Date, nullable=False),
        Column("recorded_from", BigInteger, nullable=False),
        Column("recorded_to", BigInteger, nullable=False),
    ]


agreement_intervals = Table(
    "registry_agreement_intervals",
    metadata,
    Column("agreement_id", String(36), nullable=False),
    *_period(),
    Column("status", String(30), nullable=False),
    _reference(),
    Column("title", Text, nullable=False),
    Column("titles", Text, nullable=False),  # JSON object, language -> title
    Column("titles_key", BigInteger, nullable=False),  # registry_agreement_texts.key
    Column("kind", String(40), nullable=False),
    Column("character", String(20), nullable=False),
    Column("parties", Text, nullable=False),  # JSON list of codes, in the state's order
    # the first signature and the first entry into force known on those days (reduced ISO
    # dates), for sorting lists by them
    Column("signed", String(10), nullable=True),
    Column("in_force", String(10), nullable=True),
    PrimaryKeyConstraint("agreement_id", "valid_from", "recorded_from"),
)

party_intervals = Table(
    "registry_party_intervals",
    metadata,
    Column("agreement_id", String(36), nullable=False),
    Column("party", String(64), nullable=False),
    *_period(),
    Column("party_status", String(30), nullable=False),
    # the party's own acts known on those days (reduced ISO dates, a consent kind), for
    # "a party's agreements" (store/party_view.py)
    *(Column(name, String(30), nullable=True) for name in PARTY_ACTS),
    Column("status", String(30), nullable=False),  # the agreement's, and so on
    _reference(),
    Column("titles_key", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("character", String(20), nullable=False),
    PrimaryKeyConstraint("agreement_id", "party", "valid_from", "recorded_from"),
)

agreement_texts = Table(
    "registry_agreement_texts",
    metadata,
    Column("key", BigInteger, primary_key=True, autoincrement=False),
    Column("agreement_id", String(36), nullable=False, index=True),
    Column("reference", String(64), nullable=False),  # in search_text's form, as the titles
    Column("titles_text", Text, nullable=False),  # every title, one a line, in that form
)


def _indexes(table: Table, *lead: str) -> None:
    """The three ways in, each covering what the lists filter, count and sort on.

    `now`: the rows still believed, by status then period end, so that counting by status as
    of D is one range per status (no sort) over mostly one row per agreement: for a past D,
    its periods that end on or after D. `past`: the rows closed since, by when they were
    closed, for "known at T" (few, unless T is long ago). `by_reference`: every row, in list
    order, for the page: walked until the page is full, both clocks tested in the index.
    `by_text`: every row by its wording, for a search, which starts from the texts found.
    `now_by_kind`: `now` led by the kind, so that a kind filter counts only its own rows.
    """
    current, closed = table.c.recorded_to == OPEN_SQL, table.c.recorded_to < OPEN_SQL
    period = ("valid_until", "valid_from", "recorded_from")
    listed = ("kind", "character", "titles_key")
    for name, columns, where in (
        ("now", (*lead, "status", *period, *listed, "recorded_to"), current),
        ("now_by_kind", (*lead, "kind", "status", *period, "character", "titles_key",
                         "recorded_to"), current),
        ("past", (*lead, "recorded_to", *period, "status", *listed), closed),
        ("by_reference", (*lead, "reference", *period, "recorded_to", "status", *listed,
                          "agreement_id"), None),
        ("by_text", ("titles_key", *lead, *period, "recorded_to", "status", "kind",
                     "character", "reference", "agreement_id"), None),
    ):  # fmt: skip
        Index(
            f"{table.name}_{name}",
            *(table.c[column] for column in columns),
            sqlite_where=where,
            postgresql_where=where,
        )


_indexes(agreement_intervals)
_indexes(party_intervals, "party")

# -- rows from a timeline --------------------------------------------------------------------

AGREEMENT = "agreement"
PARTY = "party"
VALUES = {  # the columns that say what a row says: all but agreement_id and the recorded period
    AGREEMENT: ("valid_from", "valid_until", "status", "reference", "title", "titles",
                "titles_key", "kind", "character", "parties", "signed", "in_force"),
    PARTY: ("party", "valid_from", "valid_until", "party_status", "status", "reference",
            "titles_key", "kind", "character", *PARTY_ACTS),
}  # fmt: skip
TABLES = {AGREEMENT: agreement_intervals, PARTY: party_intervals}

Values = tuple[Any, ...]  # a row's columns named in VALUES
Wording = tuple[int, str, str]  # titles_key, reference, titles_text
Span = tuple[date, date, Values]  # valid_from, valid_until, the columns after them


@dataclass(frozen=True)
class Rows:
    """The rows one timeline asks for, without their recorded period."""

    agreements: frozenset[Values]
    parties: frozenset[Values]
    texts: frozenset[Wording]

    def of(self, kind: str) -> frozenset[Values]:
        return self.agreements if kind == AGREEMENT else self.parties


def titles_key(agreement_id: str, reference: str, titles_text: str) -> int:
    """The same key for the same wording of the same agreement, here and in a rebuild."""
    digest = hashlib.sha256(f"{agreement_id}\n{reference}\n{titles_text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: a BIGINT everywhere


def timeline_rows(agreement_id: str, periods: Sequence[Period]) -> Rows:
    """The timeline's periods as rows; neighbours that a row cannot tell apart are merged."""
    agreement_spans: list[Span] = []
    party_spans: dict[str, list[Span]] = {}
    texts = set()
    for number, period in enumerate(periods):
        last = number + 1 == len(periods)
        until = LAST_DAY if last else periods[number + 1].start - timedelta(days=1)
        standing = period.standing
        titles = dict(standing.titles)
        text = "\n".join(titles.values())
        key = titles_key(agreement_id, standing.reference, text)
        texts.add((key, standing.reference, text))
        shared = {
            "status": standing.status.value,
            "reference": standing.reference,
            "titles_key": key,
            "kind": standing.kind.value,
            "character": standing.character.value,
        }
        whole = shared | {
            "title": titles.get("en") or next(iter(titles.values()), ""),
            "titles": json.dumps(titles, ensure_ascii=False),
            "parties": json.dumps([code for code, _ in standing.parties]),
            "signed": _first(standing, PARTY_ACTS.index("signed")),
            "in_force": _first(standing, PARTY_ACTS.index("in_force")),
        }
        _extend(agreement_spans, period.start, until, _after_period(AGREEMENT, whole))
        acts = standing.acts or ((None,) * len(PARTY_ACTS),) * len(standing.parties)
        for (code, party_status), own in zip(standing.parties, acts, strict=True):
            columns = shared | {"party_status": party_status.value}
            values = _after_period(PARTY, columns | dict(zip(PARTY_ACTS, own, strict=True)))
            _extend(party_spans.setdefault(code, []), period.start, until, values)
    return Rows(
        frozenset((start, until, *values) for start, until, values in agreement_spans),
        frozenset(
            (code, start, until, *values)
            for code, spans in party_spans.items()
            for start, until, values in spans
        ),
        frozenset(texts),
    )


def _first(standing: Standing, column: int) -> str | None:
    """The earliest of one of the parties' dates (reduced ISO dates sort as text)."""
    found = [own[column] for own in standing.acts if own[column] is not None]
    return min(found) if found else None


def _after_period(kind: str, columns: dict[str, Any]) -> Values:
    names = VALUES[kind]
    return tuple(columns[name] for name in names[names.index("valid_until") + 1 :])


def _extend(spans: list[Span], start: date, until: date, values: Values) -> None:
    """Lengthen the last span if it ends the day before and says the same, else add one."""
    if spans and spans[-1][2] == values and spans[-1][1] == start - timedelta(days=1):
        spans[-1] = (spans[-1][0], until, values)
    else:
        spans.append((start, until, values))


# -- close and reinsert ----------------------------------------------------------------------


# Events that change no status, name or party in a standing (see domain.timeline.Standing):
# recording one leaves every interval as it was, so maintenance need not recompute them.
STANDING_NEUTRAL = standing_neutral()  # declared per type: `standing=False`


@dataclass
class Intervals:
    """One agreement's rows as maintenance goes: the open ones, and what changed.

    `stored` rows came from the database (closing one is an UPDATE); rows made here are
    inserted once, with the recorded period they end up with.
    """

    agreement_id: str
    open: dict[str, dict[Values, int]] = field(
        default_factory=lambda: {AGREEMENT: {}, PARTY: {}}
    )  # kind -> values -> recorded_from
    closed: list[tuple[str, Values, int, int]] = field(default_factory=list)
    stored: set[tuple[str, Values, int]] = field(default_factory=set)
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)  # key -> reference, text
    stored_texts: set[int] = field(default_factory=set)

    def has_rows(self) -> bool:
        return any(self.open.values())

    def advance(self, wanted: Rows, instant: int) -> None:
        """The agreement's rows from `instant` on are `wanted`."""
        for kind, open_rows in self.open.items():
            rows = wanted.of(kind)
            for values in [v for v in open_rows if v not in rows]:
                self.closed.append((kind, values, open_rows.pop(values), instant))
            for values in rows:
                open_rows.setdefault(values, instant)
        self.texts.update((key, (reference, text)) for key, reference, text in wanted.texts)

    def rows(self) -> Iterator[tuple[str, Values, int, int]]:
        """Every row made or seen: (kind, values, recorded_from, recorded_to)."""
        yield from self.closed
        for kind, open_rows in self.open.items():
            for values, recorded_from in open_rows.items():
                yield kind, values, recorded_from, OPEN

    def row(self, kind: str, values: Values, recorded_from: int, recorded_to: int) -> dict:
        row = dict(zip(VALUES[kind], values, strict=True))
        row.update(
            agreement_id=self.agreement_id, recorded_from=recorded_from, recorded_to=recorded_to
        )
        return row

    def new_texts(self) -> list[dict[str, Any]]:
        """Texts to search, in the normal form of search_text (the query is put in it too)."""
        return [
            {
                "key": key,
                "agreement_id": self.agreement_id,
                "reference": search_text(reference),
                "titles_text": search_text(text),
            }
            for key, (reference, text) in self.texts.items()
            if key not in self.stored_texts
        ]

    @classmethod
    def load(cls, session: Session, agreement_id: str) -> Intervals:
        """The agreement's open rows and texts, as stored."""
        intervals = cls(agreement_id)
        for kind, open_rows in intervals.open.items():
            table = TABLES[kind]
            query = select(*(table.c[n] for n in VALUES[kind]), table.c.recorded_from).where(
                table.c.agreement_id == agreement_id, table.c.recorded_to == OPEN_SQL
            )
            for row in session.execute(query):
                values = tuple(row)[:-1]
                open_rows[values] = row.recorded_from
                intervals.stored.add((kind, values, row.recorded_from))
        t = agreement_texts
        keys = select(t.c.key).where(t.c.agreement_id == agreement_id)
        intervals.stored_texts = set(session.execute(keys).scalars())
        return intervals

    def save(self, session: Session) -> None:
        """Write what changed since `load`: close stored rows, insert the others."""
        new: dict[str, list[dict[str, Any]]] = {AGREEMENT: [], PARTY: []}
        for kind, values, recorded_from, recorded_to in self.rows():
            row = self.row(kind, values, recorded_from, recorded_to)
            if (kind, values, recorded_from) not in self.stored:
                new[kind].append(row)
            elif recorded_to != OPEN:
                table = TABLES[kind]
                keys = [column.name for column in table.primary_key.columns]
                session.execute(
                    update(table)
                    .where(and_(*(table.c[k] == row[k] for k in keys)))
                    .values(recorded_to=recorded_to)
                )
        insert_rows(session, new[AGREEMENT], new[PARTY], self.new_texts())


def insert_rows(
    session: Session,
    agreement_rows: list[dict[str, Any]],
    party_rows: list[dict[str, Any]],
    texts: list[dict[str, Any]],
) -> None:
    for table, rows in ((agreement_intervals, agreement_rows), (party_intervals, party_rows),
                        (agreement_texts, texts)):  # fmt: skip
        if rows:
            session.execute(insert(table), rows)


def advanced(
    intervals: Intervals, events: Sequence[AgreementEvent], instants: Iterable[tuple[int, str]]
) -> Intervals:
    """The rows after each (version, recorded) in turn, `recorded` as the envelope has it:
    each time, the timeline known with the events up to that version."""
    ordered = sorted(events, key=lambda e: e.originator_version)
    by_version = {e.originator_version: e for e in ordered}
    for version, recorded in instants:
        if isinstance(by_version.get(version), STANDING_NEUTRAL) and intervals.has_rows():
            continue  # the timeline cannot change: skip an O(history) recomputation
        known = [e for e in ordered if e.originator_version <= version]
        rows = timeline_rows(intervals.agreement_id, status_timeline(known))
        intervals.advance(rows, instant_number(parse_instant(recorded)))
    return intervals


def replayed_rows(agreement_id: str, events: Sequence[AgreementEvent]) -> Intervals:
    """Every row maintenance writes for these events (read back from the store, so that each
    one's `timestamp` is its recorded instant), made in memory."""
    ordered = sorted(events, key=lambda e: e.originator_version)
    instants = [(e.originator_version, format_instant(e.timestamp)) for e in ordered]
    return advanced(Intervals(agreement_id), ordered, instants)


def interval_projection(agreement: Agreement) -> Callable[[Session, list[SealedEvent]], None]:
    """For `Registry.commit`: the agreement's rows after each of its events just sealed."""

    def project(session: Session, sealed: list[SealedEvent]) -> None:
        mine = sorted((s for s in sealed if s.stream == agreement.id), key=lambda s: s.version)
        if not mine:
            return
        intervals = Intervals.load(session, str(agreement.id))
        advanced(intervals, agreement.history, [(s.version, s.recorded) for s in mine])
        intervals.save(session)

    return project


# -- rebuild from the log --------------------------------------------------------------------


@dataclass(frozen=True)
class Rebuilt:
    agreements: int
    agreement_rows: int
    party_rows: int


def rebuild_views(
    registry: Registry, *, batch: int = 500, finish: Callable[[Session], None] | None = None
) -> Rebuilt:
    """Recompute every read-model row (summaries and intervals) from the verified events.

    One write transaction, holding the recorder's lock: readers see the old rows until it
    commits, no event is recorded meanwhile, and a stored event that fails verification
    aborts it with nothing changed. `finish` runs last in the same transaction (an import
    marks its views complete there).
    """
    totals = [0, 0, 0]
    pending: dict[Table, list[dict[str, Any]]] = {}
    with write_intent(), registry.transaction(commit=True) as session:
        registry.signed_recorder._lock_table(session)  # the recorder's own write lock
        for table in (agreement_intervals, party_intervals, agreement_texts, agreements):
            session.execute(delete(table))
        for number, (stream, events) in enumerate(_verified_streams(registry, session), 1):
            last = max(events, key=lambda e: e.originator_version)
            recorded = format_instant(last.timestamp)
            pending.setdefault(agreements, []).append(
                current_summary(events, last.originator_version, recorded)
            )
            intervals = replayed_rows(str(stream), events)
            for kind, values, recorded_from, recorded_to in intervals.rows():
                row = intervals.row(kind, values, recorded_from, recorded_to)
                pending.setdefault(TABLES[kind], []).append(row)
            pending.setdefault(agreement_texts, []).extend(intervals.new_texts())
            totals[0] = number
            if number % batch == 0:
                _flush(session, pending, totals)
        _flush(session, pending, totals)
        if finish is not None:
            finish(session)
    return Rebuilt(*totals)


def _flush(session: Session, pending: dict[Table, list[dict[str, Any]]], totals: list[int]) -> None:
    totals[1] += len(pending.get(agreement_intervals, ()))
    totals[2] += len(pending.get(party_intervals, ()))
    for table, rows in pending.items():
        if rows:
            session.execute(insert(table), rows)
    pending.clear()


def _verified_streams(
    registry: Registry, session: Session
) -> Iterator[tuple[UUID, list[AgreementEvent]]]:
    """Each agreement's events, every envelope and chain verified, one stream at a time."""
    cls = registry.signed_recorder.events_record_cls
    query = (
        select(cls.originator_id, cls.originator_version, cls.topic, cls.state)
        .where(cls.originator_id != Keyring.ID)
        .order_by(cls.originator_id, cls.originator_version)
        .execution_options(yield_per=1000)
    )
    stream: UUID | None = None
    opened: list[Any] = []
    trust = registry.trust()  # once: the keyring cannot change while the lock is held
    for row in session.execute(query):
        if row.originator_id != stream and opened:
            yield _events(stream, opened)  # type: ignore[arg-type]
            opened = []
        stream = row.originator_id
        stored = StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
        opened.append(registry.mapper.open(stored, trust))
    if opened:
        yield _events(stream, opened)  # type: ignore[arg-type]


def _events(stream: UUID, opened: list[Any]) -> tuple[UUID, list[AgreementEvent]]:
    problems = verify_chain([(o.payload, o.envelope) for o in opened])
    if problems:
        raise TamperedEvent("; ".join(problems))
    events = [event_from_payload(o.payload) for o in opened]
    return stream, [e for e in events if isinstance(e, AgreementEvent)]
