"""Reading through the API: lists with filters and paging, states as of / known at, signed
events with proofs, bundles, keys, and the log a follower mirrors. Every envelope and proof
served is checked here with registry.ledger alone, as another system would."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask

from registry.cli import main
from registry.domain.keyring import Keyring
from registry.ledger import merkle
from registry.ledger.bundle import load_anchors, verify_bundle, verify_record
from registry.ledger.canonical import canonical_json
from registry.ledger.checkpoint import Checkpoint, open_checkpoint
from registry.ledger.trust import Trust
from registry.store.application import Registry
from registry.store.bulk.archive import export_lines
from registry.web.api.listing import encode_cursor
from registry.web.api.schemas import AsOfQuerySchema
from tests.api.conftest import Api, assert_problem
from tests.integration.helpers import draft_transit_agreement, record_signatures_and_ratification

DECLARATION = "PK-KZ-2026-001"
ALL = [
    "PK-KZ-2021-001",
    "PK-KZ-2023-001",
    "PK-KZ-2023-002",
    "PK-KZ-2026-001",
    "PK-KZ-2026-002",
    "PK-KZ-2026-003",
    "PK-KZ-2026-004",
    "PK-KZ-2026-005",
    "TETC-2022",
    "TETC-2022-P1",
]


@pytest.fixture
def seeded(seeded_app: Flask) -> Api:
    return Api(seeded_app.test_client())


@pytest.fixture
def seeded_registry(seeded_app: Flask) -> Registry:
    return seeded_app.extensions["registry"]


def references(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["reference"] for item in response.get_json()["items"]]


def checkpoint_of(registry: Registry, note: str) -> Checkpoint:
    _anchors, verifier = load_anchors(registry.settings.keys_dir)
    return open_checkpoint(note, verifier)


def trust_of(registry: Registry) -> Trust:
    anchors, _verifier = load_anchors(registry.settings.keys_dir)
    return Trust(anchors, [o.payload for o in registry.opened_events(Keyring.ID)])


# The list -----------------------------------------------------------------------------------------


def test_the_list_holds_every_agreement_in_reference_order(seeded: Api) -> None:
    response = seeded.get("/api/v1/agreements", limit=200)
    assert references(response) == ALL
    body = response.get_json()
    assert body["total"] == len(ALL)
    item = next(i for i in body["items"] if i["reference"] == DECLARATION)
    assert item["kind"] == "joint_declaration"
    assert item["status"] == "in_effect"
    assert item["parties"] == [
        {"code": "PAK", "status": "in_effect"},
        {"code": "KAZ", "status": "in_effect"},
    ]
    assert item["title"].startswith("Joint Declaration on Strategic Partnership")
    assert item["url"] == f"/api/v1/agreements/{item['id']}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"kind": "agreement"},
            ["PK-KZ-2021-001", "PK-KZ-2023-001", "PK-KZ-2023-002", "PK-KZ-2026-004"],
        ),
        ({"status": "in_force"}, ["PK-KZ-2021-001", "TETC-2022"]),
        ({"party": "UZB"}, ["TETC-2022", "TETC-2022-P1"]),
        ({"party": "ISSI"}, ["PK-KZ-2026-002"]),
        ({"party": "KAZ", "status": "in_effect"}, ["PK-KZ-2026-001", "PK-KZ-2026-003"]),
        ({"q": "cultural exchanges"}, ["PK-KZ-2023-002"]),
        ({"q": "tetc-2022-p"}, ["TETC-2022-P1"]),
        ({"q": "nothing like this"}, []),
    ],
)
def test_the_list_filters(seeded: Api, query: dict[str, str], expected: list[str]) -> None:
    assert references(seeded.get("/api/v1/agreements", **query)) == expected


def test_the_list_as_of_a_date_says_what_each_agreement_page_says(
    seeded: Api, seeded_registry: Registry
) -> None:
    day = date(2022, 6, 1)
    expected = {ref: seeded_registry.state(ref, as_of=day).status.value for ref in ALL}
    body = seeded.get("/api/v1/agreements", as_of="2022-06-01", limit=200).get_json()
    listed = {i["reference"]: i["status"] for i in body["items"]}
    assert listed == {ref: s for ref, s in expected.items() if s != "not_yet_drafted"}
    assert body["counts"]["not_yet_drafted"] == list(expected.values()).count("not_yet_drafted")
    later = seeded.get("/api/v1/agreements", as_of="2022-06-01", status="not_yet_drafted")
    assert references(later) == [r for r, s in expected.items() if s == "not_yet_drafted"]
    assert "PK-KZ-2026-001" in references(later)
    in_force = seeded.get("/api/v1/agreements", as_of="2022-06-01", status="in_force")
    assert references(in_force) == [r for r, s in expected.items() if s == "in_force"]


def test_the_list_known_at_an_instant_before_anything_was_recorded_is_empty(seeded: Api) -> None:
    assert references(seeded.get("/api/v1/agreements", known_at="2001-01-01")) == []


def test_cursor_paging_walks_every_agreement_once_with_link_headers(seeded: Api) -> None:
    seen: list[str] = []
    url: str | None = "/api/v1/agreements?limit=3&kind=agreement"
    pages = 0
    while url:
        response = seeded.client.get(url)
        seen += references(response)
        body = response.get_json()
        links = response.headers["Link"]
        assert 'rel="first"' in links
        assert (f'<{body["next"]}>; rel="next"' in links) == bool(body["next"])
        url = body["next"]
        pages += 1
    assert seen == ["PK-KZ-2021-001", "PK-KZ-2023-001", "PK-KZ-2023-002", "PK-KZ-2026-004"]
    assert pages == 2


def test_a_cursor_stays_valid_when_agreements_are_added(
    seeded: Api, seeded_registry: Registry
) -> None:
    first = seeded.get("/api/v1/agreements", limit=4).get_json()
    draft_transit_agreement(seeded_registry, "AA-2026-001")  # sorts before every other
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    rest = seeded.get("/api/v1/agreements", cursor=cursor, limit=200)
    assert references(rest) == ALL[4:]


def test_page_paging_gives_prev_and_next(seeded: Api) -> None:
    response = seeded.get("/api/v1/agreements", page=2, limit=3)
    assert references(response) == ALL[3:6]
    body = response.get_json()
    assert "page=3" in body["next"] and "page=1" in body["prev"]
    assert 'rel="prev"' in response.headers["Link"]
    assert references(seeded.get("/api/v1/agreements", page=9, limit=3)) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"kind": "alliance"}, "kind"),
        ({"status": "ratified"}, "status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJhZnRlciI6IDF9", "page": "2"}, "page"),
        ({"as_of": "2026-02-30"}, "as_of"),
        ({"known_at": "yesterday"}, "known_at"),
        ({"known_at": "9999-12-31T23:59:59-14:00"}, "known_at"),
    ],
)
def test_invalid_list_queries_are_400s_naming_the_parameter(
    seeded: Api, query: dict[str, str], field: str
) -> None:
    problem = assert_problem(seeded.get("/api/v1/agreements", **query), 400, "invalid_request")
    assert field in problem["errors"]


# One agreement ------------------------------------------------------------------------------------


def test_the_state_is_the_document_of_the_agreements_page(
    seeded: Api, seeded_registry: Registry
) -> None:
    response = seeded.get(f"/api/v1/agreements/{DECLARATION}")
    assert response.status_code == 200
    assert response.get_json() == seeded_registry.state(DECLARATION).to_dict()
    by_id = seeded.get(f"/api/v1/agreements/{seeded_registry.resolve(DECLARATION)}")
    assert by_id.get_json() == response.get_json()


@pytest.mark.parametrize(
    "query", [{"as_of": "2026-02-04"}, {"as_of": "2025-01-01"}, {"known_at": "2100-01-01"}]
)
def test_the_state_as_of_and_known_at(
    seeded: Api, seeded_registry: Registry, query: dict[str, str]
) -> None:
    loaded = AsOfQuerySchema().load(query)
    expected = seeded_registry.state(DECLARATION, **loaded).to_dict()
    assert seeded.get(f"/api/v1/agreements/{DECLARATION}", **query).get_json() == expected


def test_the_states_etag_is_the_version_and_if_none_match_gives_304(
    seeded: Api, seeded_registry: Registry
) -> None:
    version = seeded_registry.agreement(DECLARATION).version
    response = seeded.get(f"/api/v1/agreements/{DECLARATION}")
    assert response.headers["ETag"] == f'"{version}"'
    assert response.headers["Cache-Control"] == "public, no-cache"
    again = seeded.get(f"/api/v1/agreements/{DECLARATION}", {"If-None-Match": f'"{version}"'})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == f'"{version}"'


def test_a_kept_state_document_is_not_served_once_the_agreement_moved_on(
    seeded: Api, seeded_registry: Registry
) -> None:
    draft_transit_agreement(seeded_registry, "PK-KZ-2026-991")
    path = "/api/v1/agreements/PK-KZ-2026-991"
    first = seeded.get(path)
    assert seeded.get(path).get_data() == first.get_data()  # the kept bytes
    record_signatures_and_ratification(seeded_registry, "PK-KZ-2026-991")
    after = seeded.get(path)
    assert after.headers["ETag"] == '"4"' != first.headers["ETag"]
    assert after.get_json() == seeded_registry.state("PK-KZ-2026-991").to_dict()
    assert after.get_json() != first.get_json()


def test_an_unknown_agreement_is_a_404(seeded: Api) -> None:
    for path in ("XX-1", "XX-1/events", "XX-1/bundle", str(Keyring.ID), f"{Keyring.ID}/events"):
        assert_problem(seeded.get(f"/api/v1/agreements/{path}"), 404, "agreement_not_found")


def test_an_agreement_known_at_an_instant_before_its_drafting_is_a_404(seeded: Api) -> None:
    response = seeded.get(f"/api/v1/agreements/{DECLARATION}", known_at="2001-01-01")
    assert_problem(response, 404, "not_yet_recorded")


# Signed events with proofs, bundles ---------------------------------------------------------------


def test_every_event_comes_with_an_inclusion_proof_against_one_signed_checkpoint(
    seeded: Api, seeded_registry: Registry
) -> None:
    body = seeded.get(f"/api/v1/agreements/{DECLARATION}/events").get_json()
    checkpoint = checkpoint_of(seeded_registry, body["checkpoint"])
    assert body["size"] == checkpoint.size
    assert body["reference"] == DECLARATION
    trust = trust_of(seeded_registry)
    versions = []
    for record in body["events"]:
        assert record["checkpoint"] == body["checkpoint"]
        assert verify_record(record, trust, checkpoint) == []
        payload = json.loads(base64.b64decode(record["envelope"]["payload"]))
        versions.append(payload["version"])
    assert versions == list(range(1, seeded_registry.agreement(DECLARATION).version + 1))
    assert body["version"] == versions[-1]


def test_a_record_with_a_changed_byte_fails_verification(
    seeded: Api, seeded_registry: Registry
) -> None:
    body = seeded.get(f"/api/v1/agreements/{DECLARATION}/events").get_json()
    record = body["events"][1]
    record["index"] = body["events"][0]["index"]
    problems = verify_record(
        record, trust_of(seeded_registry), checkpoint_of(seeded_registry, body["checkpoint"])
    )
    assert problems


def test_a_bundle_from_the_api_verifies_with_the_keyring_only(
    seeded: Api, seeded_registry: Registry, tmp_path: Path
) -> None:
    bundle = seeded.get(f"/api/v1/agreements/{DECLARATION}/bundle").get_json()
    anchors, verifier = load_anchors(seeded_registry.settings.keys_dir)
    report = verify_bundle(bundle, anchors, verifier)
    assert report.ok, report.problems
    assert report.events == seeded_registry.agreement(DECLARATION).version
    path = tmp_path / "declaration.bundle.json"
    path.write_text(json.dumps(bundle))
    keys = str(seeded_registry.settings.keys_dir)
    result = CliRunner().invoke(main, ["verify-bundle", str(path), "--keys", keys])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output

    bundle["events"][-1]["envelope"]["signatures"][0]["sig"] = bundle["events"][0]["envelope"][
        "signatures"
    ][0]["sig"]
    path.write_text(json.dumps(bundle))
    result = CliRunner().invoke(main, ["verify-bundle", str(path), "--keys", keys])
    assert result.exit_code == 1
    assert "signature does not verify" in result.output


# Keys and the log ---------------------------------------------------------------------------------


def test_keys_are_the_published_anchors_the_log_key_and_officer_windows(
    seeded: Api, seeded_registry: Registry
) -> None:
    body = seeded.get("/api/v1/keys").get_json()
    keys_dir = seeded_registry.settings.keys_dir
    assert body["anchors"] == json.loads((keys_dir / "keyring.json").read_text())
    assert body["log_vkey"] == (keys_dir / "log.vkey").read_text().strip()
    assert body["origin"] == seeded_registry.settings.log_origin
    officers = {k["officer"]: k for k in body["officer_keys"]}
    assert set(officers) >= {"officer.islamabad", "officer.astana", "officer.depositary"}
    assert officers["officer.islamabad"]["valid_until"] is None
    assert body["keyring_version"] == len(seeded_registry.opened_events(Keyring.ID))


def test_the_checkpoint_is_a_signed_note_in_text(seeded: Api, seeded_registry: Registry) -> None:
    response = seeded.get("/api/v1/log/checkpoint")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    checkpoint = checkpoint_of(seeded_registry, response.get_data(as_text=True))
    assert checkpoint.size == len(list(export_lines(seeded_registry))) - 1  # the trailer
    assert response.headers["Cache-Control"] == "public, no-cache"
    etag = response.headers["ETag"]
    assert seeded.get("/api/v1/log/checkpoint", {"If-None-Match": etag}).status_code == 304


def test_every_archived_checkpoint_is_served_by_size_and_never_changes(
    seeded: Api, seeded_registry: Registry
) -> None:
    response = seeded.get("/api/v1/log/checkpoint", size=5)
    assert checkpoint_of(seeded_registry, response.get_data(as_text=True)).size == 5
    assert "immutable" in response.headers["Cache-Control"]
    assert_problem(seeded.get("/api/v1/log/checkpoint", size=10**9), 404, "checkpoint_not_found")


def test_log_entries_are_the_envelopes_in_leaf_order(
    seeded: Api, seeded_registry: Registry
) -> None:
    lines = list(export_lines(seeded_registry))[:-1]  # without the trailer
    body = seeded.get("/api/v1/log/entries", start=0, limit=1000).get_json()
    assert [canonical_json(e["envelope"]) for e in body["entries"]] == lines
    assert [e["index"] for e in body["entries"]] == list(range(len(lines)))
    assert body["next"] is None


def test_a_full_page_of_entries_is_immutable_and_links_to_the_next(seeded: Api) -> None:
    response = seeded.get("/api/v1/log/entries", start=2, limit=3)
    body = response.get_json()
    assert [e["index"] for e in body["entries"]] == [2, 3, 4]
    assert body["next"] == "/api/v1/log/entries?start=5&limit=3"
    assert response.headers["Link"] == '</api/v1/log/entries?start=5&limit=3>; rel="next"'
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    tail = seeded.get("/api/v1/log/entries", start=90, limit=1000)
    assert tail.headers["Cache-Control"] == "public, no-cache"
    assert tail.get_json()["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "10"}, "start"),
        ({"start": "-1"}, "start"),
        ({"start": "0", "limit": "1001"}, "limit"),
        ({"start": "100000"}, "start"),
    ],
)
def test_invalid_entry_queries_are_400s(seeded: Api, query: dict[str, str], field: str) -> None:
    problem = assert_problem(seeded.get("/api/v1/log/entries", **query), 400, "invalid_request")
    assert field in problem["errors"]


def test_inclusion_proofs_verify_against_the_checkpoints_root(
    seeded: Api, seeded_registry: Registry
) -> None:
    lines = list(export_lines(seeded_registry))[:-1]  # without the trailer
    size = len(lines)
    for index in (0, 7, size - 1):
        response = seeded.get("/api/v1/log/proof/inclusion", index=index)
        body = response.get_json()
        assert body["size"] == size
        checkpoint = checkpoint_of(seeded_registry, body["checkpoint"])
        hashes = [base64.b64decode(h) for h in body["hashes"]]
        merkle.verify_inclusion(
            merkle.leaf_hash(lines[index]), index, size, hashes, checkpoint.root_hash
        )
        assert "immutable" in response.headers["Cache-Control"]
    older = seeded.get("/api/v1/log/proof/inclusion", index=3, size=10).get_json()
    root = checkpoint_of(seeded_registry, older["checkpoint"]).root_hash
    merkle.verify_inclusion(
        merkle.leaf_hash(lines[3]), 3, 10, [base64.b64decode(h) for h in older["hashes"]], root
    )


def test_consistency_proofs_verify_between_checkpoints(
    seeded: Api, seeded_registry: Registry
) -> None:
    old = checkpoint_of(
        seeded_registry, seeded.get("/api/v1/log/checkpoint", size=6).get_data(as_text=True)
    )
    body = seeded.get("/api/v1/log/proof/consistency", first=6).get_json()
    new = checkpoint_of(seeded_registry, body["checkpoint"])
    hashes = [base64.b64decode(h) for h in body["hashes"]]
    merkle.verify_consistency(6, new.size, old.root_hash, new.root_hash, hashes)
    with pytest.raises(merkle.ProofError):
        merkle.verify_consistency(6, new.size, new.root_hash, new.root_hash, hashes)


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("inclusion", {"index": "50", "size": "50"}, "index"),
        ("inclusion", {"index": "0", "size": "100000"}, "size"),
        ("inclusion", {}, "index"),
        ("consistency", {"first": "9", "second": "8"}, "first"),
        ("consistency", {"first": "0"}, "first"),
        ("consistency", {"first": "1", "second": "100000"}, "second"),
    ],
)
def test_impossible_proofs_are_400s(
    seeded: Api, path: str, query: dict[str, str], field: str
) -> None:
    problem = assert_problem(seeded.get(f"/api/v1/log/proof/{path}", **query), 400)
    assert field in problem["errors"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agreements?kind=treaty",
        f"/api/v1/agreements/{DECLARATION}/events",
        f"/api/v1/agreements/{DECLARATION}/bundle",
        "/api/v1/keys",
        "/api/v1/log/entries?start=0&limit=5",
        "/api/v1/log/proof/consistency?first=3&second=9",
    ],
)
def test_every_read_has_an_etag_and_answers_304_when_unchanged(seeded: Api, path: str) -> None:
    response = seeded.client.get(path)
    assert response.status_code == 200
    etag = response.headers["ETag"]
    again = seeded.client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert seeded.client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_a_recorded_event_changes_the_lists_etag(seeded: Api, seeded_registry: Registry) -> None:
    etag = seeded.get("/api/v1/agreements").headers["ETag"]
    draft_transit_agreement(seeded_registry, "PK-KZ-2026-990")
    response = seeded.get("/api/v1/agreements", {"If-None-Match": etag})
    assert response.status_code == 200


def test_an_invalid_state_query_is_a_400(seeded: Api) -> None:
    problem = assert_problem(
        seeded.get(f"/api/v1/agreements/{DECLARATION}", as_of="soon"), 400, "invalid_request"
    )
    assert "as_of" in problem["errors"]


def test_a_cursor_survives_many_agreements_added_before_it(
    seeded: Api, seeded_registry: Registry
) -> None:
    first = seeded.get("/api/v1/agreements", limit=6).get_json()
    for number in range(60):  # more than the cursor's window: the whole list is read instead
        draft_transit_agreement(seeded_registry, f"AA-2026-{number:03}")
    cursor = parse_qs(urlsplit(first["next"]).query)["cursor"][0]
    assert references(seeded.get("/api/v1/agreements", cursor=cursor, limit=200)) == ALL[6:]


def test_a_forged_cursor_is_a_400(seeded: Api) -> None:
    forged = encode_cursor("PK", 2**40)
    problem = assert_problem(seeded.get("/api/v1/agreements", cursor=forged), 400)
    assert "cursor" in problem["errors"]
