"""The one projection: every read model derived from an agreement's events, kept incrementally.

Read models written here, for each agreement: its status intervals in both clocks and those
of each party (`registry_agreement_intervals`, `registry_party_intervals`, intervals.py), the
wordings search reads (`registry_agreement_texts`) and its list row as it stands today
(`registry_agreements`, derived from the same spans). Every writer calls `project` (or
`rebuild_views`, which replays through the same `Head`): a commit, `registry load`, the
status import, the mirror, `registry import` and `registry rebuild-views`.

Why it is incremental and still exact. `state_as_of(D)` folds only the facts whose effective
period starts on or before D (history.py), so a new fact starting on day d leaves the standing
on every day before d as it was. The projection keeps, per agreement (its `Head`): the facts
in fold order, the days they can change a standing on, the Record of every fact (`Record.add`
does not depend on order) and the open spans, i.e. the current timeline. A new fact cuts the
spans at d and recomputes the standings only on the change days from d on: an act appended
after the others costs a few standings whatever the history's length; a backdated one costs
the days after its date. A correction (it can move or retract any fact) or a Drafted event
recomputes the whole timeline. Only the rows of the cut-off tail are compared, closed
(`recorded_to` = the event's instant) and inserted, so each event's known-at view is right,
between two events of one commit too.

A fact of one party (a signature, a consent, a reservation...) can change the other parties'
rows only through what their rows share: what `history.Shared` holds (the clause's general
day, counted from every party's consent; the general entry into force; an expiry, a
termination...), the agreement's status and the parties' list. The Head keeps every change
day's lines (`Day`) and, for such a fact, recomputes on each day from its start only that
party's line and the agreement's row, the other lines taken as they were (`_one_party`);
if on some day what they share is not what it was, it recomputes every party's
(`_every_party`). A 190-party treaty's act then costs one party's rows, not 190.

The Heads of a registry's last commits are kept in memory (`Heads`) and taken up only when
their version is the one the next commit follows, after the commit succeeded; otherwise the
open rows are read back from the tables.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.domain.clause_force import by, clauses_of, general_entry
from registry.domain.corrections import Corrections
from registry.domain.events import (
    AgreementEvent,
    Drafted,
    EventCorrected,
)
from registry.domain.history import Shared, agreement_status, party_line
from registry.domain.record import Record, sort_key
from registry.domain.search_text import search_text
from registry.domain.timeline import (
    Standing,
    entry_day,
    general_days,
    lines_of,
    partial_dates,
    party_acts,
    standing_from,
)
from registry.ledger.payload import format_instant, parse_instant
from registry.store.reads.intervals import (
    AGREEMENT,
    LAST_DAY,
    OPEN,
    OPEN_SQL,
    PARTY,
    STANDING_NEUTRAL,
    TABLES,
    VALUES,
    agreement_texts,
    instant_number,
)
from registry.store.reads.party_days import Day, agreement_values, one_party
from registry.store.reads.projection_rows import AFTER, save_all, standing_values

if TYPE_CHECKING:
    from registry.store.events.recorder import SealedEvent

Values = tuple[Any, ...]  # the columns of a row after `valid_until` (VALUES)
Span = tuple[date, date, Values]  # valid_from, valid_until, values
Key = tuple[str, Values]  # (kind, the row's VALUES): a row without its recorded period
Rows = tuple[Values, list[tuple[str, Values]], tuple[int, str, str]]  # standing_values
Instant = tuple[int, str]  # (version, recorded as the envelope has it)
WHOLE = ""  # the spans of the agreement itself, beside those of each party code
Computed = tuple[date, Day, Rows]  # a change day, its lines, the rows they make


def project(
    session: Session,
    history: Sequence[AgreementEvent],
    new: Sequence[Instant],
    *,
    heads: Heads | None = None,
) -> Head:
    """Write every read model of one agreement after its events `new`.

    `history` is the agreement's events, the new ones included (any order); `new` gives the
    (version, recorded) of each event just stored, in version order. Rows already written for
    the older events are taken from `heads` when it holds them, else read from the tables.
    """
    head = advance(session, history, new, heads=heads)
    save_all(session, [head])
    return head


def advance(
    session: Session,
    history: Sequence[AgreementEvent],
    new: Sequence[Instant],
    *,
    heads: Heads | None = None,
    head: Head | None = None,
) -> Head:
    """`project` without the writes: the Head after `new`, its rows still to be saved (with
    `save_all`, which writes those of many agreements in one statement per table). `head`,
    taken from a `Heads` by the caller, stands at the version before `new`; with it, `history`
    need hold only the new events."""
    agreement_id = str(history[0].originator_id)
    first = new[0][0]
    if head is None and heads is not None:
        head = heads.take(agreement_id, first - 1)
    if head is None:
        older = [e for e in history if e.originator_version < first]
        head = Head.load(session, agreement_id, older) if older else Head(agreement_id)
    by_version = {e.originator_version: e for e in history}
    for version, recorded in new:
        head.take(by_version[version], version, recorded)
    return head


class ReadModelProjection:
    """For `Registry.commit_many`: `project` for each agreement whose events were sealed.
    The recorder runs the projections of a group's members `together` (events/group.py):
    one `save_all` for the group, one statement per table, not a DELETE and COPYs per member.
    `committed()`, called once the transaction has committed, keeps the Heads for the next
    commit; if it fails they are dropped with it."""

    def __init__(self, aggregates: Iterable[Any], heads: Heads | None = None) -> None:
        self.histories = {a.id: a.history for a in aggregates}
        self.heads = heads
        self.written: dict[str, Head] = {}

    def __call__(self, session: Session, sealed: list[SealedEvent]) -> None:
        self.together(session, [(self, sealed)])

    @staticmethod
    def together(
        session: Session, calls: Sequence[tuple[ReadModelProjection, list[SealedEvent]]]
    ) -> None:
        advanced = []
        for models, sealed in calls:
            new: dict[UUID, list[Instant]] = {}
            for event in sealed:
                if event.stream in models.histories:
                    new.setdefault(event.stream, []).append((event.version, event.recorded))
            mine = [
                advance(session, models.histories[stream], sorted(instants), heads=models.heads)
                for stream, instants in new.items()
            ]
            models.written.update({head.agreement_id: head for head in mine})
            advanced += mine
        save_all(session, advanced)

    def committed(self) -> None:
        if self.heads is not None:
            self.heads.keep(self.written.values())


class Heads:
    """The Heads of the agreements a registry committed last (a bounded cache, shared by the
    threads of a process): one is taken up only for the version it stands at, as stored."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.held: OrderedDict[str, Head] = OrderedDict()
        self.lock = threading.Lock()

    def take(self, agreement_id: str, version: int) -> Head | None:
        with self.lock:  # taken out: its next writes belong to one transaction
            head = self.held.pop(agreement_id, None)
        return head if head is not None and head.version == version else None

    def keep(self, heads: Iterable[Head]) -> None:
        with self.lock:
            for head in heads:
                head.saved()
                self.held[head.agreement_id] = head
                self.held.move_to_end(head.agreement_id)
            while len(self.held) > self.size:
                self.held.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.held.clear()


@dataclass
class Head:
    """One agreement as the projection keeps it: its facts and its open spans."""

    agreement_id: str
    version: int = 0
    recorded: str = ""
    corrections: Corrections = field(default_factory=Corrections)
    dated: list[tuple[Any, AgreementEvent]] = field(default_factory=list)  # by sort_key
    days: list[date] = field(default_factory=list)  # every partial date's start, sorted
    record: Record | None = None  # every fact folded
    today: tuple[date, Record] | None = None  # the facts started by a day, for the list row
    spans: dict[str, list[Span]] = field(default_factory=dict)  # WHOLE or party code
    open: dict[Key, int] = field(default_factory=dict)  # open row -> recorded_from
    fresh: set[Key] = field(default_factory=set)  # open rows not in the tables yet
    made: dict[tuple[Key, int], int] = field(default_factory=dict)  # new rows -> recorded_to
    closed: list[tuple[Key, int, int]] = field(default_factory=list)  # stored rows to close
    texts: set[int] = field(default_factory=set)  # titles_key of the wordings stored
    known: dict[date, Day] = field(default_factory=dict)  # each change day's lines
    known_days: list[date] = field(default_factory=list)  # the days of `known`, sorted
    known_from: date = date.max  # `known` holds every change day from this one on
    entry_days: tuple[Shared, tuple[str, ...], dict[str, date | None]] | None = None
    new_texts: dict[int, tuple[str, str]] = field(default_factory=dict)

    # -- following the events --------------------------------------------------------------

    def take(
        self, event: AgreementEvent, version: int, recorded: str, instant: int | None = None
    ) -> None:
        """The rows after `event`, recorded at `recorded`. A bulk worker that projects before
        the instants are fixed gives a stand-in `instant` instead (a negative number, see
        `placeholder`), which `relabel` replaces once they are."""
        self.corrections.take(event)
        self.version, self.recorded = version, recorded
        if instant is None:
            instant = instant_number(parse_instant(recorded))
        if isinstance(event, Drafted | EventCorrected) or self.record is None:
            self._refold()
            self._recompute(date.min, instant)
            return
        self._add(event)
        if isinstance(event, STANDING_NEUTRAL) and self.open:
            return  # no status, name or party changes: the intervals stay as they are
        start = event.effective.start
        self._recompute(start if start > date.min else date.min, instant, one_party(event))

    def _refold(self) -> None:
        self.today = None
        self.known.clear()
        self.known_days.clear()
        self.known_from = date.max
        self.entry_days = None
        facts = self.corrections.in_order()
        self.record = Record.of(facts)
        self.dated = sorted(((sort_key(f), f) for f in facts[1:]), key=lambda p: p[0])
        self.days = sorted(d.start for fact in facts for d in partial_dates(fact))

    def _add(self, fact: AgreementEvent) -> None:
        assert self.record is not None
        self.record.add(fact)
        if self.today is not None and fact.effective.start <= self.today[0]:
            self.today[1].add(fact)  # the fold does not depend on the order facts come in
        bisect.insort(self.dated, (sort_key(fact), fact), key=lambda p: p[0])
        for partial in partial_dates(fact):
            bisect.insort(self.days, partial.start)

    def _recompute(self, start: date, instant: int, party: str | None = None) -> None:
        """The spans from `start` on, from the standings on every change day since then: of
        `party` and the agreement alone when the new fact is that party's and changes
        nothing the other parties' rows share (`_one_party`), else of every party."""
        assert self.record is not None
        days = {d for d in self.days[bisect.bisect_left(self.days, start) :]}
        days |= {d for d in self._clause_days(party) if d >= start}
        days.add(start)
        ordered = sorted(days)
        owners: set[str] | None = None
        found = None
        if party is not None and self.known_from <= start and self._many_parties():
            found = self._one_party(start, ordered, party)
            owners = {WHOLE, party}
        if found is None:
            found, owners = self._every_party(start, ordered), None
        before = self._cut(start, owners)
        for number, (day, _, rows) in enumerate(found):
            until = LAST_DAY if number + 1 == len(found) else found[number + 1][0] - ONE_DAY
            self._extend(day, until, rows)
        self._keep_days(start, found)
        after = set(self._tail(start, owners))
        for key in before - after:
            self._close(key, instant)
        for key in after - before:
            if key not in self.open:
                self.open[key] = instant
                self.fresh.add(key)

    def _clause_days(self, party: str | None) -> set[date]:
        """`clause_change_days` of every fact: the parties' entry days kept from the last
        fact's, only `party`'s asked again when what they share is as it was."""
        record = self.record
        assert record is not None
        if clauses_of(record) is None:
            return set()
        shared = Shared.of(record, None)
        was = self.entry_days
        if party is None or was is None or was[0] != shared or was[1] != record.codes:
            entries = {code: entry_day(record, code, shared) for code in record.codes}
        else:
            entries = was[2] | {party: entry_day(record, party, shared)}
        self.entry_days = (shared, record.codes, entries)
        found = general_days(record, shared) | {d for d in entries.values() if d is not None}
        return found

    def _every_party(self, start: date, ordered: list[date]) -> list[Computed]:
        """Every party's line on each of the `ordered` days from `start` on, and the rows."""
        fold, folded = self._fold_at(start)
        found = []
        for day in ordered:
            folded = self._fold_through(fold, folded, day)
            shared = Shared.of(fold, day)
            lines = lines_of(fold, day, shared)
            standing = standing_from(fold, day, lines, tuple(map(party_acts, lines)), shared)
            entry = Day.of(standing.status, shared, fold.codes, lines, standing.acts)
            found.append((day, entry, standing_values(self.agreement_id, standing)))
        return found

    def _one_party(self, start: date, ordered: list[date], party: str) -> list[Computed] | None:
        """`party`'s line on each day from `start` on, the other parties' as they were, and
        the rows of the agreement and of `party`; None when on some day what every party's
        row shares (history.Shared, the agreement's status) or the parties' list is not what
        it was: then every party's row may have changed."""
        fold, folded = self._fold_at(start)
        found = []
        for day in ordered:
            folded = self._fold_through(fold, folded, day)
            was = self.known[self.known_days[bisect.bisect_right(self.known_days, day) - 1]]
            shared = Shared.of(fold, day)
            if shared != was.shared or fold.codes != was.codes:
                return None
            place = was.place.get(party)
            if place is None:
                entry = was
                status = agreement_status(fold, was.lines, day, shared)
            else:
                entry = was.with_line(place, party_line(fold, party, day, shared))
                status = agreement_status(fold, entry.lines, day, shared)
            if status is not was.status:
                return None  # every party's row says the agreement's status
            found.append((day, entry, self._rows_of(fold, entry, place)))
        return found

    def _rows_of(self, fold: Record, entry: Day, place: int | None) -> Rows:
        """`standing_values` of the agreement and of the party at `place` (None: no party)
        alone, without the columns of the others."""
        drafted = fold.drafted
        status = entry.status
        titles = tuple(fold.titles.items())
        whole, wording = agreement_values(
            self.agreement_id, status, drafted.reference, titles, drafted.kind,
            drafted.character, entry.codes, entry.signed, entry.in_force,
        )  # fmt: skip
        if place is None:
            return whole, [], wording
        line = entry.lines[place]
        alone = Standing(status, drafted.reference, titles, drafted.kind, drafted.character,
                         ((line.code, line.status),), (entry.acts[place],))  # fmt: skip
        return whole, standing_values(self.agreement_id, alone)[1], wording

    def _many_parties(self) -> bool:
        """Whether the one-party path pays: with two parties it saves little, and a fact
        often changes the agreement's status, every party's row with it."""
        assert self.record is not None
        return len(self.record.codes) >= ONE_PARTY_FROM

    def _keep_days(self, start: date, found: list[Computed]) -> None:
        """Keep each day's lines from `start` on, for the next fact's `_one_party` (not for
        an agreement of two parties, which would keep them for nothing)."""
        if not self._many_parties():
            self.known.clear()
            self.known_days.clear()
            self.known_from = date.max
            return
        cut = bisect.bisect_left(self.known_days, start)
        for day in self.known_days[cut:]:
            del self.known[day]
        del self.known_days[cut:]
        for day, entry, _ in found:
            self.known[day] = entry
            self.known_days.append(day)
        self.known_from = min(self.known_from, start)

    def _fold_through(self, fold: Record, folded: int, day: date) -> int:
        """Adds to `fold`, which holds the first `folded` dated facts, those effective by `day`;
        returns how many it now holds."""
        while folded < len(self.dated) and self.dated[folded][1].effective.start <= day:
            fold.add(self.dated[folded][1])
            folded += 1
        return folded

    def _fold_at(self, start: date) -> tuple[Record, int]:
        """A Record to fold the facts into from `start` on, and how many are in it already.
        After the last fact's start that is the Record of every fact, as kept."""
        assert self.record is not None
        if not self.dated or self.dated[-1][1].effective.start <= start:
            return self.record, len(self.dated)
        fold = Record(self.record.drafted)
        folded = 0
        while folded < len(self.dated) and self.dated[folded][1].effective.start < start:
            fold.add(self.dated[folded][1])
            folded += 1
        return fold, folded

    # -- spans -----------------------------------------------------------------------------

    def _cut(self, start: date, owners: set[str] | None = None) -> set[Key]:
        """End every span (of `owners`, None: all) the day before `start`; the rows they
        were, from the cut on."""
        cut = set(self._tail(start, owners))
        for owner in list(self.spans) if owners is None else owners:
            spans = self.spans.get(owner)
            if spans is None:
                continue
            while spans and spans[-1][0] >= start:
                spans.pop()
            if spans and spans[-1][1] >= start:
                begun, _, values = spans[-1]
                spans[-1] = (begun, start - ONE_DAY, values)
            if not spans:
                del self.spans[owner]
        return cut

    def _tail(self, start: date, owners: set[str] | None = None) -> Iterator[Key]:
        """The rows of the spans (of `owners`, None: all) that reach `start` or later."""
        for owner in self.spans if owners is None else owners:
            spans = self.spans.get(owner, ())
            for number in range(len(spans) - 1, -1, -1):
                span = spans[number]
                yield _key(owner, span)
                if span[0] < start:
                    break

    def _extend(self, day: date, until: date, rows: Rows) -> None:
        whole, parties, wording = rows
        if wording[0] not in self.texts:
            self.new_texts[wording[0]] = (wording[1], wording[2])
        _lengthen(self.spans.setdefault(WHOLE, []), day, until, whole)
        for code, values in parties:
            _lengthen(self.spans.setdefault(code, []), day, until, values)

    def _close(self, key: Key, instant: int) -> None:
        recorded_from = self.open.pop(key)
        if key in self.fresh:
            self.fresh.discard(key)
            self.made[(key, recorded_from)] = instant
        else:
            self.closed.append((key, recorded_from, instant))

    # -- the tables ------------------------------------------------------------------------

    def rows(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The rows not yet in the tables: those made and closed here, then the open ones."""
        for (key, recorded_from), recorded_to in self.made.items():
            yield key[0], self._row(key, recorded_from, recorded_to)
        for key in self.fresh:
            yield key[0], self._row(key, self.open[key], OPEN)

    def _row(self, key: Key, recorded_from: int, recorded_to: int) -> dict[str, Any]:
        kind, values = key
        row = dict(zip(VALUES[kind], values, strict=True))
        row.update(
            agreement_id=self.agreement_id, recorded_from=recorded_from, recorded_to=recorded_to
        )
        return row

    def text_rows(self) -> list[dict[str, Any]]:
        """Texts to search, in the normal form of search_text (the query is put in it too)."""
        return [
            {
                "key": key,
                "agreement_id": self.agreement_id,
                "reference": search_text(reference),
                "titles_text": search_text(text),
            }
            for key, (reference, text) in self.new_texts.items()
        ]

    def summary(self, today: date | None = None) -> dict[str, Any]:
        """The list row: the agreement as it stands today, as known now."""
        day = today or date.today()
        whole = self.spans[WHOLE]
        found = whole[bisect.bisect_right(whole, day, key=lambda s: s[0]) - 1]
        columns = dict(zip(AFTER[AGREEMENT], found[2], strict=True))
        titles = json.loads(columns["titles"])
        # the list's first entry into force counts the general one too, with no party in force
        if self.today is None or self.today[0] != day:
            self.today = day, self._fold_at(day + ONE_DAY)[0]
            if self.today[1] is self.record:  # every fact has started: a copy to fold into
                self.today = day, Record.of([self.record.drafted, *(f for _, f in self.dated)])
        general = by(general_entry(self.today[1]), day)
        in_force = [d for d in (columns["in_force"], general and str(general)) if d is not None]
        return {
            "id": self.agreement_id,
            "reference": columns["reference"],
            "title": columns["title"],
            # the search text (search_text.py): the reference and every title, one a line
            "titles_text": search_text("\n".join([columns["reference"], *titles.values()])),
            "kind": columns["kind"],
            "character": columns["character"],
            "status": columns["status"],
            "parties": ",".join(json.loads(columns["parties"])),
            "version": self.version,
            "last_recorded": self.recorded,
            "signed": columns["signed"],
            "in_force": min(in_force) if in_force else None,
        }

    def save(self, session: Session) -> None:
        """Write what changed since the Head was loaded or last saved, and the list row."""
        save_all(session, [self])

    def relabel(self, base: int, recorded: str) -> None:
        """Replace the stand-in instants (`placeholder(n)`: the n-th event of the chunk) by
        the instants fixed under the lock, `base + n` microseconds; `recorded` is the last
        event's."""

        def real(number: int) -> int:
            return base - number - 1 if number < 0 else number

        self.open = {key: real(since) for key, since in self.open.items()}
        self.made = {(key, real(since)): real(until) for (key, since), until in self.made.items()}
        self.closed = [(key, real(since), real(until)) for key, since, until in self.closed]
        self.recorded = recorded

    def saved(self) -> None:
        """The tables now hold every row: only the open ones are kept."""
        self.fresh.clear()
        self.made.clear()
        self.closed.clear()
        self.texts |= set(self.new_texts)
        self.new_texts.clear()

    @classmethod
    def load(cls, session: Session, agreement_id: str, older: Sequence[AgreementEvent]) -> Head:
        """The Head of the events `older`, with the open rows the tables hold for them."""
        return cls.restore(agreement_id, older, stored_rows(session, agreement_id))

    @classmethod
    def restore(cls, agreement_id: str, older: Sequence[AgreementEvent], stored: Stored) -> Head:
        """`load` from rows read elsewhere (`stored_rows`: a bulk worker has no database)."""
        head = cls(agreement_id)
        for event in sorted(older, key=lambda e: e.originator_version):
            head.corrections.take(event)
        last = max(older, key=lambda e: e.originator_version)
        head.version, head.recorded = last.originator_version, format_instant(last.timestamp)
        head._refold()
        open_rows, head.texts = stored
        for key, recorded_from in open_rows:
            head.open[key] = recorded_from
            owner, span = _span(key)
            head.spans.setdefault(owner, []).append(span)
        for spans in head.spans.values():
            spans.sort(key=lambda s: s[0])
        return head


Stored = tuple[list[tuple[Key, int]], set[int]]  # open rows with their recorded_from; texts


def stored_rows(session: Session, agreement_id: str) -> Stored:
    """The open rows the tables hold for an agreement, and the keys of its wordings."""
    open_rows = []
    for kind, table in TABLES.items():
        query = select(*(table.c[n] for n in VALUES[kind]), table.c.recorded_from).where(
            table.c.agreement_id == agreement_id, table.c.recorded_to == OPEN_SQL
        )
        for row in session.execute(query):
            open_rows.append(((kind, tuple(row)[:-1]), row.recorded_from))
    t = agreement_texts
    keys = select(t.c.key).where(t.c.agreement_id == agreement_id)
    return open_rows, set(session.execute(keys).scalars())


def placeholder(place: int) -> int:
    """The stand-in instant of the event at `place` in a chunk (see `Head.relabel`)."""
    return -place - 1


ONE_DAY = timedelta(days=1)
ONE_PARTY_FROM = 3  # parties: below, every fact recomputes every party's rows


def _key(owner: str, span: Span) -> Key:
    start, until, values = span
    if owner == WHOLE:
        return AGREEMENT, (start, until, *values)
    return PARTY, (owner, start, until, *values)


def _span(key: Key) -> tuple[str, Span]:
    kind, values = key
    if kind == AGREEMENT:
        return WHOLE, (values[0], values[1], values[2:])
    return values[0], (values[1], values[2], values[3:])


def _lengthen(spans: list[Span], start: date, until: date, values: Values) -> None:
    """Lengthen the last span if it ends the day before and says the same, else add one."""
    if spans and spans[-1][2] == values and spans[-1][1] == start - ONE_DAY:
        spans[-1] = (spans[-1][0], until, values)
    else:
        spans.append((start, until, values))


def replayed(events: Sequence[AgreementEvent]) -> Head:
    """Every row the projection writes for these events, in memory (read back from the store,
    each event's `timestamp` is its recorded instant): what a rebuild inserts."""
    ordered = sorted(events, key=lambda e: e.originator_version)
    head = Head(str(ordered[0].originator_id))
    for event in ordered:
        head.take(event, event.originator_version, format_instant(event.timestamp))
    return head
