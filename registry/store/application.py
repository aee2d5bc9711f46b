"""The registry application: agreements and the officer keyring on one signed, logged store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from sqlalchemy import select

from registry.domain import commands
from registry.domain.agreement import Agreement
from registry.domain.dates import PartialDate
from registry.domain.errors import DomainError
from registry.domain.keyring import Keyring
from registry.domain.state import AgreementState
from registry.ledger.chain import verify_chain
from registry.ledger.keys import Keyring as PublicKeyring
from registry.ledger.keys import PublicKey
from registry.ledger.trust import Trust
from registry.store.accounts import (  # noqa: F401 - their tables join the metadata
    admin_trail,
    sessions,
    tokens,
)
from registry.store.accounts import users as accounts  # noqa: F401
from registry.store.errors import AgreementNotFound, NotInitialised, VersionConflict
from registry.store.events import cosigning, witness  # noqa: F401
from registry.store.events.columns import add_missing_columns
from registry.store.events.datastore import RegistryDatastore
from registry.store.events.event_store import VerifyingEventStore
from registry.store.events.files import private_database
from registry.store.events.head import Written
from registry.store.events.keystore import AUTHORITY, KeyStore, anchors_keyring
from registry.store.events.log import IssuedCheckpoint, TransparencyLog
from registry.store.events.mapper import (
    EnvelopeMapper,
    OpenedEvent,
    TamperedEvent,
    event_from_payload,
    load_trust,
)
from registry.store.events.recorder import Projection, Receipt, SignedEventRecorder
from registry.store.events.tables import metadata
from registry.store.events.unfinished import require_complete_views
from registry.store.reads import directory, views
from registry.store.reads.filters import DEFAULT_LIMIT, Filters
from registry.store.reads.projection import Heads, ReadModelProjection
from registry.store.reads.queries import (
    AgreementPage,
    CurrentPage,
    agreements_as_of,
    current_agreements,
)
from registry.store.reads.snapshots import Snapshot, Snapshots, stored_head
from registry.store.reads.stored_snapshots import SnapshotRows
from registry.store.settings import Settings
from registry.store.use_cases import UseCases

EVENTS_TABLE = "registry_events"


class RegistryFactory(SQLAlchemyFactory):
    datastore_class = RegistryDatastore
    application_recorder_class = SignedEventRecorder


@lru_cache(maxsize=4096)  # a pure function of the text, asked on every command
def _resolved(ref: str) -> UUID:
    try:
        return UUID(ref)
    except ValueError:
        return Agreement.create_id(ref)


@dataclass(frozen=True)
class Recorded:
    """What the registry stored for one command: the new version and where it sits in the log."""

    agreement_id: UUID
    version: int
    recorded: str
    leaf_index: int
    checkpoint: IssuedCheckpoint


def _recorded(receipt: Receipt) -> Recorded:
    last = receipt.events[-1]
    return Recorded(last.stream, last.version, last.recorded, last.leaf_index, receipt.checkpoint)


class Registry(UseCases, Application[UUID]):
    name = "Registry"

    def __init__(self, settings: Settings, *, can_sign: bool = True) -> None:
        self.settings = settings
        self.keystore = KeyStore(settings.private_keys_dir) if can_sign else None
        private_database(settings.database_url)
        self._trust: Trust | None = None
        self.read_model_heads = Heads()  # the projection's state of the last agreements written
        self.written = Written()  # the agreements as this registry last committed them
        log_key = self.keystore.log() if self.keystore and self.keystore.exists() else None
        rows = log_key and SnapshotRows(log_key)
        self.verified_streams = Snapshots(self.transaction, rows, self._verify_whole)
        super().__init__(
            env={
                "SQLALCHEMY_URL": settings.database_url,
                "CREATE_TABLE": "y",
                # Cached aggregates are fast-forwarded from the store on every read (and
                # deep-copied out), so a cache never serves stale or half-applied state.
                "AGGREGATE_CACHE_MAXSIZE": "256",
            }
        )
        if self._stale_views:  # an instance older than some read-model columns
            from registry.store.reads.rebuild import rebuild_views

            rebuild_views(self)

    # -- construction (eventsourcing's hooks) --------------------------------------------

    def construct_factory(self, env: Environment) -> RegistryFactory:
        return RegistryFactory(env)

    def construct_mapper(self) -> EnvelopeMapper:
        return EnvelopeMapper(self.keystore, self.trust)

    def construct_recorder(self) -> SignedEventRecorder:
        factory: RegistryFactory = self.factory  # type: ignore[assignment]
        recorder = SignedEventRecorder(factory.datastore, events_table_name=EVENTS_TABLE)
        recorder.mapper = self.mapper  # type: ignore[assignment]
        recorder.trust_at = self.trust_at  # type: ignore[method-assign]
        recorder.keyring_id = Keyring.ID
        log_key = self.keystore.log() if self.keystore and self.keystore.exists() else None
        recorder.log = TransparencyLog(self.settings.log_origin, log_key)
        recorder.create_table()
        assert factory.datastore.engine is not None
        metadata.create_all(factory.datastore.engine)  # type: ignore[arg-type]
        self._stale_views = add_missing_columns(factory.datastore.engine)
        return recorder

    def construct_event_store(self) -> VerifyingEventStore:
        store = VerifyingEventStore(mapper=self.mapper, recorder=self.recorder)
        store.trust_at = self.trust_at
        return store

    def close(self) -> None:
        super().close()
        engine = self.signed_recorder.datastore.engine
        if engine is not None:
            engine.dispose()  # type: ignore[union-attr]

    @property
    def signed_recorder(self) -> SignedEventRecorder:
        return self.recorder  # type: ignore[return-value]

    def transaction(self, commit: bool = False) -> Any:
        return self.signed_recorder.transaction(commit=commit)

    # -- keys ------------------------------------------------------------------------------

    def anchors(self) -> PublicKeyring:
        path = self.settings.home / "public" / "keyring.json"
        if self.keystore is not None and self.keystore.exists():
            return anchors_keyring(self.keystore.authority(), self.keystore.log())
        if path.exists():
            return PublicKeyring.load(path)
        raise NotInitialised(f"no trust anchors at {path}: run `registry init`")

    def trust(self) -> Trust:
        """Who may sign what, as the keyring stands now (reloaded when the keyring has grown)."""
        return self.trust_at(self._keyring_version())

    def trust_at(self, version: int) -> Trust:
        """The trust at keyring version `version`, which the caller has just read."""
        trust = self._trust
        if trust is None or trust.version != version:
            stored = self.recorder.select_events(Keyring.ID)
            trust = self._trust = load_trust(self.mapper, self.anchors(), stored)  # type: ignore[arg-type]
        return trust

    def _keyring_version(self) -> int:
        cls = self.signed_recorder.events_record_cls
        with self.transaction() as session:
            found = session.execute(
                select(cls.originator_version)
                .where(cls.originator_id == Keyring.ID)
                .order_by(cls.originator_version.desc())
                .limit(1)
            ).scalar()
        return int(found or 0)

    def keyring(self) -> Keyring:
        try:
            return self.repository.get(Keyring.ID)
        except AggregateNotFoundError:
            keyring = Keyring.open(effective=PartialDate.of(date.today()), actor=AUTHORITY)
            self.commit(keyring)
            return keyring

    def register_officer(
        self, officer: str, *, role: str = "officer", reason: str | None = None
    ) -> str:
        """Creates a key pair in the instance folder and registers its public half."""
        assert self.keystore is not None
        keyring = self.keyring()
        key = self.keystore.new_officer_key(officer)
        keyring.register_key(
            effective=PartialDate.of(date.today()),
            actor=AUTHORITY,
            officer=officer,
            keyid=key.keyid,
            public_key=key.public_key.to_base64(),
            role=role,
            reason=reason,
        )
        self.commit(keyring)
        return key.keyid

    def rotate_officer_key(self, officer: str, *, reason: str | None = None) -> str:
        assert self.keystore is not None
        keyring = self.keyring()
        old = self.trust().current_keyid(officer, datetime.now().astimezone())
        if old is None:
            raise NotInitialised(f"officer {officer!r} has no valid key to rotate")
        key = self.keystore.new_officer_key(officer)
        keyring.rotate_key(
            effective=PartialDate.of(date.today()),
            actor=AUTHORITY,
            officer=officer,
            old_keyid=old,
            new_keyid=key.keyid,
            public_key=key.public_key.to_base64(),
            reason=reason,
        )
        self.commit(keyring)
        return key.keyid

    def revoke_officer_key(
        self, officer: str, keyid: str, *, reason: str, invalid_from: datetime | None = None
    ) -> None:
        keyring = self.keyring()
        keyring.revoke_key(
            effective=PartialDate.of(date.today()),
            actor=AUTHORITY,
            officer=officer,
            keyid=keyid,
            invalid_from=invalid_from,
            reason=reason,
        )
        self.commit(keyring)

    def public_key(self, keyid: str) -> PublicKey | None:
        return self.trust().public_key(keyid)

    # -- agreements ------------------------------------------------------------------------

    def draft(
        self,
        *,
        effective: PartialDate,
        actor: str,
        data: dict[str, Any],
        source: str | None = None,
        reason: str | None = None,
        projections: Sequence[Projection] = (),
    ) -> Recorded:
        agreement = commands.draft_from_data(effective, actor, source, reason, data)
        return self.commit(agreement, projections)

    def record(
        self,
        ref: str | UUID,
        type_name: str,
        *,
        effective: PartialDate,
        actor: str,
        data: dict[str, Any],
        source: str | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
        projections: Sequence[Projection] = (),
    ) -> Recorded:
        """Run one command and commit its events. It runs on a copy of the agreement as this
        registry last committed it, when it holds that (`head.Written`: no read of the store);
        if that proves behind the store (a version conflict, or a refusal), it runs again on
        the agreement as read from the store, which is where it runs otherwise."""
        command = (type_name, effective, actor, source, reason, data)
        with self.signed_recorder.groups.coming():  # a group forming may wait for this one
            held = self.written.take(self.resolve(ref))
            if held is not None:
                try:
                    return self._command(held, command, expected_version, projections)
                except (VersionConflict, DomainError):
                    pass  # perhaps behind the store: run it on what the store holds
            return self._command(self.agreement(ref), command, expected_version, projections)

    def _command(
        self,
        base: Agreement,
        command: tuple[Any, ...],
        expected_version: int | None,
        projections: Sequence[Projection],
    ) -> Recorded:
        if expected_version is not None and base.version != expected_version:
            raise VersionConflict(
                f"{base.reference} is at version {base.version}, "
                f"not {expected_version}: someone else recorded an event first"
            )
        # `base` is this call's own (taken out of `written`, or a copy read from the store)
        commands.record(base, *command)
        made = list(base.pending_events)
        receipt = self.commit_many([base], projections)
        stored = [event_from_payload(e.payload) for e in receipt.events if e.payload is not None]
        self.written.keep(base, made, [e for e in stored if e.originator_id == base.id])
        return _recorded(receipt)

    def resolve(self, ref: str | UUID) -> UUID:
        """An agreement id from its id or its human reference."""
        return ref if isinstance(ref, UUID) else _resolved(ref)

    def agreement(self, ref: str | UUID) -> Agreement:
        try:
            found = self.repository.get(self.resolve(ref))
        except AggregateNotFoundError:
            raise AgreementNotFound(ref) from None
        if not isinstance(found, Agreement):
            raise AgreementNotFound(ref)
        return found

    def state(
        self, ref: str | UUID, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> AgreementState:
        return self.snapshot(ref).state(as_of, known_at)

    def snapshot(self, ref: str | UUID) -> Snapshot:
        """One agreement's verified events and the states derived from them, current with
        the store (reads/snapshots.py): its version is `snapshot.head.version`."""
        stream = self.resolve(ref)
        if stream == Keyring.ID:
            raise AgreementNotFound(ref)
        return self._verified(stream, ref, envelopes=False)

    def _verified(self, stream: UUID, ref: str | UUID, *, envelopes: bool) -> Snapshot:
        """The stream's snapshot at the store's head; verified whole again when there is none
        or, if `envelopes` are wanted, it was restored from stored events without them."""
        with self.transaction() as session:
            head = stored_head(session, self.signed_recorder.events_record_cls, stream)
        if head is None:
            raise AgreementNotFound(ref)
        found = self.verified_streams.current(stream, head)
        if found is not None and (found.opened is not None or not envelopes):
            return found
        return self._verify_whole(stream, ref)

    def _verify_whole(self, stream: UUID, ref: str | UUID | None = None) -> Snapshot:
        trust = self.trust()
        stored: Sequence[StoredEvent] = self.recorder.select_events(stream)
        if not stored:
            raise AgreementNotFound(ref or stream)
        opened = [self.mapper.open(s, trust) for s in stored]
        problems = verify_chain([(o.payload, o.envelope) for o in opened], opened=True)
        if problems:
            raise TamperedEvent("; ".join(problems))
        return self.verified_streams.take(stream, opened, trust.version)

    def agreement_ids(self) -> list[UUID]:
        return views.agreement_ids(self)

    def list_states(
        self, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> list[AgreementState]:
        states = [self.state(i, as_of=as_of, known_at=known_at) for i in self.agreement_ids()]
        return sorted(states, key=lambda s: s.reference)

    def list_as_of(
        self,
        as_of: date | None = None,
        known_at: datetime | None = None,
        *,
        limit: int | None = DEFAULT_LIMIT,
        offset: int = 0,
        **selection: Any,
    ) -> AgreementPage:
        """A page of the whole registry as of a date, known at an instant (see
        `list_agreements`); `selection` and `sort`, `descending` are `Filters` fields."""
        filters = Filters(as_of=as_of, known_at=known_at, limit=limit, **selection)
        return self.list_agreements(filters, offset=offset)

    def opened_events(self, ref: str | UUID) -> list[OpenedEvent]:
        """The verified envelopes of one stream (an agreement's, or the keyring's), in
        version order."""
        opened = self.envelope_snapshot(ref).opened
        assert opened is not None
        return list(opened)

    def envelope_snapshot(self, ref: str | UUID) -> Snapshot:
        """The stream's snapshot at the store's head, holding its verified envelopes."""
        return self._verified(self.resolve(ref), ref, envelopes=True)

    def rebuild_log(self) -> IssuedCheckpoint:
        """Recompute the leaf index and Merkle nodes from the events, under the write lock.

        The rebuilt root must be the root the latest signed checkpoint covers; otherwise the
        events no longer are what was signed, and nothing is changed (see `registry verify`).
        """
        return self.signed_recorder.rebuild_log()

    def checkpoint(self) -> IssuedCheckpoint | None:
        with self.transaction() as session:
            return TransparencyLog.latest(session)

    # -- writing ---------------------------------------------------------------------------

    def commit(self, aggregate: Agreement | Keyring, also: Sequence[Projection] = ()) -> Recorded:
        """Store the aggregate's new events; `also` are more writes for the same transaction."""
        return _recorded(self.commit_many([aggregate], also))

    def commit_many(
        self, aggregates: Sequence[Agreement | Keyring], also: Sequence[Projection] = ()
    ) -> Receipt:
        """Store the new events of several aggregates in one transaction (bulk loads): one
        lock, one checkpoint, one commit, the read models of each in the same transaction."""
        receipts: list[Receipt] = []
        agreements = [a for a in aggregates if isinstance(a, Agreement)]
        read_models = ReadModelProjection(agreements, self.read_model_heads)
        try:
            self.save(*aggregates, receipt=receipts, projections=[read_models, *also])
        except IntegrityError:
            raise VersionConflict(
                "someone else recorded an event on this agreement first: nothing was stored"
            ) from None
        read_models.committed()  # its Heads are taken up only once their rows are stored
        return receipts[-1]

    # -- use cases of the entry points (web, CLI, mirror): they reach the store here ----------

    def list_agreements(self, filters: Filters, *, offset: int | None = None) -> AgreementPage:
        """A page of the whole registry as of `filters.as_of`, known at `filters.known_at`:
        indexed SQL over the status intervals, the same answers as `state` for each agreement
        (`offset` reads a window other than `filters.page`)."""
        with self.transaction() as session:  # agreements_as_of requires complete views
            return agreements_as_of(session, filters, offset=offset)

    def current_agreements(self, filters: Filters) -> CurrentPage:
        """A page of the agreements as they stand now (the summary read model), filtered."""
        with self.transaction() as session:
            require_complete_views(session)
            return current_agreements(session, filters)

    def party_codes(self) -> list[str]:
        """Every party code the registry has known, for the filters."""
        with self.transaction() as session:
            return directory.party_codes(session)

    def party_names(self) -> dict[str, str]:
        """{code: name} for every party of a listed agreement: names live in the signed
        events, so each is read from one agreement that lists it (one state per party)."""
        with self.transaction() as session:
            first = directory.listing_references(session)
        names: dict[str, str] = {}
        for reference in sorted(set(first.values())):
            for row in self.state(reference).parties:
                names.setdefault(row.code, row.name)
        return {code: names.get(code, code) for code in first}

    def streams_with_party(self, code: str) -> set[str]:
        with self.transaction() as session:
            return directory.streams_with_party(session, code)

    def first_recorded(self) -> datetime | None:
        """When the first agreement was recorded: a view known before then is empty because
        nothing had been recorded yet, not because nothing matches."""
        with self.transaction() as session:
            return directory.first_recorded(session)

    def latest_entries(
        self, streams: set[str] | None, limit: int
    ) -> tuple[list[Any], dict[str, str]]:
        """The latest log entries (of these agreements, or all), and references by id."""
        with self.transaction() as session:
            return directory.latest_entries(session, streams, limit)
