"""An event too long for a log entry (its signed envelope over 65,535 bytes, the most a tile's
uint16 length holds) is refused on the form with a message, and nothing is recorded."""

from __future__ import annotations

from flask.testing import FlaskClient

from registry.store.application import Registry
from tests.web.conftest import Auth, error_summary, post_form


def test_a_draft_too_long_for_the_log_is_refused_on_the_form(
    client: FlaskClient, auth: Auth, registry: Registry
) -> None:
    auth.login("officer")
    before = registry.checkpoint()
    fields: dict[str, object] = {
        "reference": "PK-KZ-2026-953",
        "titles-0-lang": "en",
        "titles-0-text": "Agreement with very many titles",
        "kind": "agreement",
        "character": "binding",
        "parties-0-code": "PAK",
        "parties-0-name": "Pakistan",
        "parties-0-type": "state",
        "parties-1-code": "KAZ",
        "parties-1-name": "Kazakhstan",
        "parties-1-type": "state",
        "effective": "2026-02-05",
    }
    for row in range(1, 60):  # as many rows as a form takes, of 300 four-byte characters
        fields[f"titles-{row}-lang"] = f"x-{row:03}"
        fields[f"titles-{row}-text"] = "\U0001d538" * 300
    response = post_form(client, "/agreements/new", fields)
    assert response.status_code == 422
    summary = error_summary(response.get_data(as_text=True))
    assert "at most 65,535" in summary and "nothing was recorded" in summary
    assert registry.checkpoint() == before
