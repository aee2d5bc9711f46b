"""Uploaded documents, stored content-addressed under the instance's documents folder.

A file is named by the hex SHA-256 of its bytes (`ab/abcdef…`), the same hash a
DocumentAttached event pins, so a signed event names exactly one file and a file can be
checked against the event at any time. Files are written once, atomically, and never replaced;
storing the same bytes twice is a no-op.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from registry.store.errors import StoreError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DocumentError(StoreError):
    """A document that is missing, malformed or does not match its hash."""


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    path: Path


class DocumentStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256 or ""):
            raise DocumentError(f"{sha256!r} is not a SHA-256 in lowercase hex")
        return self.directory / sha256[:2] / sha256

    def put(self, content: bytes) -> StoredDocument:
        sha256 = hashlib.sha256(content).hexdigest()
        path = self.path(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temporary, 0o600)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return StoredDocument(sha256, len(content), path)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def read(self, sha256: str) -> bytes:
        """The document's bytes, checked against their name; raises DocumentError."""
        path = self.path(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"document {sha256} is not in {self.directory}") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise DocumentError(f"document {sha256} does not match its hash: it was altered")
        return content
