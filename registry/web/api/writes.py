"""Recording through the API: optimistic concurrency (If-Match) and retries (Idempotency-Key).

The answer to a POST is built inside the write transaction, from what was just sealed, by a
projection; with an Idempotency-Key that projection also stores the answer under the key, in
the same transaction as the event. A retry then finds the key and gets the first answer again,
byte for byte; two requests racing with one key cannot both record, because the loser's key row
collides and rolls its event back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import ETags
from werkzeug.http import parse_etags
from werkzeug.wrappers import Response

from registry.store.public import (
    IDEMPOTENCY_KEY_MAX,
    Projection,
    Recorded,
    Registry,
    SealedEvent,
    StoredResponse,
)
from registry.web.api.access import Writer
from registry.web.api.problems import ApiProblem
from registry.web.extensions import get_registry

IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"

Command = Callable[[Sequence[Projection]], Recorded]


def version_etag(version: int) -> str:
    """The agreement's version as its entity tag: what If-Match names."""
    return f'"{version}"'


def expected_version(current: int) -> int | None:
    """The version If-Match pins (None without If-Match or with `*`); 412 if it is stale."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    etags: ETags = parse_etags(header)
    if etags.star_tag:
        return None
    if not etags.contains(str(current)):
        raise ApiProblem(
            412,
            f"The agreement is at version {current}, not the one If-Match names ({header}): "
            "someone recorded an event since you read it. Read it again, then decide.",
            code="precondition_failed",
            headers={"ETag": version_etag(current)},
        )
    return current


def record(writer: Writer, command: Command) -> Response:
    """Run `command` (which records one event) once, however often the request is retried."""
    key = _idempotency_key()
    digest = request_digest()
    principal = writer.token.principal
    registry = get_registry()
    if key is not None:
        found = registry.find_response(principal, key)
        if found is not None:
            return _replay(found, digest)
    sent: list[StoredResponse] = []
    if key is None:
        projection = _answer(sent)
    else:
        projection = registry.remember_response(principal, key, digest, _respond, sent)
    try:
        command([projection])
    except Exception:
        # The same request, sent twice at once, may fail here because its twin has just
        # recorded (a version conflict, a stale If-Match, or the rules refusing a second
        # signature): the twin's stored answer is then this request's answer too.
        found = registry.find_response(principal, key) if key is not None else None
        if found is None:
            raise
        return _replay(found, digest)
    return _response(sent[-1])


def request_digest() -> str:
    """What makes two requests the same: method, path, If-Match and the body's JSON value."""
    try:
        body: Any = json.dumps(
            request.get_json(silent=False), sort_keys=True, separators=(",", ":")
        )
    except Exception:
        body = request.get_data().hex()
    text = json.dumps(
        [request.method, request.path, request.headers.get("If-Match"), body],
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise ApiProblem(
            400,
            f"An {IDEMPOTENCY_KEY} is 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters, "
            "e.g. a UUID.",
            code="invalid_idempotency_key",
        )
    return key


def _respond(session: Session, sealed: list[SealedEvent]) -> StoredResponse:
    event = sealed[-1]
    url = url_for("api_agreements.Agreement", ref=str(event.stream))
    document = Registry.recorded_document(session, event, url)
    return StoredResponse(
        status=201,
        body=json.dumps(document, ensure_ascii=False, sort_keys=True),
        headers={"Location": url, "ETag": version_etag(event.version)},
    )


def _answer(sent: list[StoredResponse]) -> Projection:
    def project(session: Session, sealed: list[SealedEvent]) -> None:
        sent.append(_respond(session, sealed))

    return project


def _response(stored: StoredResponse, *, replayed: bool = False) -> Response:
    response = current_app.response_class(
        stored.body, status=stored.status, mimetype="application/json"
    )
    for name, value in stored.headers.items():
        response.headers[name] = value
    if replayed:
        response.headers[REPLAYED] = "true"
    response.headers["Cache-Control"] = "no-store"
    return response


def _replay(found: StoredResponse, digest: str) -> Response:
    if found.request_sha256 != digest:
        raise ApiProblem(
            422,
            f"This {IDEMPOTENCY_KEY} was used before for a different request; "
            "use a new key for a new request.",
            code="idempotency_key_reused",
        )
    return _response(found, replayed=True)
