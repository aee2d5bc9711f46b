"""The seed fixtures (fixtures/*.json) load into a fresh registry, use every event type of the
catalogue, verify, and say what the seed says: checked through the store and through the CLI.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from registry.cli import main
from registry.domain.events import AGREEMENT_EVENTS
from registry.domain.identity import agreement_id
from registry.domain.values import (
    AgreementKind,
    AgreementStatus,
    ConsentKind,
    LegalCharacter,
    MilestoneStatus,
    PartyStatus,
    SignatureType,
)
from registry.ledger.payload import parse_instant
from registry.store.application import Registry
from registry.store.bulk.fixtures import load_steps, read_steps
from registry.store.events.verification import verify_store
from tests.conftest import REPO, settings_for
from tests.integration.helpers import open_registry

FIXTURES = sorted((REPO / "fixtures").glob("*.json"))
DECLARATION = "PK-KZ-2026-001"
TREATY = "TETC-2022"
PROTOCOL = "TETC-2022-P1"
ND, B = LegalCharacter.NON_BINDING, LegalCharacter.BINDING

# reference: (kind, character, status as currently known, with no date cut-off)
AGREEMENTS = {
    "PK-KZ-2026-001": (AgreementKind.JOINT_DECLARATION, ND, AgreementStatus.IN_EFFECT),
    "PK-KZ-2026-002": (AgreementKind.MEMORANDUM_OF_UNDERSTANDING, ND, AgreementStatus.IN_EFFECT),
    "PK-KZ-2026-003": (AgreementKind.ROADMAP, ND, AgreementStatus.IN_EFFECT),
    "PK-KZ-2026-004": (AgreementKind.AGREEMENT, B, AgreementStatus.ADOPTED),
    "PK-KZ-2026-005": (AgreementKind.FRAMEWORK, ND, AgreementStatus.DRAFT),
    "PK-KZ-2023-001": (AgreementKind.AGREEMENT, B, AgreementStatus.TERMINATED),
    "PK-KZ-2023-002": (AgreementKind.AGREEMENT, B, AgreementStatus.EXPIRED),
    "PK-KZ-2021-001": (AgreementKind.AGREEMENT, B, AgreementStatus.IN_FORCE),
    TREATY: (AgreementKind.CONVENTION, B, AgreementStatus.IN_FORCE),
    PROTOCOL: (AgreementKind.PROTOCOL, B, AgreementStatus.SIGNED),
}
# Worked examples beside the seed (fixtures/examples/), loaded on their own.
EXAMPLES = sorted((REPO / "fixtures" / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    settings = settings_for(tmp_path_factory.mktemp("fixtures") / "instance")
    with open_registry(settings) as registry:
        for path in FIXTURES:
            load_steps(registry, read_steps(path), where=str(path))
        yield registry


def recorded_types(registry: Registry, ref: str) -> list[str]:
    return [opened.payload.type for opened in registry.opened_events(ref)]


def just_before_first_correction(registry: Registry, ref: str) -> datetime:
    corrections = [
        opened.payload
        for opened in registry.opened_events(ref)
        if opened.payload.type == "EventCorrected"
    ]
    assert corrections, f"{ref} has no correction"
    return parse_instant(corrections[0].recorded) - timedelta(microseconds=1)


def test_the_fixtures_are_the_expected_files():
    assert [path.name for path in FIXTURES] == [
        "multilateral-treaty.json",
        "pakistan-kazakhstan-2026.json",
        "pakistan-kazakhstan-earlier.json",
    ]


def test_every_event_type_of_the_catalogue_is_recorded(registry: Registry):
    seen = {kind for ref in registry.agreement_ids() for kind in recorded_types(registry, ref)}
    missing = {cls.__name__ for cls in AGREEMENT_EVENTS} - seen
    assert not missing


def test_the_whole_store_verifies(registry: Registry):
    report = verify_store(registry)
    assert report.ok, report.problems
    assert report.agreements == len(AGREEMENTS)


def test_each_agreement_has_its_kind_character_and_status(registry: Registry):
    found = {
        state.reference: (state.kind, state.character, state.status)
        for state in registry.list_states()
    }
    assert found == AGREEMENTS


def test_every_agreement_has_an_english_title_and_the_seed_has_urdu_and_kazakh(
    registry: Registry,
):
    for state in registry.list_states():
        assert state.titles["en"]
        assert re.search(r"[\u0600-\u06ff]", state.titles["ur"]), state.reference  # Arabic script
        assert re.search(r"[әғқңөұүһі]", state.titles["kk"].lower()), state.reference  # Kazakh
        assert re.search(r"[а-яё]", state.titles["ru"].lower()), state.reference  # Cyrillic


def test_the_joint_declaration_was_signed_on_the_3rd_as_corrected_and_the_4th_before(
    registry: Registry,
):
    now = registry.state(DECLARATION)
    assert {row.code: str(row.signed) for row in now.parties} == {
        "PAK": "2026-02-03",
        "KAZ": "2026-02-03",
    }
    assert [row.corrected_type for row in now.corrections] == ["Signed", "Signed"]
    assert all(row.reason for row in now.corrections)

    before = just_before_first_correction(registry, DECLARATION)
    then = registry.state(DECLARATION, known_at=before)
    assert {row.code: str(row.signed) for row in then.parties} == {
        "PAK": "2026-02-04",
        "KAZ": "2026-02-04",
    }
    assert not then.corrections

    # On 3 February it was in effect, though a report printed before the correction said not.
    assert registry.state(DECLARATION, as_of=date(2026, 2, 3)).status is AgreementStatus.IN_EFFECT
    old_view = registry.state(DECLARATION, as_of=date(2026, 2, 3), known_at=before)
    assert old_view.status is AgreementStatus.DRAFT


def test_the_mou_binds_no_one_and_its_date_is_only_known_to_the_month(registry: Registry):
    mou = registry.state("PK-KZ-2026-002")
    assert {row.type.value for row in mou.parties} == {"institute"}
    assert {(str(row.signed), row.signed.precision.value) for row in mou.parties} == {
        ("2026-02", "month")
    }


def test_milestones_use_every_status(registry: Registry):
    used = {
        MilestoneStatus(opened.payload.data["status"])
        for ref in registry.agreement_ids()
        for opened in registry.opened_events(ref)
        if opened.payload.type in ("MilestoneRecorded", "MilestoneStatusChanged")
    }
    assert used == set(MilestoneStatus)
    statuses = {
        row.milestone: row.status
        for ref in registry.agreement_ids()
        for row in registry.state(ref).milestones
    }
    roadmap = registry.state("PK-KZ-2026-003")
    assert roadmap.milestone("visa-facilitation").status is MilestoneStatus.ACHIEVED
    declaration = registry.state(DECLARATION)
    railway = declaration.milestone("trans-afghan-railway")
    assert railway is not None and str(railway.due) == "2030"
    # The first Strategic Dialogue round was missed in July 2026, then taken up again.
    july = registry.state(DECLARATION, as_of=date(2026, 8, 1)).milestone("strategic-dialogue-1")
    assert july is not None and july.status is MilestoneStatus.MISSED
    assert statuses["strategic-dialogue-1"] is MilestoneStatus.IN_PROGRESS


def test_the_transit_trade_agreement_is_still_being_negotiated(registry: Registry):
    transit = registry.state("PK-KZ-2026-004")
    assert len(transit.revisions) == 2
    assert "Multimodal Transport" in transit.titles["en"]
    assert all(row.signed is None for row in transit.parties)


def test_the_multilateral_treaty(registry: Registry):
    treaty = registry.state(TREATY, as_of=date(2026, 11, 1))
    assert treaty.status is AgreementStatus.IN_FORCE
    assert str(treaty.entered_into_force) == "2023-01-04"
    rows = {row.code: row for row in treaty.parties}
    assert list(rows) == ["PAK", "KAZ", "UZB", "TKM", "KGZ", "TJK", "SSD"]
    assert rows["SSD"].consent is ConsentKind.SUCCESSION and rows["SSD"].predecessor == "Sudan"
    assert rows["SSD"].consent.untc_mark == "d" and rows["UZB"].consent.untc_mark == "AA"
    assert [o.reservation for o in rows["KAZ"].objections] == [14]
    assert rows["UZB"].objections[0].opposes_entry_into_force
    assert str(rows["TJK"].reservations[0].withdrawn) == "2025-01-01"
    assert rows["KAZ"].territorial[0].territories == (
        "Khorgos International Centre for Boundary Cooperation",
    )
    assert str(rows["KAZ"].territorial[0].takes_effect) == "2023-07-01"
    assert (treaty.footnotes[0].party, treaty.footnotes[0].mark) == (None, "4")
    assert rows["PAK"].footnotes == ("1",)
    assert treaty.registration is not None and treaty.registration.number == "I-99001"
    assert treaty.authentic_languages == ("en", "ru", "ur", "kk")

    assert rows["PAK"].consent is ConsentKind.RATIFICATION
    assert [r.article for r in rows["PAK"].reservations] == ["28(2)"]
    assert rows["TKM"].consent is None and rows["TKM"].signature_type is SignatureType.DEFINITIVE
    assert rows["TKM"].status is PartyStatus.IN_FORCE and rows["TKM"].declarations
    assert [s.signature_type for s in rows["UZB"].signatures] == [
        SignatureType.AD_REFERENDUM,
        SignatureType.SIMPLE,
    ]
    assert rows["UZB"].consent is ConsentKind.APPROVAL
    assert rows["KAZ"].provisionally_applied is not None
    assert rows["TJK"].consent is ConsentKind.ACCESSION and str(rows["TJK"].joined) == "2024-03-01"
    # By the clause (third instrument + 30 days; later parties their instrument + 30 days):
    # only the general entry into force is recorded, as the depositary's confirmation.
    assert {code: str(row.in_force) for code, row in rows.items()} == {
        "PAK": "2023-01-04",
        "KAZ": "2023-01-04",
        "UZB": "2023-03-03",
        "TKM": "2023-01-04",
        "KGZ": "2023-05-10",
        "TJK": "2024-03-31",
        "SSD": "2024-08-08",
    }
    assert recorded_types(registry, TREATY).count("EnteredIntoForce") == 1
    assert rows["SSD"].status is PartyStatus.IN_FORCE
    eve = registry.state(TREATY, as_of=date(2024, 8, 7)).party("SSD")
    assert eve is not None and eve.status is PartyStatus.BOUND
    # Uzbekistan's objection opposed entry into force with Tajikistan until the reservation
    # was withdrawn on 1 January 2025 (VCLT arts. 20(4)(b), 22).
    parted = registry.state(TREATY, as_of=date(2024, 6, 1))
    assert {r.code: r.not_in_force_with for r in parted.parties if r.not_in_force_with} == {
        "UZB": ("TJK",),
        "TJK": ("UZB",),
    }
    assert all(not row.not_in_force_with for row in rows.values())
    assert rows["KGZ"].consent is ConsentKind.ACCEPTANCE
    assert rows["KGZ"].status is PartyStatus.WITHDRAWN
    assert str(rows["KGZ"].withdrawal_takes_effect) == "2026-06-30"

    def kyrgyzstan_on(day: date) -> PartyStatus:
        row = registry.state(TREATY, as_of=day).party("KGZ")
        assert row is not None
        return row.status

    assert kyrgyzstan_on(date(2024, 12, 1)) is PartyStatus.SUSPENDED
    assert kyrgyzstan_on(date(2026, 6, 1)) is PartyStatus.IN_FORCE

    assert [row.reference for row in treaty.amendments] == [PROTOCOL]
    protocol = registry.state(PROTOCOL)
    assert protocol.parent == str(agreement_id(TREATY))
    assert treaty.amendments[0].amendment == str(protocol.id)


def test_the_earlier_bilateral_agreements_ended_or_were_renewed(registry: Registry):
    assert str(registry.state("PK-KZ-2023-001").terminated) == "2026-02-04"
    assert str(registry.state("PK-KZ-2023-002").expired) == "2025-12-31"
    renewed = registry.state("PK-KZ-2021-001")
    assert str(renewed.renewed_until) == "2031-06-26"
    interim = registry.state("PK-KZ-2023-001").party("PAK")
    assert interim is not None and interim.consent is ConsentKind.NOTIFICATION


def test_attached_documents_are_pinned_by_the_text_quoted_in_their_titles(registry: Registry):
    documents = [doc for ref in registry.agreement_ids() for doc in registry.state(ref).documents]
    assert len(documents) >= 2
    for document in documents:
        quoted = re.search(r'"(.*)"', document.title)
        assert quoted, document.title
        text = quoted.group(1).encode("utf-8")
        assert (document.sha256, document.size) == (hashlib.sha256(text).hexdigest(), len(text))


def test_the_cli_loads_lists_shows_and_verifies_the_fixtures(tmp_path: Path):
    env = {
        "REGISTRY_HOME": str(tmp_path / "instance"),
        "REGISTRY_KEYS_DIR": str(tmp_path / "published-keys"),
        "REGISTRY_DATABASE_URL": None,
        "REGISTRY_LOG_ORIGIN": "test.registry.example/log",
    }
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output

    run("init")
    loaded = run("load", *(str(path) for path in FIXTURES))
    assert loaded.count("recorded") == len(FIXTURES)

    listed = run("list")
    for reference in AGREEMENTS:
        assert reference in listed

    shown = run("state", DECLARATION, "--as-of", "2026-02-03")
    assert DECLARATION in shown
    assert "in effect" in shown

    verified = run("verify")
    assert "intact" in verified


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    settings = settings_for(tmp_path_factory.mktemp("examples") / "instance")
    with open_registry(settings) as registry:
        for path in EXAMPLES:
            load_steps(registry, read_steps(path), where=str(path))
        yield registry


def test_the_examples_load_and_verify(examples: Registry):
    assert [path.name for path in EXAMPLES] == ["clause-treaty.json"]
    report = verify_store(examples)
    assert report.ok, report.problems


def test_the_clause_treaty_enters_into_force_for_each_party_by_its_clause(examples: Registry):
    """Third instrument (15 January 2025) + 30 days; Türkiye, later, its deposit + 30 days."""
    registry = examples
    state = registry.state("CATR-2024")
    assert str(state.entered_into_force) == "2025-02-14"
    in_force = {row.code: str(row.in_force) if row.in_force else None for row in state.parties}
    assert in_force == {
        "PAK": "2025-02-14",
        "KAZ": "2025-02-14",
        "UZB": "2025-02-14",
        "KGZ": None,
        "TUR": "2025-05-01",
    }
    assert state.withdrawal_notice_months == 12  # from the withdrawal clause
    assert str(state.term_ends) == "2035-02-13"
    on_the_eve = registry.state("CATR-2024", as_of=date(2025, 2, 13))
    assert on_the_eve.status is AgreementStatus.SIGNED
    (listed,) = registry.list_as_of(date(2025, 4, 30), q="МАРШРУТАХ", limit=None).agreements
    assert {p.code: p.status.value for p in listed.parties} == {
        "PAK": "in_force",
        "KAZ": "in_force",
        "UZB": "in_force",
        "KGZ": "signed",
        "TUR": "bound",
    }
