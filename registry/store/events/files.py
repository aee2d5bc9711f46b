"""Private files: the instance folder is 0700, the SQLite database and its journals 0600.

The database holds password and token hashes and every record, so no other local user may
read it. SQLite creates its -wal and -shm files with the mode of the database file, so the
database is created 0600 before SQLite first opens it; files of an older instance are
narrowed when it is opened.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

FOLDER_MODE = 0o700
FILE_MODE = 0o600
JOURNALS = ("", "-wal", "-shm", "-journal")


def private_folder(path: Path) -> None:
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)


def sqlite_path(database_url: str) -> Path | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def private_database(database_url: str) -> None:
    """Create the SQLite file 0600 if missing; narrow it and its journals if they exist."""
    path = sqlite_path(database_url)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    for suffix in JOURNALS:
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            os.chmod(journal, FILE_MODE)
