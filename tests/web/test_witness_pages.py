"""Witnesses seen by people: their state on the admin and audit pages, and the auditor's
verification of the latest checkpoint against a pasted witness policy."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from registry.ledger.cosignature import CosignatureSigner
from registry.store.application import Registry
from registry.store.events.cosigning import add_witness, cosignatures, witnesses
from tests.web.conftest import Auth, post_form

ASTANA = CosignatureSigner("astana.example/witness", Ed25519PrivateKey.generate())


def cosign_latest(registry: Registry) -> None:
    """Store ASTANA's cosignature of the latest checkpoint, as a cosign round would."""
    latest = registry.checkpoint()
    assert latest is not None
    line = ASTANA.cosign(latest.note.split("\n\n")[0] + "\n", 1_770_000_000).line()
    with registry.transaction(commit=True) as session:
        session.execute(
            cosignatures.insert(),
            {"size": latest.size, "witness": "astana", "line": line, "timestamp": 1_770_000_000},
        )
        session.execute(
            update(witnesses).values(last_error="HTTP 503 from astana", last_error_at="then")
        )


def test_admins_and_auditors_see_each_witness_state(
    app: Flask, client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    add_witness(registry, "astana", "https://astana.example/witness", ASTANA.verifier().vkey)
    cosign_latest(registry)
    auth.login("admin")
    page = client.get("/admin/keys").get_data(as_text=True)
    assert "astana.example/witness" in page and "HTTP 503 from astana" in page
    page = client.get("/audit/verify").get_data(as_text=True)
    assert ASTANA.verifier().vkey in page and "HTTP 503 from astana" in page


def test_the_auditor_checks_the_checkpoint_against_a_witness_policy(
    client: FlaskClient, auth: Auth, registry: Registry, agreement: str
) -> None:
    add_witness(registry, "astana", "https://astana.example/witness", ASTANA.verifier().vkey)
    other = CosignatureSigner("almaty.example/witness", Ed25519PrivateKey.generate())
    auth.login("auditor")
    met = f"witness astana {ASTANA.verifier().vkey}\nquorum astana\n"
    response = post_form(client, "/audit/verify", {"policy": met})
    assert "The witness policy is NOT met" in response.get_data(as_text=True)
    assert "missing: astana" in response.get_data(as_text=True)
    cosign_latest(registry)
    response = post_form(client, "/audit/verify", {"policy": met})
    assert response.status_code == 200
    assert "The witness policy is met" in response.get_data(as_text=True)
    two = f"witness a {ASTANA.verifier().vkey}\nwitness b {other.verifier().vkey}\n"
    response = post_form(client, "/audit/verify", {"policy": two + "group g all a b\nquorum g\n"})
    assert "missing: b" in response.get_data(as_text=True)
    response = post_form(client, "/audit/verify", {"policy": "quorum nobody\n"})
    assert response.status_code == 400
    assert "quorum &#39;nobody&#39; is not defined above" in response.get_data(as_text=True)


def test_an_archived_checkpoint_is_immutable_only_while_no_witness_can_add_to_it(
    client: FlaskClient, registry: Registry, agreement: str
) -> None:
    size = registry.checkpoint().size  # type: ignore[union-attr]
    response = client.get(f"/api/v1/log/checkpoint?size={size}")
    assert "immutable" in response.headers["Cache-Control"]
    add_witness(registry, "astana", "https://astana.example/witness", ASTANA.verifier().vkey)
    cosign_latest(registry)
    response = client.get(f"/api/v1/log/checkpoint?size={size}")
    assert "immutable" not in response.headers["Cache-Control"]
    assert "\u2014 astana.example/witness " in response.get_data(as_text=True)
