"""The web application: officers' forms, auditors' pages and the JSON API, on one registry."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from registry.store.public import Settings

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory; `test_config` may carry REGISTRY_SETTINGS (a Settings)."""
    app = Flask(__name__)
    test_config = dict(test_config or {})
    settings: Settings = test_config.pop("REGISTRY_SETTINGS", None) or Settings.from_env()
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("REGISTRY_SECRET_KEY") or _instance_secret(settings.home),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("REGISTRY_SECURE_COOKIES", "") == "1",
        REGISTRY_SETTINGS=settings,
    )
    app.config.update(test_config)

    from registry.web import extensions

    extensions.init_app(app, settings)

    from registry.web import input_rules

    input_rules.init_app(app)  # JSON, query strings and forms: text every database stores alike

    from registry.web.blueprints import register_blueprints

    register_blueprints(app)

    from registry.cli import main as registry_cli

    app.cli.add_command(registry_cli, "registry")
    return app


def _instance_secret(home: Path) -> str:
    """A per-instance secret for session cookies, created once, readable only by the owner."""
    path = home / "secret_key"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
