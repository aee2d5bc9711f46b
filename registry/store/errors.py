"""Errors the store raises, translated from library errors (STYLE.md: `from None`)."""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError


class StoreError(Exception):
    """Base of the store's own errors."""


class AgreementNotFound(StoreError):
    def __init__(self, ref: object) -> None:
        super().__init__(f"no agreement with id or reference {ref!s}")
        self.ref = ref


class VersionConflict(StoreError, IntegrityError):
    """Another writer recorded the same version of this agreement first; nothing was stored."""


class NotInitialised(StoreError):
    """The instance folder or database has not been set up."""


class EnvelopeTooLarge(StoreError):
    """A signed envelope longer than a log entry may be (a uint16 length: C2SP tlog-tiles)."""
