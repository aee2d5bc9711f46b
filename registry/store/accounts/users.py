"""User accounts (passwords, roles): ordinary rows, not events, so they can change and be erased.

An officer's username is also the officer name whose signing key signs their events, so
usernames follow the keystore's officer-name rule. Passwords are stored as werkzeug scrypt
hashes, never in clear. `session_stamp` changes with the password and the disabled flag, so a
session cookie issued before either change stops working.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Column, String, Table, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from registry.store.accounts.admin_trail import AdminAction, note
from registry.store.accounts.sessions import end_sessions_of
from registry.store.errors import StoreError
from registry.store.events.datastore import write_intent
from registry.store.events.keystore import AUTHORITY, KeyStoreError, check_officer_name
from registry.store.events.tables import metadata

if TYPE_CHECKING:
    from registry.store.application import Registry

MIN_PASSWORD_LENGTH = 12
PASSWORD_METHOD = "scrypt"

users = Table(
    "registry_users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created", String(32), nullable=False),
    Column("changed", String(32), nullable=False),
)


class Role(StrEnum):
    OFFICER = "officer"  # records events, signed with their own key
    AUDITOR = "auditor"  # reads everything, writes nothing
    ADMIN = "admin"  # manages accounts and officers' keys

    @property
    def may_record(self) -> bool:
        return self is Role.OFFICER


class AccountError(StoreError):
    """A refused account change; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownUser(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"there is no user {username!r}", field="username")


class UserExists(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"there is already a user {username!r}", field="username")


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    disabled: bool
    created: str
    changed: str
    session_stamp: str


def check_username(username: str) -> str:
    try:
        check_officer_name(username)
    except KeyStoreError:
        reserved = " (it is the registry's own name)" if username == AUTHORITY else ""
        raise AccountError(
            f"{username!r} is not a usable username{reserved}: use 1 to 63 lowercase letters, "
            "digits, '.', '_' or '-', starting with a letter or digit",
            field="username",
        ) from None
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > 1024:
        raise AccountError("a password may have at most 1024 characters", field="password")
    return password


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"{role!r} is not a role: use one of {choices}", field="role") from None


@cache
def _dummy_hash() -> str:
    """Checked when a username is unknown, so a wrong name takes as long as a wrong password."""
    return generate_password_hash("not the password of anyone", method=PASSWORD_METHOD)


def hash_password(password: str) -> str:
    return generate_password_hash(check_password(password), method=PASSWORD_METHOD)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _account(row: object) -> Account:
    password_hash: str = row.password_hash  # type: ignore[attr-defined]
    stamp_source = f"{password_hash}|{row.disabled}".encode()  # type: ignore[attr-defined]
    return Account(
        username=row.username,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        disabled=bool(row.disabled),  # type: ignore[attr-defined]
        created=row.created,  # type: ignore[attr-defined]
        changed=row.changed,  # type: ignore[attr-defined]
        session_stamp=hashlib.sha256(stamp_source).hexdigest()[:16],
    )


class Accounts:
    """The users table of one registry's database."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def add(
        self, username: str, password: str, role: Role | str, *, by: str | None = None
    ) -> Account:
        check_username(username)
        return self.add_hashed(username, hash_password(password), role, by=by)

    def add_hashed(
        self, username: str, password_hash: str, role: Role | str, *, by: str | None = None
    ) -> Account:
        check_username(username)
        role = parse_role(role) if isinstance(role, str) else role
        now = _now()
        with write_intent(), self.registry.transaction(commit=True) as session:
            if session.execute(
                select(users.c.username).where(users.c.username == username)
            ).first():
                raise UserExists(username)
            session.execute(
                insert(users).values(
                    username=username,
                    password_hash=password_hash,
                    role=role.value,
                    disabled=False,
                    created=now,
                    changed=now,
                )
            )
            if by is not None:
                note(session, by, AdminAction.USER_ADDED, username, f"role {role.value}")
        return self.get(username)

    def get(self, username: str) -> Account:
        found = self.find(username)
        if found is None:
            raise UnknownUser(username)
        return found

    def find(self, username: str) -> Account | None:
        with self.registry.transaction() as session:
            row = session.execute(select(users).where(users.c.username == username)).first()
        return _account(row) if row is not None else None

    def all(self) -> list[Account]:
        with self.registry.transaction() as session:
            rows = session.execute(select(users).order_by(users.c.username)).all()
        return [_account(row) for row in rows]

    def authenticate(self, username: str, password: str) -> Account | None:
        """The account, if the password is right and the account enabled; else None."""
        with self.registry.transaction() as session:
            row = session.execute(select(users).where(users.c.username == username)).first()
        if row is None:
            check_password_hash(_dummy_hash(), password)
            return None
        if not check_password_hash(row.password_hash, password) or row.disabled:
            return None
        return _account(row)

    def set_password(self, username: str, password: str, *, by: str | None = None) -> Account:
        trail = (by, AdminAction.PASSWORD_CHANGED, "")
        return self._change(username, trail, password_hash=hash_password(password))

    def set_role(self, username: str, role: Role | str, *, by: str | None = None) -> Account:
        role = parse_role(role) if isinstance(role, str) else role
        trail = (by, AdminAction.ROLE_CHANGED, f"now {role.value}")
        return self._change(username, trail, role=role.value)

    def set_disabled(self, username: str, disabled: bool, *, by: str | None = None) -> Account:
        action = AdminAction.USER_DISABLED if disabled else AdminAction.USER_ENABLED
        return self._change(username, (by, action, ""), disabled=disabled)

    def _change(
        self, username: str, trail: tuple[str | None, AdminAction, str], **values: object
    ) -> Account:
        """Changes the row and ends the user's web sessions (what they may do has changed)."""
        by, action, detail = trail
        with write_intent(), self.registry.transaction(commit=True) as session:
            result = session.execute(
                update(users).where(users.c.username == username).values(changed=_now(), **values)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise UnknownUser(username)
            end_sessions_of(session, username)
            if by is not None:
                note(session, by, action, username, detail)
        return self.get(username)


DEMO_PASSWORD = "demo-password"


def add_demo_users(registry: Registry, officers: tuple[str, ...]) -> list[str]:
    """Demo accounts (`registry init --demo` only): the demo officers, `auditor` and `admin`."""
    accounts = Accounts(registry)
    wanted = [(name, Role.OFFICER) for name in officers]
    wanted += [("auditor", Role.AUDITOR), ("admin", Role.ADMIN)]
    added = [name for name, role in wanted if accounts.find(name) is None]
    if not added:
        return []
    shared_hash = hash_password(DEMO_PASSWORD)  # one scrypt run: demo passwords are public
    for name, role in wanted:
        if name in added:
            accounts.add_hashed(name, shared_hash, role)
    return [f"added demo web users {', '.join(added)}, all with password {DEMO_PASSWORD!r}"]


# -- preferences -----------------------------------------------------------------------------
# A table of its own beside users: adding a column would not reach databases made before it
# (the metadata only creates missing tables), and a preference is no part of the login rule.

preferences = Table(
    "registry_user_preferences",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("language", String(16), nullable=True),
)


def user_language(registry: Registry, username: str) -> str | None:
    """The interface language the user chose, or None: follow the browser."""
    with registry.transaction() as session:
        return session.execute(
            select(preferences.c.language).where(preferences.c.username == username)
        ).scalar()


def set_user_language(registry: Registry, username: str, language: str | None) -> None:
    with write_intent(), registry.transaction(commit=True) as session:
        found = session.execute(
            select(preferences.c.username).where(preferences.c.username == username)
        ).first()
        if found:
            session.execute(
                update(preferences)
                .where(preferences.c.username == username)
                .values(language=language)
            )
        else:
            session.execute(insert(preferences).values(username=username, language=language))
