"""The errors a user can cause, which every interface reports as a message, not a traceback."""

from __future__ import annotations

from registry.domain.codec import InvalidEventData
from registry.domain.dates import InvalidDate
from registry.domain.errors import DomainError
from registry.ledger.errors import LedgerError
from registry.store.public import (
    FixtureError,
    ImportRefused,
    InvalidPartyQuery,
    KeyStoreError,
    SigningRefused,
    StoreError,
    TamperedEvent,
    TransferError,
)

USER_ERRORS: tuple[type[BaseException], ...] = (
    DomainError,
    InvalidEventData,
    InvalidDate,
    LedgerError,
    StoreError,
    FixtureError,
    ImportRefused,
    InvalidPartyQuery,
    KeyStoreError,
    SigningRefused,
    TamperedEvent,
    TransferError,
)
