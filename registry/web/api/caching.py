"""ETags, conditional requests and Cache-Control for the API's reads.

Envelopes, proofs between fixed sizes and archived checkpoints never change, so they may be
cached for a year; states, lists and the latest checkpoint move with every recorded event, so
caches must revalidate them, which costs a 304 when nothing changed. Every successful read
gets a strong ETag (a view may set a meaningful one, as the agreement's version), and
If-None-Match answers 304.

A document derived from one agreement's snapshot (its state as of a date) is kept there as
the bytes of its JSON response: the snapshot is of one head, discarded when the head moves
(reads/snapshots.py), so a kept document is never one of another version.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from typing import Any

from flask import Blueprint, current_app, request
from marshmallow import Schema
from werkzeug.wrappers import Response

from registry.store.public import Snapshot
from registry.web.api.access import always_public, public_reads

IMMUTABLE = "max-age=31536000, immutable"
REVALIDATE = "no-cache"


def _audience() -> str:
    return "public" if public_reads() or always_public() else "private"


def immutable_value() -> str:
    return f"{_audience()}, {IMMUTABLE}"


def immutable(response: Response) -> Response:
    response.headers["Cache-Control"] = immutable_value()
    return response


def revalidate(response: Response) -> Response:
    response.headers["Cache-Control"] = f"{_audience()}, {REVALIDATE}"
    return response


def conditional(blueprint: Blueprint) -> None:
    blueprint.after_request(_conditional)


def _conditional(response: Response) -> Response:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    if "Cache-Control" not in response.headers:
        revalidate(response)
    if not public_reads() and not always_public():
        response.vary.add("Authorization")
    if response.get_etag() == (None, None):
        response.add_etag()
    return response.make_conditional(request)


def kept_document(
    snapshot: Snapshot, key: Hashable, schema: type[Schema], document: Callable[[], Any]
) -> Response:
    """The JSON response of `schema().dump(document())`, as flask-smorest's `response` makes
    it, its bytes kept on `snapshot` under `key` (with the app's JSON settings)."""
    provider: Any = current_app.json
    kept = ("document", key, current_app.debug, getattr(provider, "compact", None))
    body = snapshot.derived.get(kept)
    if body is None:
        body = provider.response(_instance(schema).dump(document())).get_data()
        snapshot.remember(kept, body)
    return current_app.response_class(body, mimetype=provider.mimetype)


@cache
def _instance(schema: type[Schema]) -> Schema:
    return schema()
