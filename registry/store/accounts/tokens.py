"""API tokens and idempotency keys: ordinary rows, not events, so they can be revoked and erased.

A token is shown once, when it is made: ``reg_<id>_<secret>``. Only its SHA-256 is kept: the
secret is 256 random bits, so a fast hash suffices (a slow password hash would only slow every
request down). A token reads, or reads and writes; a write token belongs to an officer account,
whose signing key signs what the token records, and only that officer makes it (or the
operator on the command line): an administrator cannot act as an officer. Tokens are revoked,
never deleted, so that the list still says who could do what, and when; making and revoking
one is entered in the admin trail.

An idempotency key remembers the response to a POST that recorded something. The row is
written by a projection, inside the very transaction that stores the event (see
``remember_response``): either both are stored or neither, and two requests racing with one
key cannot both record, because the second one's row breaks the primary key and rolls its
event back with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Integer, String, Table, Text, insert, select, update
from sqlalchemy.orm import Session

from registry.store.accounts.admin_trail import AdminAction, note
from registry.store.accounts.users import Accounts, Role
from registry.store.errors import StoreError
from registry.store.events.datastore import write_intent
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry
    from registry.store.events.recorder import Projection, SealedEvent

TOKEN_PREFIX = "reg"
COMMAND_LINE = "cli"  # who makes tokens with `registry tokens create` (the operator)
NAME_MAX = 200
IDEMPOTENCY_KEY_MAX = 255
# `last_used` is written at most this often per token, so reads do not all become writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{43}})$")

api_tokens = Table(
    "registry_api_tokens",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("token_sha256", String(64), nullable=False),
    Column("name", String(NAME_MAX), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("officer", String(64)),
    Column("created", String(27), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("last_used", String(27)),
    Column("revoked", String(27)),
    Column("revoked_by", String(64)),
)

idempotency_keys = Table(
    "registry_idempotency_keys",
    metadata,
    Column("principal", String(64), primary_key=True),
    Column("key", String(IDEMPOTENCY_KEY_MAX), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("headers", Text, nullable=False),  # a JSON object
    Column("body", Text, nullable=False),
    Column("created", String(27), nullable=False),
)


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"  # read and write

    def allows(self, needed: Scope) -> bool:
        return self is Scope.WRITE or needed is Scope.READ


class TokenError(StoreError):
    """A refused token change; ``field`` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    scope: Scope
    officer: str | None
    created: str
    created_by: str
    last_used: str | None
    revoked: str | None
    revoked_by: str | None

    @property
    def active(self) -> bool:
        return self.revoked is None

    @property
    def principal(self) -> str:
        """Whose idempotency keys these are."""
        return f"token:{self.id}"


def now_instant() -> str:
    return format_moment(datetime.now(UTC))


def format_moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        scope=Scope(row.scope),
        officer=row.officer,
        created=row.created,
        created_by=row.created_by,
        last_used=row.last_used,
        revoked=row.revoked,
        revoked_by=row.revoked_by,
    )


def parse_scope(scope: str) -> Scope:
    try:
        return Scope(scope)
    except ValueError:
        raise TokenError(f"{scope!r} is not a scope: use read or write", field="scope") from None


def check_write_token_maker(officer: str, created_by: str) -> None:
    """A write token signs as its officer, so only that officer makes it (logged in as
    themselves), or the operator on the command line, who holds every key of the instance
    anyway. An administrator makes read tokens only: managing accounts is not acting for them."""
    if created_by not in (officer, COMMAND_LINE):
        raise TokenError(
            f"a write token records events signed by {officer}'s key, so only {officer} can "
            f"make it, logged in as themselves; {created_by} may make read tokens",
            field="officer",
        )


class ApiTokens:
    """The API tokens of one registry's database."""

    def __init__(self, registry: Registry, clock: Callable[[], datetime] | None = None) -> None:
        self.registry = registry
        self.clock = clock or (lambda: datetime.now(UTC))

    def create(
        self, name: str, scope: Scope | str, *, created_by: str, officer: str | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its secret text, which is shown this once and never stored."""
        name = (name or "").strip()
        if not name or len(name) > NAME_MAX:
            raise TokenError(f"a token needs a name of 1 to {NAME_MAX} characters", field="name")
        scope = parse_scope(scope) if isinstance(scope, str) else scope
        officer = (officer or "").strip() or None
        if scope is Scope.WRITE:
            if officer is None:
                raise TokenError(
                    "a write token records events signed by an officer: name the officer",
                    field="officer",
                )
            self.check_officer(officer, at=self.clock())
            check_write_token_maker(officer, created_by)
        elif officer is not None:
            raise TokenError("a read token is not bound to an officer", field="officer")
        token_id = secrets.token_hex(8)
        secret = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
        with write_intent(), self.registry.transaction(commit=True) as session:
            session.execute(
                insert(api_tokens).values(
                    id=token_id,
                    token_sha256=token_digest(secret),
                    name=name,
                    scope=scope.value,
                    officer=officer,
                    created=format_moment(self.clock()),
                    created_by=created_by,
                )
            )
            detail = f"{scope.value} token {name!r}" + (f" as {officer}" if officer else "")
            note(session, created_by, AdminAction.TOKEN_CREATED, token_id, detail)
        return self.get(token_id), secret

    def check_officer(self, officer: str, *, at: datetime) -> None:
        """Raises TokenError unless `officer` is an enabled officer account with a valid key."""
        account = Accounts(self.registry).find(officer)
        if account is None or account.role is not Role.OFFICER:
            raise TokenError(f"{officer!r} is not an officer account", field="officer")
        if account.disabled:
            raise TokenError(f"the account of {officer!r} is disabled", field="officer")
        if self.registry.trust().current_keyid(officer, at) is None:
            raise TokenError(
                f"officer {officer!r} has no valid signing key: register one first",
                field="officer",
            )

    def get(self, token_id: str) -> ApiToken:
        with self.registry.transaction() as session:
            row = session.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
        if row is None:
            raise TokenError(f"there is no token {token_id!r}", field="token")
        return _token(row)

    def all(self) -> list[ApiToken]:
        with self.registry.transaction() as session:
            rows = session.execute(
                select(api_tokens).order_by(api_tokens.c.created, api_tokens.c.id)
            ).all()
        return [_token(row) for row in rows]

    def revoke(self, token_id: str, *, revoked_by: str) -> ApiToken:
        with write_intent(), self.registry.transaction(commit=True) as session:
            row = session.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()
            if row is None:
                raise TokenError(f"there is no token {token_id!r}", field="token")
            if row.revoked is not None:
                raise TokenError(f"token {token_id} was already revoked at {row.revoked}")
            session.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id)
                .values(revoked=format_moment(self.clock()), revoked_by=revoked_by)
            )
            note(session, revoked_by, AdminAction.TOKEN_REVOKED, token_id, f"{row.name!r}")
        return self.get(token_id)

    def authenticate(self, secret: str) -> ApiToken | None:
        """The active token whose secret this is, or None; notes when it was last used."""
        match = _TOKEN.match(secret or "")
        if match is None:
            return None
        with self.registry.transaction() as session:
            row = session.execute(
                select(api_tokens).where(api_tokens.c.id == match.group(1))
            ).first()
        if row is None or not hmac.compare_digest(row.token_sha256, token_digest(secret)):
            return None
        if row.revoked is not None:
            return None
        token = _token(row)
        now = self.clock()
        if row.last_used is None or _parse(row.last_used) + LAST_USED_RESOLUTION <= now:
            token = replace(token, last_used=format_moment(now))
            with write_intent(), self.registry.transaction(commit=True) as session:
                session.execute(
                    update(api_tokens)
                    .where(api_tokens.c.id == row.id)
                    .values(last_used=token.last_used)
                )
        return token


def _parse(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


# Idempotency keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    """A response as first sent, to be sent again for a retry of the same request."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    request_sha256: str = ""


def find_response(registry: Registry, principal: str, key: str) -> StoredResponse | None:
    with registry.transaction() as session:
        row = session.execute(
            select(idempotency_keys).where(
                idempotency_keys.c.principal == principal, idempotency_keys.c.key == key
            )
        ).first()
    if row is None:
        return None
    return StoredResponse(row.status, row.body, json.loads(row.headers), row.request_sha256)


def remember_response(
    principal: str,
    key: str,
    request_sha256: str,
    respond: Callable[[Session, list[SealedEvent]], StoredResponse],
    sent: list[StoredResponse],
) -> Projection:
    """A projection that builds the response in the write transaction and keeps it under `key`.

    The response is appended to `sent` too, so the caller answers with exactly what was kept.
    """

    def project(session: Session, sealed: list[SealedEvent]) -> None:
        response = respond(session, sealed)
        session.execute(
            insert(idempotency_keys).values(
                principal=principal,
                key=key,
                request_sha256=request_sha256,
                status=response.status,
                headers=json.dumps(response.headers, sort_keys=True),
                body=response.body,
                created=now_instant(),
            )
        )
        sent.append(response)

    return project
