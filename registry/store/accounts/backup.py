"""Backups of users, roles and API tokens: a separate file, clearly not signed history.

Accounts are ordinary rows (they must be changeable and erasable), so their backup carries no
signature and proves nothing: it is a JSON document whose `format` and `notice` say so. It
holds password and token hashes, never a password or a token, and is written 0600. Restore
goes into a registry with no accounts, in one transaction.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select

from registry.store.accounts.tokens import api_tokens
from registry.store.accounts.users import users
from registry.store.application import Registry
from registry.store.errors import StoreError
from registry.store.events.datastore import write_intent

FORMAT = "agreement-registry-accounts/v1"
NOTICE = (
    "Accounts backup: users, roles and API token hashes. NOT signed history: nothing here is "
    "verified by the registry's keys. Keep it private (it holds password hashes)."
)
TABLES: dict[str, Table] = {"users": users, "api_tokens": api_tokens}


class AccountBackupError(StoreError):
    """An accounts file that cannot be restored; nothing was written."""


def export_accounts(registry: Registry, path: Path) -> dict[str, int]:
    document: dict[str, Any] = {"format": FORMAT, "notice": NOTICE}
    with registry.transaction() as session:
        for name, table in TABLES.items():
            rows = session.execute(select(table).order_by(*table.primary_key.columns))
            document[name] = [dict(row._mapping) for row in rows]
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as output:
            json.dump(document, output, indent=1, ensure_ascii=False)
            output.write("\n")
            output.flush()
            os.fsync(output.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {name: len(document[name]) for name in TABLES}


def import_accounts(registry: Registry, path: Path) -> dict[str, int]:
    document = _read(path)
    with write_intent(), registry.transaction(commit=True) as session:
        for name, table in TABLES.items():
            held = session.execute(select(func.count()).select_from(table)).scalar()
            if held:
                raise AccountBackupError(
                    f"this registry already has {held} {name.replace('_', ' ')}: accounts are "
                    "restored only into a registry without any; nothing was restored"
                )
        for name, table in TABLES.items():
            if document[name]:
                session.execute(insert(table), document[name])
    return {name: len(document[name]) for name in TABLES}


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise AccountBackupError(f"{path}: not an accounts backup: {error}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise AccountBackupError(
            f"{path}: not an accounts backup in the format {FORMAT} "
            "(an event export is restored with `registry import`)"
        )
    for name, table in TABLES.items():
        rows = document.get(name)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise AccountBackupError(f"{path}: {name} must be a list of objects")
        columns = set(table.columns.keys())
        for number, row in enumerate(rows, start=1):
            unknown = set(row) - columns
            missing = {c.name for c in table.columns if not c.nullable and c.name not in row}
            if unknown or missing:
                raise AccountBackupError(
                    f"{path}: {name} {number}: unknown {sorted(unknown)}, missing {sorted(missing)}"
                )
    return document
