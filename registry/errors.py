"""The errors a user can cause, which every interface reports as a message, not a traceback."""

from __future__ import annotations

from registry.domain.codec import InvalidEventData
from registry.domain.dates import InvalidDate
from registry.domain.errors import DomainError
from registry.ledger.errors import LedgerError
from registry.store.bulk.archive import TransferError
from registry.store.bulk.fixtures import FixtureError
from registry.store.bulk.status_table import ImportRefused
from registry.store.errors import StoreError
from registry.store.events.keystore import KeyStoreError
from registry.store.events.mapper import SigningRefused, TamperedEvent
from registry.store.reads.party_view import InvalidPartyQuery

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
