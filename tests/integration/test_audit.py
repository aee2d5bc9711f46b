"""The audit store (store/audit.py) on SQLite and PostgreSQL: comparisons pinned to a
checkpoint, the selection by the read model in either view, the report's bundle, deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from registry.domain.deadlines import DeadlineKind
from registry.domain.diff import ChangeKind
from registry.domain.values import AgreementStatus
from registry.ledger.bundle import load_anchors
from registry.store.application import Registry
from registry.store.reads import audit
from registry.store.reads.audit_document import verify_report
from registry.store.reads.audit_report import AuditQuery, View
from registry.store.reads.queries import Filters
from registry.store.settings import Settings
from tests.integration.helpers import OnPostgres, OnSQLite, at
from tests.web.audit_story import RAIL, ROADMAP, TRANSIT, build_story


class AuditScenario:
    @pytest.fixture
    def registry(self, settings: Settings) -> Iterator[Registry]:
        registry = Registry(build_story(settings))
        yield registry
        registry.close()

    def test_a_backdated_ratification_is_late_between_two_instants(
        self, registry: Registry
    ) -> None:
        query = AuditQuery(
            View(date(2026, 2, 20), at("2026-03-01T00:00:00")),
            View(date(2026, 2, 20), at("2026-03-05T00:00:00")),
            Filters(party="KAZ"),
        )
        report = audit.compare(registry, query)
        assert [a.reference for a in report.agreements] == [TRANSIT, ROADMAP]
        [(agreement, change)] = report.changes
        assert (agreement.reference, change.kind, change.party) == (
            TRANSIT,
            ChangeKind.CONSENT,
            "PAK",
        )
        assert (change.late_days, change.version) == (16, 4)

    def test_the_selection_is_either_view_of_the_filters(self, registry: Registry) -> None:
        in_force = Filters(status=AgreementStatus.IN_FORCE)
        query = AuditQuery(View(date(2026, 2, 20), None), View(date(2026, 6, 1), None), in_force)
        assert [a.reference for a in audit.compare(registry, query).agreements] == [TRANSIT]
        signed = Filters(status=AgreementStatus.SIGNED)
        query = AuditQuery(View(date(2026, 2, 20), None), View(date(2026, 6, 1), None), signed)
        assert [a.reference for a in audit.compare(registry, query).agreements] == [TRANSIT, RAIL]

    def test_a_comparison_is_pinned_to_the_latest_checkpoint(self, registry: Registry) -> None:
        query = AuditQuery(View(date(2026, 2, 1), None), View(date(2026, 7, 1), None))
        report = audit.compare(registry, query)
        last = at("2026-06-02T10:00:00.001000")
        assert report.query.before.known_at == report.query.after.known_at == last
        assert report.checkpoint == registry.checkpoint().note  # type: ignore[union-attr]
        with pytest.raises(audit.TooManyAgreements, match="3 agreements match, more than the 2"):
            audit.compare(registry, query, limit=2)

    def test_the_exported_report_verifies_with_the_published_keys(self, registry: Registry) -> None:
        query = AuditQuery(View(date(2026, 2, 1), None), View(date(2026, 12, 31), None))
        report, document = audit.export(
            registry, query, generated=at("2026-07-01T00:00:00"), by="t"
        )
        anchors, verifier = load_anchors(registry.settings.keys_dir)
        checked = verify_report(document, anchors, verifier)
        assert checked.ok, checked.problems
        assert checked.events == sum(len(a.events) for a in report.agreements) == 8 + 3 + 2
        assert checked.keyring == 4  # opened, and three officers registered

    def test_deadlines_ahead_of_a_date(self, registry: Registry) -> None:
        found = audit.deadlines(registry, date(2026, 6, 15), horizon_days=180)
        assert [(u.agreement.reference, u.deadline.kind) for u in found] == [
            (ROADMAP, DeadlineKind.MILESTONE_OVERDUE),
            (TRANSIT, DeadlineKind.WITHDRAWAL_TAKES_EFFECT),
        ]
        assert registry.party_codes() == ["KAZ", "PAK", "UZB"]


class TestAuditOnSQLite(OnSQLite, AuditScenario):
    pass


@pytest.mark.postgres
class TestAuditOnPostgres(OnPostgres, AuditScenario):
    pass
