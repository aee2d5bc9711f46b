"""User accounts (passwords, roles): ordinary rows, not events, so they can change and be erased."""

from __future__ import annotations

from registry.store.tables import metadata

__all__ = ["metadata"]
