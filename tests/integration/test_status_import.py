"""Importing UN status tables, on SQLite and again on PostgreSQL.

`StatusImportScenario` holds the tests; the subclasses only say which database. The tables are
the real UNTC records checked in under fixtures/untc/ (Paris Agreement, Arms Trade Treaty).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bench.status_tables import status_table
from registry.cli import main
from registry.domain.codec import data_fields
from registry.domain.events import Drafted
from registry.domain.values import ConsentKind, PartyStatus, PartyType
from registry.store.application import Registry
from registry.store.bulk.status_import import import_status
from registry.store.bulk.status_table import ImportRefused
from registry.store.reads.filters import Filters
from registry.store.reads.party_view import party_agreements
from registry.store.settings import Settings
from tests.conftest import REPO
from tests.integration.helpers import OnPostgres, OnSQLite, open_registry
from tests.integration.test_intervals import env_of

UNTC = REPO / "fixtures" / "untc"
PARIS_CSV = (UNTC / "paris-agreement.csv").read_bytes()
PARIS = (UNTC / "paris-agreement.json").read_bytes()
ATT_CSV = (UNTC / "arms-trade-treaty.csv").read_bytes()
ATT = (UNTC / "arms-trade-treaty.json").read_bytes()
OFFICER = "officer.depositary"
HEADER = b'Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a)"\n'
CLAUSES = "clauses" in data_fields(Drafted)


def stored_events(registry: Registry) -> int:
    cls = registry.signed_recorder.events_record_cls
    with registry.transaction() as session:
        return int(session.execute(select(func.count()).select_from(cls)).scalar() or 0)


def without(table: bytes, name: bytes) -> bytes:
    return b"".join(line for line in table.splitlines(True) if not line.startswith(name))


class StatusImportScenario:
    @pytest.fixture
    def registry(self, settings: Settings) -> Iterator[Registry]:
        with open_registry(settings) as registry:
            yield registry

    def test_a_real_table_records_every_signature_and_consent_signed_by_the_officer(
        self, registry: Registry
    ):
        outcome = import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        assert outcome.plan.counts() == {
            "drafting": 1,
            "adoption": 1,
            "signature": 22,
            "ratification": 20,
            "acceptance": 1,
            "approval": 1,
            "particulars": 1,
        }
        state = registry.state("XXVII-7-d")
        assert state.depositary == "Secretary-General of the United Nations"
        assert state.concluded_place == "Paris" and str(state.concluded_on) == "2015-12-12"
        belarus, union = state.party("BLR"), state.party("EUU")
        assert belarus is not None and belarus.consent is ConsentKind.ACCEPTANCE
        assert str(belarus.consented) == "2016-09-21"
        assert union is not None and union.type is PartyType.INTERNATIONAL_ORGANISATION
        assert union.consent is ConsentKind.APPROVAL
        bolivia = state.party("BOL")
        assert bolivia is not None and bolivia.name == "Bolivia (Plurinational State of)"
        events = registry.opened_events("XXVII-7-d")
        assert {e.payload.actor for e in events} == {OFFICER}
        sources = {registry.agreement("XXVII-7-d").history[i].source for i in range(len(events))}
        assert len(sources) == 1 and "(status as at 2025-05-13)" in sources.pop()

    def test_a_second_import_of_the_same_table_adds_nothing(self, registry: Registry):
        import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        before = stored_events(registry)
        again = import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        assert again.plan.acts == [] and again.recorded is None
        assert again.plan.contradictions == []
        assert stored_events(registry) == before

    def test_a_large_table_is_recorded_in_the_order_its_acts_took_effect(self, registry: Registry):
        table, treaty = status_table(participants=40, seed=3)
        outcome = import_status(registry, table, treaty, officer=OFFICER)
        history = registry.agreement(outcome.reference).history
        assert len(history) == len(outcome.plan.acts) > 80
        assert history[0].originator_version == 1 and type(history[0]).__name__ == "Drafted"
        days = [event.effective.start for event in history]
        assert days == sorted(days)  # none backdated against the acts recorded before it
        lines = {row.participant.code: row.line for row in outcome.plan.table.rows}
        for code, acts in outcome.plan.by_party().items():
            assert all(act.line == lines[code] for act in acts)  # problems name these
        assert import_status(registry, table, treaty, officer=OFFICER).plan.acts == []

    def test_a_newer_table_adds_only_its_new_acts_and_names_each_contradiction(
        self, registry: Registry
    ):
        older = PARIS_CSV.replace(b"Angola,22 Apr 2016,16 Nov 2020", b"Angola,22 Apr 2016,")
        import_status(registry, older, PARIS, officer=OFFICER)
        before = stored_events(registry)
        newer = PARIS_CSV.replace(
            b"Albania,22 Apr 2016,21 Sep 2016", b"Albania,22 Apr 2016,22 Sep 2016"
        )
        newer += b"Holy See,,4 Oct 2022 a\n"
        outcome = import_status(registry, newer, PARIS, officer=OFFICER)
        assert sorted((a.party, a.label) for a in outcome.plan.acts) == [
            ("AGO", "ratification"),
            ("VAT", "accession"),
        ]
        assert stored_events(registry) == before + 2
        (contradiction,) = outcome.plan.contradictions
        assert contradiction.line == 3 and "2016-09-21" in contradiction.message
        albania = registry.state("XXVII-7-d").party("ALB")
        assert albania is not None and str(albania.consented) == "2016-09-21"  # not overwritten
        holy_see = registry.state("XXVII-7-d").party("VAT")
        assert holy_see is not None and holy_see.joined is not None

    @pytest.mark.parametrize(
        ("table", "line", "words"),
        [
            (HEADER + b"Narnia,22 Apr 2016,5 Oct 2016\n", 2, "unknown participant 'Narnia'"),
            (HEADER + b"Austria,31 Apr 2016,5 Oct 2016\n", 2, "signature: '31 Apr 2016'"),
            (HEADER + b"Austria,22 Apr 2016,5 Oct 2016 X\n", 2, "'X' is not a mark"),
            (HEADER + b"Austria,,5 Oct 2016\n", 2, "needs a signature"),
            (HEADER + b"Austria,22 Apr 2016,5 Apr 2016 A\n", 2, "comes before the signature"),
            (HEADER + b"Austria,22 Apr 2016,\nAustria,,5 Oct 2016 a\n", 3, "listed twice"),
            (b"Country,Signature,Ratification\nAustria,,\n", 1, "first column must be Participant"),
            (b"Participant,Signed,Consent\nAustria,,\n", 1, "one Signature column"),
            (HEADER + "Türkiye,22 Apr 2016,".encode("cp1252", "replace") + b"\n", 2, "not UTF-8"),
        ],
        ids=["unknown", "bad-date", "bad-mark", "no-signature", "before-signature",
             "duplicate", "header", "consent-header", "not-utf8"],
    )  # fmt: skip
    def test_a_malformed_table_is_refused_by_line_and_nothing_is_written(
        self, registry: Registry, table: bytes, line: int, words: str
    ):
        before = stored_events(registry)
        with pytest.raises(ImportRefused) as refused:
            import_status(registry, table, PARIS, officer=OFFICER)
        assert any(p.line == line and words in p.message for p in refused.value.problems), (
            refused.value.problems
        )
        assert stored_events(registry) == before
        assert registry.agreement_ids() == []

    def test_every_problem_is_listed_at_once(self, registry: Registry):
        table = HEADER + b"Narnia,22 Apr 2016,\nAustria,1 Foo 2016,\nBelgium,,6 Apr 2017\n"
        with pytest.raises(ImportRefused) as refused:
            import_status(registry, table, PARIS, officer=OFFICER)
        assert [p.line for p in refused.value.problems] == [2, 3, 4]

    def test_a_new_participant_that_signs_is_a_contradiction_not_an_act(self, registry: Registry):
        import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        before = stored_events(registry)
        # A participant the recorded agreement does not list can join only by accession.
        newer = PARIS_CSV + b"Holy See,1 Jan 2020,\n"
        outcome = import_status(registry, newer, PARIS, officer=OFFICER, dry_run=True)
        assert outcome.plan.acts == []
        assert "not a participant" in outcome.plan.contradictions[0].message
        assert stored_events(registry) == before

    def test_a_dry_run_writes_nothing(self, registry: Registry):
        outcome = import_status(registry, ATT_CSV, ATT, officer=OFFICER, dry_run=True)
        assert outcome.recorded is None and outcome.plan.counts()["accession"] == 2
        assert registry.agreement_ids() == []

    def test_the_party_view_shows_both_treaties_with_the_partys_acts(self, registry: Registry):
        import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        import_status(registry, ATT_CSV, ATT, officer=OFFICER)
        found = party_agreements(registry, Filters(party="aut"))
        assert [(a.reference, a.signed, a.consent, a.consented) for a in found.agreements] == [
            ("XXVI-8", "2013-06-03", "ratification", "2014-06-03"),
            ("XXVII-7-d", "2016-04-22", "ratification", "2016-10-05"),
        ]
        earlier = party_agreements(registry, Filters(party="AUT", as_of=date(2014, 1, 1)))
        assert [(a.reference, a.party_status) for a in earlier.agreements] == [
            ("XXVI-8", PartyStatus.SIGNED),
        ]
        afghanistan = party_agreements(registry, Filters(party="AFG")).agreements
        assert [(a.reference, a.consent, a.signed) for a in afghanistan] == [
            ("XXVI-8", "accession", None),
            ("XXVII-7-d", "ratification", "2016-04-22"),
        ]

    @pytest.mark.skipif(not CLAUSES, reason="needs the entry-into-force clauses (issue 9)")
    def test_standings_either_side_of_each_computed_entry_into_force(self, registry: Registry):
        import_status(registry, PARIS_CSV, PARIS, officer=OFFICER)
        import_status(registry, ATT_CSV, ATT, officer=OFFICER)
        cases = [
            # Paris: in force on 4 November 2016; a later party 30 days after its deposit
            ("XXVII-7-d", "AUT", date(2016, 11, 4)),  # deposited 5 Oct 2016
            ("XXVII-7-d", "EUU", date(2016, 11, 4)),
            ("XXVII-7-d", "AUS", date(2016, 12, 9)),  # deposited 9 Nov 2016
            ("XXVII-7-d", "AFG", date(2017, 3, 17)),  # deposited 15 Feb 2017
            # Arms Trade Treaty: in force on 24 December 2014; later parties after 90 days
            ("XXVI-8", "ALB", date(2014, 12, 24)),  # deposited 19 Mar 2014
            ("XXVI-8", "BRB", date(2015, 8, 18)),  # deposited 20 May 2015
            ("XXVI-8", "AFG", date(2020, 10, 27)),  # acceded 29 Jul 2020
        ]
        for reference, code, in_force in cases:
            before = registry.state(reference, as_of=date.fromordinal(in_force.toordinal() - 1))
            after = registry.state(reference, as_of=in_force)
            assert before.party(code).status is PartyStatus.BOUND, (reference, code)  # type: ignore[union-attr]
            assert after.party(code).status is PartyStatus.IN_FORCE, (reference, code)  # type: ignore[union-attr]
            listed = party_agreements(registry, Filters(party=code, as_of=in_force)).agreements
            assert PartyStatus.IN_FORCE in [
                a.party_status for a in listed if a.reference == reference
            ]

    def test_the_command_line_imports_dry_runs_and_refuses_in_one_line(
        self, registry: Registry, settings: Settings, tmp_path
    ):
        runner = CliRunner()
        env = env_of(settings)
        csv, treaty = str(UNTC / "paris-agreement.csv"), str(UNTC / "paris-agreement.json")
        dry = runner.invoke(main, ["import-status", csv, "--treaty", treaty, "--dry-run"], env=env)
        assert dry.exit_code == 0, dry.output
        assert "would record 47 events" in dry.output and "AUT" in dry.output
        assert registry.agreement_ids() == []
        done = runner.invoke(main, ["import-status", csv, "--treaty", treaty], env=env)
        assert done.exit_code == 0 and "recorded 47 events" in done.output
        again = runner.invoke(main, ["import-status", csv, "--treaty", treaty], env=env)
        assert "nothing new to record" in again.output
        bad = tmp_path / "bad.csv"
        bad.write_bytes(HEADER + b"Narnia,22 Apr 2016,\n")
        refused = runner.invoke(main, ["import-status", str(bad), "--treaty", treaty], env=env)
        assert refused.exit_code == 1
        assert "line 2: unknown participant 'Narnia'" in refused.output
        assert "Traceback" not in refused.output
        party = runner.invoke(main, ["party", "AUT", "--json"], env=env)
        assert party.exit_code == 0 and '"consented": "2016-10-05"' in party.output
        wrong = runner.invoke(main, ["party", "AUT", "--sort", "height"], env=env)
        assert wrong.exit_code == 2 and "--sort: Must be one of: reference" in wrong.output


class TestOnSQLite(OnSQLite, StatusImportScenario):
    pass


@pytest.mark.postgres
class TestOnPostgres(OnPostgres, StatusImportScenario):
    pass
