"""GET /health: is the database reachable and the log signed up to date."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from registry.web.extensions import get_registry

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> ResponseReturnValue:
    try:
        checkpoint = get_registry().checkpoint()
    except Exception as error:
        return jsonify(status="unavailable", error=type(error).__name__), 503
    return jsonify(status="ok", log_size=checkpoint.size if checkpoint else 0)
