"""The errors a user can cause, which every interface reports as a message, not a traceback."""

from __future__ import annotations

from registry.domain.codec import InvalidEventData
from registry.domain.dates import InvalidDate
from registry.domain.errors import DomainError
from registry.ledger.errors import LedgerError
from registry.store.errors import StoreError
from registry.store.fixtures import FixtureError
from registry.store.keystore import KeyStoreError
from registry.store.mapper import SigningRefused, TamperedEvent
from registry.store.party_view import InvalidPartyQuery
from registry.store.status_table import ImportRefused
from registry.store.transfer import TransferError

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
