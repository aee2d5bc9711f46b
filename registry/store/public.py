"""The store as its entry points see it: the application (`Registry`) and the few use cases,
types and errors the web app, the CLI, the mirror and the presenters name.

Entry points import from here and nowhere else in `registry.store` (tests/unit/
test_entry_points.py holds them to it), so the store's folders (events, reads, accounts,
bulk) can change shape behind this one module.
"""

from __future__ import annotations

from registry.store.accounts.admin_trail import AdminAction, AdminTrail
from registry.store.accounts.backup import export_accounts, import_accounts
from registry.store.accounts.sessions import WebSessions
from registry.store.accounts.tokens import (
    COMMAND_LINE,
    IDEMPOTENCY_KEY_MAX,
    ApiToken,
    ApiTokens,
    Scope,
    StoredResponse,
    TokenError,
    find_response,
    remember_response,
)
from registry.store.accounts.users import (
    Account,
    AccountError,
    Accounts,
    Role,
    UnknownUser,
    set_user_language,
    user_language,
)
from registry.store.application import Recorded, Registry
from registry.store.bulk.archive import export_lines, import_path, rebuild_all_views, write_export
from registry.store.bulk.chunks import (
    CHUNK,
    VerifiedEvent,
    append_verified,
    locked_log,
    project_verified,
)
from registry.store.bulk.fixtures import load_script, read_steps
from registry.store.bulk.status_import import import_status
from registry.store.bulk.status_table import ImportRefused
from registry.store.errors import AgreementNotFound, EnvelopeTooLarge, StoreError, VersionConflict
from registry.store.events.cosigning import (
    add_witness,
    cosign,
    remove_witness,
    witness_states,
)
from registry.store.events.datastore import write_intent
from registry.store.events.documents import DocumentError, DocumentStore
from registry.store.events.keystore import KeyStoreError
from registry.store.events.log import (
    CheckpointMismatch,
    IssuedCheckpoint,
    SqlNodeReader,
    entries,
    note_verifier,
)
from registry.store.events.mapper import (
    OpenedEvent,
    SigningRefused,
    TamperedEvent,
    event_from_payload,
)
from registry.store.events.proofs import (
    NoCheckpoint,
    agreement_bundle,
    agreement_events,
    recorded_document,
)
from registry.store.events.recorder import Projection, SealedEvent
from registry.store.events.tiles import TileNotFound
from registry.store.events.unfinished import ViewsIncomplete
from registry.store.events.verification import count_events, verify_store
from registry.store.events.verify_log import edge_keys
from registry.store.events.witness import (
    add_checkpoint,
    add_log,
    remove_log,
    witness_signer,
    witnessed,
)
from registry.store.log_reads import (
    bundle_leaves,
    checkpoint_of_size,
    consistency_proof,
    cosigned_checkpoint_of_size,
    hash_tile,
    held_nodes,
    inclusion_proof,
    last_envelopes,
    latest_cosigned,
    log_entries,
    served_origin_problem,
    with_cosignatures,
)
from registry.store.reads.audit import TooManyAgreements
from registry.store.reads.audit import compare as compare_views
from registry.store.reads.audit import deadlines as upcoming_deadlines
from registry.store.reads.audit import export as export_audit
from registry.store.reads.audit_document import _cell as spreadsheet_cell
from registry.store.reads.audit_document import report_csv, verify_report
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
    parse_filters,
)
from registry.store.reads.listed import AgreementPage, ListedAgreement
from registry.store.reads.party_view import InvalidPartyQuery, party_agreements, to_csv
from registry.store.reads.projection import Heads
from registry.store.reads.snapshots import Snapshot
from registry.store.settings import Settings
from registry.store.setup import initialise

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
    "Heads",
    "ImportRefused",
    "InvalidPartyQuery",
    "IssuedCheckpoint",
    "KeyStoreError",
    "ListedAgreement",
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
    "SqlNodeReader",
    "StoreError",
    "StoredResponse",
    "TamperedEvent",
    "TileNotFound",
    "TokenError",
    "TooManyAgreements",
    "UnknownUser",
    "VerifiedEvent",
    "VersionConflict",
    "View",
    "ViewsIncomplete",
    "WebSessions",
    "add_checkpoint",
    "add_log",
    "add_witness",
    "agreement_bundle",
    "agreement_events",
    "append_verified",
    "bundle_leaves",
    "checkpoint_of_size",
    "compare_views",
    "consistency_proof",
    "cosign",
    "cosigned_checkpoint_of_size",
    "count_events",
    "edge_keys",
    "entries",
    "event_from_payload",
    "export_accounts",
    "export_audit",
    "export_lines",
    "find_response",
    "hash_tile",
    "held_nodes",
    "import_accounts",
    "import_path",
    "import_status",
    "inclusion_proof",
    "initialise",
    "last_envelopes",
    "latest_cosigned",
    "load_script",
    "locked_log",
    "log_entries",
    "note_verifier",
    "parse_filters",
    "party_agreements",
    "project_verified",
    "read_steps",
    "rebuild_all_views",
    "recorded_document",
    "remember_response",
    "remove_log",
    "remove_witness",
    "report_csv",
    "served_origin_problem",
    "set_user_language",
    "spreadsheet_cell",
    "to_csv",
    "upcoming_deadlines",
    "user_language",
    "verify_report",
    "verify_store",
    "with_cosignatures",
    "witness_signer",
    "witness_states",
    "witnessed",
    "write_export",
    "write_intent",
]
