"""Party names for the filters: "Pakistan (PK)" reads better than a bare code."""

from __future__ import annotations

from registry.store.public import Registry


def party_names(registry: Registry) -> dict[str, str]:
    """{code: name} for every party of a listed agreement."""
    return registry.party_names()
