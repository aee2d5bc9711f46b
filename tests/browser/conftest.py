"""A real server (werkzeug, threaded) on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from registry.store.settings import Settings
from registry.store.setup import initialise
from registry.web import create_app
from tests.conftest import REPO, settings_for
from tests.integration.helpers import OFFICERS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveServer:
    url: str
    settings: Settings
    app: Any


def _need_browser() -> None:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REGISTRY_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = settings_for(tmp_path / "instance")
    initialise(settings, demo_officers=OFFICERS)
    app = create_app({"REGISTRY_SETTINGS": settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", settings, app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["registry"].close()


@pytest.fixture
def browser() -> Iterator[Any]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
