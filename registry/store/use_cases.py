"""The application's use cases: what an entry point asks of the store, one call each.

`Registry` (registry/store/application.py) inherits them, so a view or a command parses its
input, makes one call on the registry and maps the store's errors in one place; it names no
store function (tests/unit/test_entry_points.py holds registry.store.public to that). Each
method hands over to the function that does the work, in the store module that owns it; the
modules are imported when called, since most of them import the application themselves.

The static methods read nothing from the store (they format a result, parse a query or check a
document offline); they are here so that an entry point reaches the store in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from marshmallow import Schema
    from sqlalchemy.orm import Session

    from registry.ledger.bundle import BundleReport
    from registry.ledger.cosignature import CosignatureSigner
    from registry.ledger.keys import Keyring
    from registry.ledger.note import NoteVerifier
    from registry.ledger.policy import Policy
    from registry.ledger.tiles import TileRef
    from registry.store.accounts.tokens import StoredResponse
    from registry.store.bulk.chunks import Loaded
    from registry.store.bulk.importing import Imported
    from registry.store.bulk.mirroring import MirrorStore
    from registry.store.bulk.status_import import Outcome, Progress
    from registry.store.events.cosigning import Transport, WitnessState
    from registry.store.events.log import IssuedCheckpoint
    from registry.store.events.proofs import ProvenEvents
    from registry.store.events.recorder import Projection, SealedEvent
    from registry.store.events.verification import Report
    from registry.store.events.witness import Answer, WitnessedLog
    from registry.store.reads.audit import Upcoming
    from registry.store.reads.audit_report import AuditQuery, AuditReport
    from registry.store.reads.filters import Filters
    from registry.store.reads.party_view import PartyAgreements
    from registry.store.reads.rebuild import Rebuilt
    from registry.store.settings import Settings


class UseCases:
    """The use cases of the registry application (a mixin of `Registry`)."""

    # -- setting up ------------------------------------------------------------------------

    @staticmethod
    def initialise(settings: Settings, demo_officers: tuple[str, ...] = ()) -> list[str]:
        """`registry init`: creates what is missing, never replaces a key; says what it did."""
        from registry.store.setup import initialise

        return initialise(settings, demo_officers)

    def served_origin_problem(self) -> str | None:
        from registry.store.log_reads import served_origin_problem

        return served_origin_problem(self)

    # -- accounts --------------------------------------------------------------------------

    def user_language(self, username: str) -> str | None:
        from registry.store.accounts.users import user_language

        return user_language(self, username)

    def set_user_language(self, username: str, language: str | None) -> None:
        from registry.store.accounts.users import set_user_language

        set_user_language(self, username, language)

    def export_accounts(self, path: Path) -> dict[str, int]:
        from registry.store.accounts.backup import export_accounts

        return export_accounts(self, path)

    def import_accounts(self, path: Path) -> dict[str, int]:
        from registry.store.accounts.backup import import_accounts

        return import_accounts(self, path)

    # -- answers kept under an Idempotency-Key ---------------------------------------------

    def find_response(self, principal: str, key: str) -> StoredResponse | None:
        from registry.store.accounts.tokens import find_response

        return find_response(self, principal, key)

    @staticmethod
    def remember_response(
        principal: str,
        key: str,
        request_sha256: str,
        respond: Callable[[Session, list[SealedEvent]], StoredResponse],
        sent: list[StoredResponse],
    ) -> Projection:
        from registry.store.accounts.tokens import remember_response

        return remember_response(principal, key, request_sha256, respond, sent)

    @staticmethod
    def recorded_document(session: Session, sealed: SealedEvent, url: str) -> dict[str, Any]:
        from registry.store.events.proofs import recorded_document

        return recorded_document(session, sealed, url)

    # -- proofs and the log ----------------------------------------------------------------

    def agreement_bundle(self, ref: str | UUID) -> dict[str, Any]:
        from registry.store.events.proofs import agreement_bundle

        return agreement_bundle(self, ref)

    def agreement_events(self, ref: str | UUID) -> ProvenEvents:
        from registry.store.events.proofs import agreement_events

        return agreement_events(self, ref)

    @staticmethod
    def note_verifier(origin: str, anchors: Keyring) -> NoteVerifier:
        """The verifier of the checkpoints of the log `origin` with these trust anchors."""
        from registry.store.events.log import note_verifier

        return note_verifier(origin, anchors)

    def checkpoint_of_size(self, size: int) -> IssuedCheckpoint | None:
        from registry.store.log_reads import checkpoint_of_size

        return checkpoint_of_size(self, size)

    def cosigned_checkpoint_of_size(self, size: int) -> IssuedCheckpoint | None:
        from registry.store.log_reads import cosigned_checkpoint_of_size

        return cosigned_checkpoint_of_size(self, size)

    def with_cosignatures(self, checkpoint: IssuedCheckpoint) -> tuple[IssuedCheckpoint, bool]:
        from registry.store.log_reads import with_cosignatures

        return with_cosignatures(self, checkpoint)

    def latest_cosigned(self) -> IssuedCheckpoint | None:
        from registry.store.log_reads import latest_cosigned

        return latest_cosigned(self)

    def log_entries(self, start: int, count: int) -> list[Any]:
        from registry.store.log_reads import log_entries

        return log_entries(self, start, count)

    def inclusion_proof(self, index: int, size: int) -> tuple[list[bytes], IssuedCheckpoint | None]:
        from registry.store.log_reads import inclusion_proof

        return inclusion_proof(self, index, size)

    def consistency_proof(
        self, first: int, second: int
    ) -> tuple[list[bytes], IssuedCheckpoint | None]:
        from registry.store.log_reads import consistency_proof

        return consistency_proof(self, first, second)

    def hash_tile(self, ref: TileRef) -> list[bytes]:
        from registry.store.log_reads import hash_tile

        return hash_tile(self, ref)

    def bundle_leaves(self, ref: TileRef) -> tuple[list[int], list[bytes]]:
        from registry.store.log_reads import bundle_leaves

        return bundle_leaves(self, ref)

    def held_nodes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored Merkle nodes at `keys` (level, index): what a tiles mirror already has."""
        from registry.store.log_reads import held_nodes

        return held_nodes(self, keys)

    def mirror_store(self, chunk: int) -> MirrorStore:
        """What one mirror run asks of this store, chunk by chunk (a context manager)."""
        from registry.store.bulk.mirroring import MirrorStore

        return MirrorStore(self, chunk=chunk)  # type: ignore[arg-type]

    # -- the log's witnesses (cosigning) ---------------------------------------------------

    def add_witness(self, name: str, url: str, vkey: str) -> WitnessState:
        from registry.store.events.cosigning import add_witness

        return add_witness(self, name, url, vkey)

    def remove_witness(self, name: str) -> None:
        from registry.store.events.cosigning import remove_witness

        remove_witness(self, name)

    def witness_states(self) -> dict[str, WitnessState]:
        from registry.store.events.cosigning import witness_states

        return witness_states(self)

    def cosign(self, transport: Transport | None = None) -> dict[str, str]:
        from registry.store.events.cosigning import cosign

        return cosign(self, transport)

    # -- this instance as a witness of other logs ------------------------------------------

    @staticmethod
    def witness_signer(settings: Settings) -> CosignatureSigner:
        """This instance's witness key (created on first use); no database needed."""
        from registry.store.events.witness import witness_signer

        return witness_signer(settings)

    def add_log(self, origin: str, vkey: str) -> WitnessedLog:
        from registry.store.events.witness import add_log

        return add_log(self, origin, vkey)

    def remove_log(self, origin: str) -> None:
        from registry.store.events.witness import remove_log

        remove_log(self, origin)

    def witnessed(self) -> dict[str, WitnessedLog]:
        from registry.store.events.witness import witnessed

        return witnessed(self)

    def add_checkpoint(self, body: bytes, *, now: int | None = None) -> Answer:
        from registry.store.events.witness import add_checkpoint

        return add_checkpoint(self, body, now=now)

    # -- verification ----------------------------------------------------------------------

    def count_events(self) -> int:
        from registry.store.events.verification import count_events

        return count_events(self)

    def verify_store(
        self, progress: Callable[[int, int], None] | None = None, *, workers: int | None = None
    ) -> Report:
        from registry.store.events.verification import verify_store

        return verify_store(self, progress, workers=workers)

    # -- archives, fixtures, the status import ---------------------------------------------

    def export_lines(self) -> Iterator[bytes]:
        from registry.store.bulk.archive import export_lines

        return export_lines(self)

    def write_export(self, path: Path) -> int:
        from registry.store.bulk.archive import write_export

        return write_export(self, path)

    def import_path(self, path: Path, **options: object) -> Imported:
        from registry.store.bulk.importing import import_path

        return import_path(self, path, **options)

    def rebuild_all_views(self) -> Rebuilt:
        from registry.store.bulk.importing import rebuild_all_views

        return rebuild_all_views(self)

    def load_script_file(self, path: Path, *, chunk: int, workers: int | None) -> Loaded:
        """Record the steps of the fixture script at `path` (its errors name the file)."""
        from registry.store.bulk.fixtures import load_script, read_steps

        steps = read_steps(path)
        return load_script(self, steps, where=str(path), chunk=chunk, workers=workers)

    def import_status(
        self,
        status: bytes,
        treaty: bytes,
        *,
        officer: str,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> Outcome:
        from registry.store.bulk.status_import import import_status

        return import_status(
            self, status, treaty, officer=officer, dry_run=dry_run, progress=progress
        )

    # -- the party view --------------------------------------------------------------------

    def party_agreements(self, filters: Filters) -> PartyAgreements:
        from registry.store.reads.party_view import party_agreements

        return party_agreements(self, filters)

    @staticmethod
    def party_csv(found: PartyAgreements) -> str:
        from registry.store.reads.party_view import to_csv

        return to_csv(found)

    @staticmethod
    def parse_filters(
        schema: Schema, values: dict[str, Any], names: dict[str, str] | None = None
    ) -> tuple[Filters, list[str]]:
        """The filters in `values` and the problems with them (named by `names`)."""
        from registry.store.reads.filters import parse_filters

        return parse_filters(schema, values, names)

    # -- the auditor's reports -------------------------------------------------------------

    def compare_views(self, query: AuditQuery, *, limit: int | None = None) -> AuditReport:
        from registry.store.reads.audit import compare

        return compare(self, query, limit=limit)

    def export_audit(
        self, query: AuditQuery, *, generated: datetime, by: str, limit: int | None = None
    ) -> tuple[AuditReport, dict[str, Any]]:
        from registry.store.reads.audit import export

        return export(self, query, generated=generated, by=by, limit=limit)

    def upcoming_deadlines(
        self,
        as_of: date,
        known_at: datetime | None = None,
        filters: Filters | None = None,
        *,
        horizon_days: int = 365,
    ) -> list[Upcoming]:
        from registry.store.reads.audit import deadlines

        return deadlines(self, as_of, known_at, filters, horizon_days=horizon_days)

    @staticmethod
    def report_csv(report: AuditReport) -> str:
        from registry.store.reads.audit_document import report_csv

        return report_csv(report)

    @staticmethod
    def spreadsheet_cell(value: Any) -> Any:
        """A report's value as a spreadsheet cell holds it (never read as a formula)."""
        from registry.store.reads.audit_document import _cell

        return _cell(value)

    @staticmethod
    def verify_report(
        document: object, anchors: Keyring, verifier: NoteVerifier, policy: Policy | None = None
    ) -> BundleReport:
        """An exported report checked offline: its bundle, and the report recomputed from it."""
        from registry.store.reads.audit_document import verify_report

        return verify_report(document, anchors, verifier, policy)


__all__ = ["UseCases"]
