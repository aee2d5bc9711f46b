"""API tokens (stored hashed): ordinary rows, not events, so they can be revoked and erased."""

from __future__ import annotations

from registry.store.tables import metadata

__all__ = ["metadata"]
