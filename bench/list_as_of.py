"""The registry-wide list as of a past date, known at a past instant, against the current-state
list, over the same agreements in the same run.

    .venv/bin/python -m bench.list_as_of [--agreements 100000] [--quick] [--database URL]

Both lists ask the same thing of the same agreements: the counts by status, the total and the
first page by reference (same filters, same page size). The current-state list reads the
summary read model (`registry_agreements`, one row per agreement, as the officers' web list
does); the as-of list reads the status intervals (`Registry.list_as_of`). Each figure is the
median of several runs, the two taken in turn, and the ratio is what to compare between runs.

The read-model rows are written directly, not through signed events: recording 100,000
agreements through the real store would take hours of signing. They come from synthetic
domain events (Drafted, Signed, ConsentExpressed, EnteredIntoForce, Suspended, Resumed,
WithdrawalNotified, Terminated, EventCorrected, with backdated and late-recorded acts and a
2018 migration of older agreements) through the same code the projection and `rebuild-views`
use (`projection.replayed`).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import func, insert, literal, select, text

from bench.databases import database_url
from registry.domain.agreement import Agreement
from registry.domain.dates import PartialDate
from registry.domain.events import (
    AgreementEvent,
    ConsentExpressed,
    Drafted,
    EnteredIntoForce,
    EventCorrected,
    Resumed,
    Signed,
    Suspended,
    Terminated,
    TextAdopted,
    WithdrawalNotified,
)
from registry.domain.identity import agreement_id
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    ConsentKind,
    CorrectionAction,
    LegalCharacter,
    Party,
    PartyType,
    SignatureType,
)
from registry.store.application import Registry
from registry.store.events.datastore import write_intent
from registry.store.events.tables import agreements
from registry.store.reads.intervals import agreement_intervals, agreement_texts, party_intervals
from registry.store.reads.projection import AGREEMENT, replayed
from registry.store.settings import Settings

README = Path(__file__).with_name("README.md")
SECTION = "## List as of a date"
AS_OF = date(2021, 6, 30)
KNOWN_AT = datetime(2022, 1, 1, tzinfo=UTC)
PAGE = 20  # the officers' web list's page size
MIGRATION = datetime(2018, 1, 1, tzinfo=UTC)  # older agreements were loaded during 2018
STATES = [f"S{n:02d}" for n in range(60)]
BINDING_KINDS = (
    AgreementKind.TREATY,
    AgreementKind.CONVENTION,
    AgreementKind.AGREEMENT,
    AgreementKind.PROTOCOL,
    AgreementKind.EXCHANGE_OF_NOTES,
)
OTHER_KINDS = (
    AgreementKind.MEMORANDUM_OF_UNDERSTANDING,
    AgreementKind.JOINT_DECLARATION,
    AgreementKind.ROADMAP,
    AgreementKind.ACTION_PLAN,
    AgreementKind.FRAMEWORK,
)
SUBJECTS = ("trade", "transit", "visas", "air services", "railways", "energy", "culture")


# -- synthetic histories ---------------------------------------------------------------------


class History:
    """One agreement's events, versioned and recorded in order, as the store would have them."""

    def __init__(self, number: int, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.now = datetime.combine(today, datetime.min.time(), UTC)
        self.reference = f"BN-{number:06d}"
        self.id = agreement_id(self.reference)
        self.events: list[AgreementEvent] = []
        self.last_recorded: datetime | None = None
        self.migrated = MIGRATION + timedelta(seconds=rng.randrange(365 * 86400))
        self.open = True  # False once an act would be recorded after now: the rest is future

    def add(self, cls: type[AgreementEvent], effective: PartialDate, **fields: Any) -> bool:
        if not self.open or effective.start > self.today:
            self.open = False
            return False
        recorded = self._recorded(effective)
        if recorded > self.now:
            self.open = False
            return False
        extra = {"originator_topic": get_topic(Agreement)} if cls is Drafted else {}
        self.events.append(
            cls(
                originator_id=self.id,
                originator_version=len(self.events) + 1,
                timestamp=recorded,
                effective=effective,
                actor="officer.bench",
                source=None,
                reason=None,
                notification=None,
                **extra,
                **fields,
            )
        )
        self.last_recorded = recorded
        return True

    def _recorded(self, effective: PartialDate) -> datetime:
        start = datetime.combine(effective.start, datetime.min.time(), UTC)
        if start < MIGRATION:
            moment = self.migrated
        else:
            late = self.events and self.rng.random() < 0.1  # recorded late: a backdated act
            lag = self.rng.randrange(30, 300) if late else self.rng.randrange(0, 20)
            moment = start + timedelta(days=lag, hours=9, seconds=self.rng.randrange(28800))
        if self.last_recorded is not None:
            moment = max(moment, self.last_recorded + timedelta(seconds=1))
        return moment


def synthetic_history(number: int, seed: int, today: date) -> list[AgreementEvent]:
    rng = random.Random(seed * 1_000_003 + number)
    history = History(number, rng, today)
    binding = rng.random() < 0.7
    multilateral = binding and rng.random() < 0.2
    size = rng.randrange(3, 12) if multilateral else 2
    codes = rng.sample(STATES, size)
    if rng.random() < 0.25 and "PAK" not in codes:
        codes[0] = "PAK"
    parties = tuple(Party(code, f"State {code}", PartyType.STATE) for code in codes)
    subject = rng.choice(SUBJECTS)
    titles = {"en": f"{'Agreement' if binding else 'Memorandum'} on {subject} no. {number}"}
    if rng.random() < 0.3:
        titles["ru"] = f"Соглашение № {number}"

    def day_after(start: date, low: int, high: int) -> PartialDate:
        return PartialDate.of(start + timedelta(days=rng.randrange(low, high)))

    span = (today - date(1990, 1, 1)).days - 30
    drafted_on = date(1990, 1, 1) + timedelta(days=rng.randrange(span))
    drafted = PartialDate.of(drafted_on)
    if rng.random() < 0.1:
        drafted = PartialDate(drafted_on.year, drafted_on.month)
    history.add(
        Drafted,
        drafted,
        reference=history.reference,
        titles=titles,
        kind=rng.choice(BINDING_KINDS if binding else OTHER_KINDS),
        character=LegalCharacter.BINDING if binding else LegalCharacter.NON_BINDING,
        multilateral=multilateral,
        parties=parties,
        parent=None,
        withdrawal_notice_months=rng.choice((6, 12)),
        summary=None,
    )
    if rng.random() < 0.5:
        history.add(TextAdopted, day_after(drafted.end, 0, 90), place=None)
    if rng.random() < 0.1:
        return history.events  # still a draft
    signed = day_after(drafted.end, 10, 200)
    signatures = []
    for code in codes:
        when = signed if not multilateral else day_after(signed.start, 0, 60)
        signature = SignatureType.SIMPLE if binding else SignatureType.DEFINITIVE
        if history.add(Signed, when, party=code, signatory="Minister", capacity="Minister",
                       signature_type=signature, place=None):  # fmt: skip
            signatures.append((history.events[-1].originator_version, when))
    if signatures and rng.random() < 0.05:  # a signature date corrected, later
        version, when = signatures[0]
        history.add(
            EventCorrected,
            day_after(when.start, 30, 120),
            corrects=version,
            action=CorrectionAction.SUPERSEDE,
            new_effective=day_after(when.start, -3, 0),
            changes={},
        )
    if not binding:
        if rng.random() < 0.1:
            history.add(Terminated, day_after(signed.start, 365, 5 * 365))
        return history.events
    consents = []
    for code in codes:
        if rng.random() < 0.85:
            when = day_after(signed.start, 30, 700)
            if history.add(ConsentExpressed, when, party=code,
                           instrument=ConsentKind.RATIFICATION, acceding=None):  # fmt: skip
                consents.append(when)
    if len(consents) < (len(codes) if not multilateral else 2):
        return history.events
    in_force = day_after(max(c.start for c in consents), 30, 60)
    if not history.add(EnteredIntoForce, in_force, party=None):
        return history.events
    fate = rng.random()
    if fate < 0.08:
        suspended = day_after(in_force.start, 365, 5 * 365)
        if history.add(Suspended, suspended, party=None) and rng.random() < 0.5:
            history.add(Resumed, day_after(suspended.start, 90, 700), party=None)
    elif fate < 0.18:
        notified = day_after(in_force.start, 365, 15 * 365)
        months = 12
        history.add(
            WithdrawalNotified,
            notified,
            party=rng.choice(codes),
            takes_effect=notified.add_months(months),  # may well be in the future
        )
    elif fate < 0.22:
        history.add(Terminated, day_after(in_force.start, 365, 10 * 365))
    return history.events


@dataclass
class Rows:
    summaries: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    parties: list[dict[str, Any]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0


def rows_of(first: int, count: int, seed: int, today: date) -> Rows:
    """The read-model rows of agreements first..first+count, as maintenance would write them."""
    rows = Rows()
    for number in range(first, first + count):
        events = synthetic_history(number, seed, today)
        head = replayed(events)
        rows.summaries.append(head.summary(today))
        for kind, row in head.rows():
            (rows.agreements if kind == AGREEMENT else rows.parties).append(row)
        rows.texts += head.text_rows()
        rows.events += len(events)
    return rows


# -- the database ----------------------------------------------------------------------------


def open_bench_registry(folder: Path, database: str | None) -> tuple[Registry, Callable[[], None]]:
    """A registry on a fresh SQLite file, or in a schema of its own on a PostgreSQL server."""
    databases = ExitStack()
    url = databases.enter_context(database_url(folder, "bench", database))
    settings = Settings(folder, url, "bench.registry.example/log", folder / "keys")
    return Registry(settings, can_sign=False), databases.close


@dataclass
class Loaded:
    agreements: int = 0
    events: int = 0
    agreement_rows: int = 0
    party_rows: int = 0
    seconds: float = 0.0


def load(registry: Registry, count: int, seed: int, today: date, workers: int) -> Loaded:
    """Generate the rows in worker processes and insert them, 1,000 agreements at a time."""
    loaded = Loaded()
    start = time.perf_counter()
    chunk = 1000
    firsts = list(range(0, count, chunk))
    sizes = [min(chunk, count - first) for first in firsts]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        chunks = pool.map(rows_of, firsts, sizes, [seed] * len(firsts), [today] * len(firsts))
        for rows in chunks:
            with write_intent(), registry.transaction(commit=True) as session:
                session.execute(insert(agreements), rows.summaries)
                tables = (agreement_intervals, party_intervals, agreement_texts)
                for table, new in zip(
                    tables, (rows.agreements, rows.parties, rows.texts), strict=True
                ):
                    if new:
                        session.execute(insert(table), new)
            loaded.agreements += len(rows.summaries)
            loaded.events += rows.events
            loaded.agreement_rows += len(rows.agreements)
            loaded.party_rows += len(rows.parties)
            print(f"\r  {loaded.agreements:,} agreements loaded", end="", flush=True)
    print()
    engine = registry.signed_recorder.datastore.engine
    assert engine is not None
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # what PostgreSQL's autovacuum (or SQLite's `PRAGMA optimize`) does on a live database
        vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        connection.execute(text(vacuum))
    loaded.seconds = time.perf_counter() - start
    return loaded


# -- the two lists ---------------------------------------------------------------------------


def current_list(registry: Registry, filters: dict[str, Any], limit: int) -> tuple[Any, ...]:
    """The current-state list: counts by status, total and first page, on the summary table."""
    t = agreements
    where = []
    if "kind" in filters:
        where.append(t.c.kind == filters["kind"].value)
    if "party" in filters:
        padded = literal(",") + t.c.parties + literal(",")  # as the officers' web list does
        where.append(padded.like(f"%,{filters['party']},%"))
    if "q" in filters:
        pattern = f"%{filters['q'].lower()}%"
        where.append(
            func.lower(t.c.reference).like(pattern) | func.lower(t.c.titles_text).like(pattern)
        )
    with registry.transaction() as session:
        query = select(t.c.status, func.count()).where(*where).group_by(t.c.status)
        counts = {status: count for status, count in session.execute(query)}
        page = session.execute(select(t).where(*where).order_by(t.c.reference).limit(limit)).all()
    return counts, sum(counts.values()), [dict(row._mapping) for row in page]


def as_of_list(
    registry: Registry, as_of: date | None, known_at: datetime | None, filters: dict[str, Any]
) -> Any:
    return registry.list_as_of(as_of, known_at, limit=PAGE, **filters)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


@dataclass
class Figure:
    name: str
    current: float
    as_of: float

    @property
    def ratio(self) -> float:
        return self.as_of / self.current


def measure(registry: Registry, repetitions: int, today: date) -> list[Figure]:
    variants: list[tuple[str, dict[str, Any]]] = [
        ("no filter", {}),
        ("kind = treaty", {"kind": AgreementKind.TREATY}),
        ("party = PAK", {"party": "PAK"}),
        ("q = transit (broad: 1 in 7 match)", {"q": "transit"}),
        ("q = no. 4242 (narrow)", {"q": "no. 4242"}),
    ]
    lists: list[tuple[str, date | None, datetime | None]] = [
        (f"as of {AS_OF}, known at {KNOWN_AT:%Y-%m-%d}", AS_OF, KNOWN_AT),
        (f"as of {AS_OF}, known now", AS_OF, None),
        ("as of today, known now", today, None),
    ]
    figures = []
    for label, as_of, known_at in lists:
        for name, filters in variants:
            current: list[float] = []
            past: list[float] = []
            for repetition in range(repetitions + 1):
                c = timed(lambda f=filters: current_list(registry, f, PAGE))
                p = timed(lambda a=as_of, k=known_at, f=filters: as_of_list(registry, a, k, f))
                if repetition:  # the first run of each only warms the caches
                    current.append(c)
                    past.append(p)
            figures.append(Figure(f"{label}; {name}", median_ms(current), median_ms(past)))
    return figures


def sanity(registry: Registry, today: date) -> str:
    """The as-of list as of today agrees with the summary's counts (both: state as of today)."""
    summary, _, _ = current_list(registry, {}, PAGE)
    page = registry.list_as_of(today, None, limit=PAGE)
    drafted = AgreementStatus.NOT_YET_DRAFTED
    counts = {s.value: n for s, n in page.counts.items() if s is not drafted}
    return "they agree" if counts == summary else f"THEY DIFFER: {counts} != {summary}"


# -- the report ------------------------------------------------------------------------------

INTRO = f"""{SECTION}

`.venv/bin/python -m bench.list_as_of [--agreements 100000] [--database postgresql+psycopg://…]`

Both lists answer the same question over the same agreements: the counts by status, the total
and the first page of {PAGE} by reference, with the same filter. Current state: the summary
read model (`registry_agreements`, one row per agreement), queried as the officers' web list
does. As of: `Registry.list_as_of` over the status intervals (`registry/store/reads/intervals.py`,
`queries.py`). Each figure is the median of several runs after a warm-up, the two lists taken
in turn; the ratio is as-of time over current-state time. The goal is a ratio under 2.

The read-model rows are written directly, not by recording signed events (100,000 agreements
through the signing store would take hours): synthetic domain events (drafts, signatures,
ratifications, entry into force, suspensions, withdrawals that take effect later, some in the
future, terminations, corrected signature dates; acts recorded late; older agreements loaded
by a 2018 migration) go through the projection's own code (`projection.replayed`).

Why the as-of list keeps up with a table of one row per agreement while it reads a table of
several row versions per agreement: the counts are one range per status in a partial index of
the rows still believed, ordered by period end, so for a past date they touch about one entry
per agreement (its last period), never a table row, and need no sort; known at a past
instant, the rows closed since come from a second partial index, and are few. The page walks
an index in reference order and stops when it is full. A party's rows carry the agreement's
columns, so a party filter reads that party's rows only. A search scans the texts (one row
per agreement and wording) once and reads only the rows they name. Recorded instants are
integers (microseconds), which keeps the index entries narrow. A list is one statement, a
search two: the counts, the page and its parties' standings (and whether the read models are
complete) come back together, each statement built once and its values bound. On PostgreSQL
the counts are one scan of the index, descending it once per status (its planner took longer
over a union of sixteen ranges than its executor did).

A search goes from the texts that match to their rows through an index (`by_text`); when all
but a few texts match, it is the list less the rows of those few.
"""


def report(args: argparse.Namespace, loaded: Loaded, figures: list[Figure], check: str,
           database: str) -> str:  # fmt: skip
    lines = [
        f"### {database} ({date.today()})",
        "",
        f"{loaded.agreements:,} agreements, {loaded.events:,} events: "
        f"{loaded.agreement_rows:,} agreement intervals and {loaded.party_rows:,} party "
        f"intervals, generated and loaded in {loaded.seconds:.0f} s. Median of "
        f"{args.repetitions} runs. As of today the two lists count the same: {check}.",
        "",
        "| list | current state (ms) | as of (ms) | ratio |",
        "|---|---:|---:|---:|",
    ]
    for figure in figures:
        lines.append(
            f"| {figure.name} | {figure.current:.1f} | {figure.as_of:.1f} | {figure.ratio:.2f} |"
        )
    return "\n".join(lines) + "\n"


def write_section(block: str, database: str, path: Path = README) -> None:
    """Put this run's block into this benchmark's section of bench/README.md, keeping the
    block of the other database and every other section."""
    readme = path.read_text() if path.exists() else "# Benchmarks\n"
    start = readme.find(SECTION)
    end = readme.find("\n## ", start + 1) if start != -1 else -1
    before = readme[:start] if start != -1 else readme.rstrip("\n") + "\n\n"
    after = readme[end + 1 :] if end != -1 else ""
    blocks = {}
    if start != -1:
        for part in readme[start : end if end != -1 else None].split("\n### ")[1:]:
            blocks[part.split(" ", 1)[0]] = "### " + part.rstrip("\n") + "\n"
    blocks[database] = block
    section = INTRO + "".join("\n" + blocks[name] for name in sorted(blocks))
    path.write_text(before + section + ("\n" + after if after else ""))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 agreements, 3 runs (CI smoke)")
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--database", help="a PostgreSQL server URL (default: a SQLite file)")
    parser.add_argument("--workers", type=int, default=2, help="processes generating the rows")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.agreements, args.repetitions = min(args.agreements, 2_000), 3
    today = date.today()
    with tempfile.TemporaryDirectory() as folder:
        registry, cleanup = open_bench_registry(Path(folder), args.database)
        try:
            engine = registry.signed_recorder.datastore.engine
            database = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"  # type: ignore[union-attr]
            print(f"{args.agreements:,} agreements on {database}: generating the read models")
            loaded = load(registry, args.agreements, args.seed, today, args.workers)
            figures = measure(registry, args.repetitions, today)
            check = sanity(registry, today)
        finally:
            registry.close()
            cleanup()
    block = report(args, loaded, figures, check, database)
    print(block)
    if not args.no_readme and not args.quick:
        write_section(block, database)
        print(f"written to {README}")


if __name__ == "__main__":
    main()
