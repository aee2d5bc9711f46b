"""Uploaded documents: size and type limits, and the facts a DocumentAttached event pins.

The media type is decided here from the file's first bytes (and, for zip-based office
formats, its name), never taken from what the browser claims: a file is accepted only if its
content is what its type says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import FileStorage

from registry.store.public import DocumentStore
from registry.web.extensions import get_registry
from registry.web.i18n import N_

DEFAULT_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ACCEPTED_DESCRIPTION = N_("PDF, PNG, JPEG, plain text, Word (.docx) or OpenDocument (.odt)")

_ZIP_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
}


class UploadRefused(ValueError):
    """The file cannot be attached; the message says why, for the officer."""


@dataclass(frozen=True)
class Upload:
    sha256: str
    filename: str
    media_type: str
    size: int


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} bytes"


def max_document_bytes() -> int:
    return int(current_app.config.get("REGISTRY_MAX_DOCUMENT_BYTES", DEFAULT_MAX_DOCUMENT_BYTES))


def documents() -> DocumentStore:
    return DocumentStore(get_registry().settings.documents_dir)


def media_type_of(content: bytes, filename: str) -> str | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
        return _ZIP_TYPES.get(suffix)
    if filename.lower().endswith(".txt") and _is_text(content):
        return "text/plain"
    return None


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text)


def clean_filename(raw: str | None) -> str:
    """The name as the officer knows it, without a path or control characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:200] or "document"


def accept_upload(file: FileStorage | None) -> Upload:
    """Check an uploaded file and store it content-addressed; raises UploadRefused."""
    if file is None or not file.filename:
        raise UploadRefused("Choose a file to attach.")
    limit = max_document_bytes()
    content = file.stream.read(limit + 1)
    if len(content) > limit:
        raise UploadRefused(f"The file is larger than {human_size(limit)}: attach a smaller one.")
    if not content:
        raise UploadRefused("The file is empty.")
    filename = clean_filename(file.filename)
    media_type = media_type_of(content, filename)
    if media_type is None:
        raise UploadRefused(f"This kind of file cannot be attached. Use {ACCEPTED_DESCRIPTION}.")
    stored = documents().put(content)
    return Upload(stored.sha256, filename, media_type, stored.size)
