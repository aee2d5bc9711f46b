"""The store as its entry points see it: the application (`Registry`), the types and constants
they name, and the errors they report.

Entry points import from here and nowhere else in `registry.store` (tests/unit/
test_entry_points.py holds them to it), so the store's folders (events, reads, accounts,
bulk) can change shape behind this one module. A use case is one call on the application
(registry/store/use_cases.py), so no use-case function is exported here, but for the few the
mirror still calls on a session or the registry itself (registry/mirror.py, mirror_tiles.py).
"""

from __future__ import annotations

from registry.store.accounts.admin_trail import AdminAction, AdminTrail
from registry.store.accounts.sessions import WebSessions
from registry.store.accounts.tokens import (
    COMMAND_LINE,
    IDEMPOTENCY_KEY_MAX,
    ApiToken,
    ApiTokens,
    Scope,
    StoredResponse,
    TokenError,
)
from registry.store.accounts.users import Account, AccountError, Accounts, Role, UnknownUser
from registry.store.application import Recorded, Registry
from registry.store.bulk.chunks import CHUNK
from registry.store.bulk.fixtures import FixtureError
from registry.store.bulk.mirroring import MirrorStore
from registry.store.bulk.status_table import ImportRefused
from registry.store.bulk.transfer import TransferError
from registry.store.errors import AgreementNotFound, EnvelopeTooLarge, StoreError, VersionConflict
from registry.store.events.documents import DocumentError, DocumentStore
from registry.store.events.keystore import KeyStoreError
from registry.store.events.log import CheckpointMismatch, IssuedCheckpoint
from registry.store.events.mapper import (
    OpenedEvent,
    SigningRefused,
    TamperedEvent,
    event_from_payload,
)
from registry.store.events.proofs import NoCheckpoint
from registry.store.events.recorder import Projection, SealedEvent
from registry.store.events.tiles import TileNotFound
from registry.store.events.unfinished import ViewsIncomplete
from registry.store.reads.audit import TooManyAgreements
from registry.store.reads.audit_report import AuditQuery, AuditReport, ReportError, View
from registry.store.reads.filters import (
    AS_OF_SORTS,
    CURRENT_SORTS,
    DATED,
    MAX_LIMIT,
    PARTY_SORTS,
    Filters,
    FiltersSchema,
    PartyFiltersSchema,
)
from registry.store.reads.listed import AgreementPage, ListedAgreement
from registry.store.reads.party_view import InvalidPartyQuery
from registry.store.reads.snapshots import Snapshot
from registry.store.settings import Settings

__all__ = [
    "AS_OF_SORTS",
    "CHUNK",
    "COMMAND_LINE",
    "CURRENT_SORTS",
    "DATED",
    "IDEMPOTENCY_KEY_MAX",
    "MAX_LIMIT",
    "PARTY_SORTS",
    "Account",
    "AccountError",
    "Accounts",
    "AdminAction",
    "AdminTrail",
    "AgreementNotFound",
    "AgreementPage",
    "ApiToken",
    "ApiTokens",
    "AuditQuery",
    "AuditReport",
    "CheckpointMismatch",
    "DocumentError",
    "DocumentStore",
    "EnvelopeTooLarge",
    "Filters",
    "FiltersSchema",
    "FixtureError",
    "ImportRefused",
    "InvalidPartyQuery",
    "IssuedCheckpoint",
    "KeyStoreError",
    "ListedAgreement",
    "MirrorStore",
    "NoCheckpoint",
    "OpenedEvent",
    "PartyFiltersSchema",
    "Projection",
    "Recorded",
    "Registry",
    "ReportError",
    "Role",
    "Scope",
    "SealedEvent",
    "Settings",
    "SigningRefused",
    "Snapshot",
    "StoreError",
    "StoredResponse",
    "TamperedEvent",
    "TileNotFound",
    "TokenError",
    "TooManyAgreements",
    "TransferError",
    "UnknownUser",
    "VersionConflict",
    "View",
    "ViewsIncomplete",
    "WebSessions",
    "event_from_payload",
]
