"""Small builders for store tests: a fresh registry and a few well-formed commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from registry.domain.dates import PartialDate
from registry.store.application import Recorded, Registry
from registry.store.events.keystore import KeyStore
from registry.store.settings import Settings
from registry.store.setup import initialise

ISLAMABAD = "officer.islamabad"
ASTANA = "officer.astana"
OFFICERS = (ISLAMABAD, ASTANA, "officer.depositary")

PAKISTAN = {"code": "PAK", "name": "Pakistan", "type": "state"}
KAZAKHSTAN = {"code": "KAZ", "name": "Kazakhstan", "type": "state"}


def drafted_data(reference: str = "PK-KZ-2026-900", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": reference,
        "titles": {"en": "Agreement on Transit Trade", "ru": "Соглашение о транзитной торговле"},
        "kind": "agreement",
        "character": "binding",
        "multilateral": False,
        "parties": [PAKISTAN, KAZAKHSTAN],
        "withdrawal_notice_months": 6,
    }
    data.update(overrides)
    return data


def roadmap_data(reference: str, title: str = "Transit roadmap") -> dict[str, Any]:
    """A non-binding bilateral roadmap's draft (milestones are what it records)."""
    return {
        "reference": reference,
        "titles": {"en": title},
        "kind": "roadmap",
        "character": "non_binding",
        "multilateral": False,
        "parties": [PAKISTAN, KAZAKHSTAN],
    }


def signed_data(party: str, signatory: str = "Minister", **overrides: Any) -> dict[str, Any]:
    data = {
        "party": party,
        "signatory": signatory,
        "capacity": "Minister of Foreign Affairs",
        "signature_type": "simple",
        "place": "Islamabad",
    }
    data.update(overrides)
    return data


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


class SteppingClock:
    """A settable clock for the recorder (the registry still refuses to go backwards)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@contextmanager
def open_registry(
    settings: Settings, *, init: bool = True, clock: SteppingClock | None = None
) -> Iterator[Registry]:
    """A registry with the demo officers; with `clock`, everything is recorded on that clock."""
    if init and clock is None:
        initialise(settings, demo_officers=OFFICERS)
    elif init:
        KeyStore(settings.private_keys_dir).create()
    registry = Registry(settings)
    if clock is not None:
        registry.signed_recorder.clock = clock
        if init:
            for officer in OFFICERS:
                registry.register_officer(officer)
    try:
        yield registry
    finally:
        registry.close()


def draft_transit_agreement(registry: Registry, reference: str = "PK-KZ-2026-900") -> Recorded:
    return registry.draft(
        effective=day("2026-02-01"), actor=ISLAMABAD, data=drafted_data(reference)
    )


def record_signatures_and_ratification(registry: Registry, ref: str) -> list[Recorded]:
    steps: list[Callable[[], Recorded]] = [
        lambda: registry.record(
            ref, "Signed", effective=day("2026-02-03"), actor=ISLAMABAD, data=signed_data("PAK")
        ),
        lambda: registry.record(
            ref,
            "Signed",
            effective=day("2026-02-03"),
            actor=ASTANA,
            data=signed_data("KAZ", place="Islamabad"),
        ),
        lambda: registry.record(
            ref,
            "ConsentExpressed",
            effective=day("2026-02-15"),
            actor=ISLAMABAD,
            data={"party": "PAK", "instrument": "ratification"},
        ),
    ]
    return [step() for step in steps]


class OnSQLite:
    """Mixin: run a scenario's tests on a fresh SQLite file."""

    @pytest.fixture
    def settings(self, sqlite_settings: Settings) -> Settings:
        return sqlite_settings


class OnPostgres:
    """Mixin: run a scenario's tests in a fresh PostgreSQL schema (mark the class `postgres`)."""

    @pytest.fixture
    def settings(self, postgres_settings: Settings) -> Settings:
        return postgres_settings


def assert_one_dense_log(registry: Registry, total: int) -> None:
    """The log has `total` leaves indexed 0..total-1 in commit order (notification ids and
    `recorded` strictly increase with them); checkpoints were issued in increasing sizes, the
    last of them `total`, each signing the root of the tree of its size."""
    import itertools

    from sqlalchemy import select

    from registry.ledger import merkle
    from registry.store.events.log import SqlNodeReader
    from registry.store.events.tables import checkpoints, log_entries

    with registry.transaction() as session:
        entries = list(session.execute(select(log_entries).order_by(log_entries.c.leaf_index)))
        issued = list(
            session.execute(select(checkpoints).order_by(checkpoints.c.issued, checkpoints.c.size))
        )
        reader = SqlNodeReader(session)
        roots = {row.size: merkle.root_at(reader, row.size) for row in issued}
    assert [e.leaf_index for e in entries] == list(range(total))
    for earlier, later in itertools.pairwise(entries):
        assert earlier.notification_id < later.notification_id
        assert earlier.recorded < later.recorded
    sizes = [row.size for row in issued]
    assert sizes == sorted(set(sizes)) and sizes[-1] == total
    assert all(bytes(row.root_hash) == roots[row.size] for row in issued)
