"""Loader for the published test vectors checked in under ``tests/vectors/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def load_vectors(name: str) -> list[dict[str, Any]]:
    """The ``vectors`` list of ``tests/vectors/<name>.json``."""
    document = json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))
    return document["vectors"]


def load_document(name: str) -> dict[str, Any]:
    """The whole of ``tests/vectors/<name>.json``."""
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def ids(vectors: list[dict[str, Any]], field: str = "name") -> list[str]:
    """Test ids: each vector's own name, so a failure names the published case."""
    return [vector[field] for vector in vectors]
