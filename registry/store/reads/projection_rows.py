"""The projection's rows: a standing's columns, and the writes of many Heads together.

`Writes` holds what a set of Heads (projection.py) has to write, as plain rows: the stored
rows to close, the new interval rows, the wordings, the list rows. It is made where the
Heads live (this process, or a bulk worker that projected its share of a chunk) and saved,
in the write transaction, with one statement per table for every agreement of the chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from registry.domain.timeline import Standing
from registry.store.events.tables import agreements
from registry.store.reads.intervals import (
    AGREEMENT,
    PARTY,
    PARTY_ACTS,
    SMALL_BATCH,
    TABLES,
    VALUES,
    Bound,
    agreement_texts,
    bound_rows,
    close_rows,
    insert_bound,
    insert_rows,
    titles_key,
    upsert_rows,
)

if TYPE_CHECKING:
    from registry.store.reads.projection import Head

Values = tuple[Any, ...]  # the columns of a row after `valid_until` (VALUES)

AFTER = {kind: names[names.index("valid_until") + 1 :] for kind, names in VALUES.items()}
_KEYS = {kind: [c.name for c in table.primary_key.columns] for kind, table in TABLES.items()}


@dataclass
class Writes:
    """The rows some Heads have to write (picklable: a bulk worker hands them back)."""

    closing: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {AGREEMENT: [], PARTY: []}
    )
    new: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {AGREEMENT: [], PARTY: []})
    texts: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, heads: Iterable[Head]) -> Writes:
        """What changed in each Head since it was loaded or last saved, and its list row."""
        writes = cls()
        for head in heads:
            for (kind, values), recorded_from, recorded_to in head.closed:
                row = head._row((kind, values), recorded_from, recorded_to)
                closing = {f"k_{k}": row[k] for k in _KEYS[kind]} | {"to": recorded_to}
                writes.closing[kind].append(closing)
            for kind, row in head.rows():
                writes.new[kind].append(row)
            writes.texts.extend(head.text_rows())
            writes.summaries.append(head.summary())
        return writes

    def extend(self, other: Writes) -> None:
        for kind in (AGREEMENT, PARTY):
            self.closing[kind].extend(other.closing[kind])
            self.new[kind].extend(other.new[kind])
        self.texts.extend(other.texts)
        self.summaries.extend(other.summaries)

    def bound(self, dialect: Any) -> BoundWrites:
        """The new rows as the driver takes them (intervals.bound_rows), so that the process
        that writes them, holding the write lock, need not convert them value by value."""
        return BoundWrites(
            self.closing,
            [(table.name, bound_rows(table, rows, dialect)) for table, rows in self._inserts()],
            [row["id"] for row in self.summaries],
        )

    def _inserts(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        return [
            (TABLES[AGREEMENT], self.new[AGREEMENT]),
            (TABLES[PARTY], self.new[PARTY]),
            (agreement_texts, self.texts),
            (agreements, self.summaries),
        ]

    def save(self, session: Session) -> None:
        """One statement per table, however many agreements the rows are of: a commit's
        list rows replace the stored ones in one upsert, a bulk load's are deleted and
        inserted in one batch."""
        _close(session, self.closing)
        inserts = self._inserts()
        if len(self.summaries) <= SMALL_BATCH:
            inserts.pop()
            by_id = {row["id"]: row for row in self.summaries}  # the last of each agreement
            upsert_rows(session, agreements, list(by_id.values()))
        elif self.summaries:
            ids = [row["id"] for row in self.summaries]
            session.execute(delete(agreements).where(agreements.c.id.in_(ids)))
        for table, rows in inserts:
            insert_rows(session, table, rows)


@dataclass
class BoundWrites:
    """`Writes` with their new rows bound for one dialect (picklable)."""

    closing: dict[str, list[dict[str, Any]]]
    inserts: list[tuple[str, Bound]]  # (table name, rows): a Table itself pickles its MetaData
    listed: list[str]  # the agreements whose list row is replaced

    def save(self, session: Session) -> None:
        _close(session, self.closing)
        if self.listed:
            session.execute(delete(agreements).where(agreements.c.id.in_(self.listed)))
        tables = {table.name: table for table, _rows in Writes()._inserts()}
        for name, bound in self.inserts:
            insert_bound(session, tables[name], bound)


def _close(session: Session, closing: dict[str, list[dict[str, Any]]]) -> None:
    for kind, rows in closing.items():
        close_rows(session, TABLES[kind], rows)


def save_all(session: Session, heads: Iterable[Head]) -> None:
    """Write what changed in each Head since it was loaded or last saved, and its list row:
    one executemany per table for them all, however many agreements a chunk touches."""
    Writes.of(heads).save(session)


def standing_values(
    agreement_id: str, standing: Standing
) -> tuple[Values, list[tuple[str, Values]], tuple[int, str, str]]:
    """A standing's columns: the agreement's, each party's, and its wording (key, reference,
    titles one a line)."""
    key, text, title, titles = _wording(agreement_id, standing.reference, standing.titles)
    shared = {
        "status": standing.status.value,
        "reference": standing.reference,
        "titles_key": key,
        "kind": standing.kind.value,
        "character": standing.character.value,
    }
    whole = shared | {
        "title": title,
        "titles": titles,
        "parties": _codes_json(tuple(code for code, _ in standing.parties)),
        "signed": _first(standing, PARTY_ACTS.index("signed")),
        "in_force": _first(standing, PARTY_ACTS.index("in_force")),
    }
    acts = standing.acts or ((None,) * len(PARTY_ACTS),) * len(standing.parties)
    parties = []
    for (code, party_status), own in zip(standing.parties, acts, strict=True):
        columns = shared | {"party_status": party_status.value}
        columns |= dict(zip(PARTY_ACTS, own, strict=True))
        parties.append((code, tuple(columns[name] for name in AFTER[PARTY])))
    return (
        tuple(whole[name] for name in AFTER[AGREEMENT]),
        parties,
        (key, standing.reference, text),
    )


@lru_cache(maxsize=4096)
def _wording(
    agreement_id: str, reference: str, titles: tuple[tuple[str, str], ...]
) -> tuple[int, str, str, str]:
    """(titles_key, titles one a line, the list's title, the titles as JSON) of a wording: an
    agreement keeps one through most of its standings, so each is made once."""
    named = dict(titles)
    text = "\n".join(named.values())
    title = named.get("en") or next(iter(named.values()), "")
    return (
        titles_key(agreement_id, reference, text),
        text,
        title,
        json.dumps(named, ensure_ascii=False),
    )


@lru_cache(maxsize=4096)
def _codes_json(codes: tuple[str, ...]) -> str:
    return json.dumps(list(codes))


def _first(standing: Standing, column: int) -> str | None:
    """The earliest of one of the parties' dates (reduced ISO dates sort as text)."""
    found = [own[column] for own in standing.acts if own[column] is not None]
    return min(found) if found else None
