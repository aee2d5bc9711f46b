"""An import file whose payload text breaks the character rule (finding 3) is refused, naming its
line, on SQLite and PostgreSQL: a SQLite store once holding NUL could not move to PostgreSQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import rfc8785

from registry.store.application import Registry
from registry.store.bulk.archive import TransferError, export_lines, import_lines
from registry.store.events.verification import count_events
from registry.store.settings import Settings
from tests.integration.helpers import draft_transit_agreement, open_registry
from tests.integration.test_transfer import same_home_other_database


@pytest.fixture
def source(sqlite_settings: Settings) -> Iterator[Registry]:
    with open_registry(sqlite_settings) as registry:
        draft_transit_agreement(registry)
        yield registry


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def with_title(line: bytes, title: str) -> bytes:
    """The line with the payload's English title replaced (JSON escapes, as JCS would write)."""
    envelope = json.loads(line)
    payload = json.loads(base64.b64decode(envelope["payload"]))
    payload["data"]["titles"]["en"] = title
    try:
        raw = rfc8785.dumps(payload)
    except rfc8785.CanonicalizationError:  # a lone surrogate: JSON's escape, as a writer might
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    envelope["payload"] = base64.b64encode(raw).decode()
    return json.dumps(envelope, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.parametrize("title", ["Transit\x00Trade", "Transit\ud800Trade", "Transit\x1bTrade"])
def test_an_envelope_with_such_text_is_refused_with_its_line_named(
    source: Registry, target_url: str, title: str
) -> None:
    lines = list(export_lines(source))
    number = next(i for i, line in enumerate(lines) if b"payload" in line and _drafted(line))
    lines[number] = with_title(lines[number], title)
    target = Registry(same_home_other_database(source.settings, target_url))
    try:
        with pytest.raises(TransferError) as refused:
            import_lines(target, lines)
        message = str(refused.value)
        assert f"line {number + 1}:" in message
        assert "data.titles.en" in message and "U+" in message
        assert "nothing was imported" in message
        assert count_events(target) == 0
    finally:
        target.close()


def _drafted(line: bytes) -> bool:
    payload = json.loads(base64.b64decode(json.loads(line)["payload"]))
    return payload["type"] == "Drafted"
