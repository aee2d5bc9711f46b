"""/api/v1/log and /api/v1/keys: what a follower needs to mirror and check the whole log.

A follower pins the keys once, then repeatedly: fetches the signed checkpoint, asks for a
consistency proof from the checkpoint it holds, and pulls the entries in between, in leaf
order (see registry/mirror.py, the reference client).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import current_app, url_for
from flask.views import MethodView
from werkzeug.wrappers import Response

from registry.ledger.payload import format_instant
from registry.store.public import IssuedCheckpoint
from registry.web.api.base import CACHE_HEADERS, LINK_HEADER, READ_SECURITY, api_blueprint, problems
from registry.web.api.caching import immutable, immutable_value
from registry.web.api.problems import ApiProblem
from registry.web.api.schemas import (
    CheckpointQuerySchema,
    ConsistencyProofSchema,
    ConsistencyQuerySchema,
    EntriesQuerySchema,
    EntriesSchema,
    InclusionProofSchema,
    InclusionQuerySchema,
    KeysSchema,
)
from registry.web.extensions import get_registry

blp = api_blueprint(
    "api_log",
    __name__,
    url_prefix="/api/v1/log",
    description="The transparency log: signed checkpoints, entries in leaf order, proofs.",
)
keys_blp = api_blueprint(
    "api_keys",
    __name__,
    url_prefix="/api/v1/keys",
    description="The registry's public keys: trust anchors, log key, officers' key windows.",
)

READ_PROBLEMS = (304, 400, 401, 429)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _latest() -> IssuedCheckpoint | None:
    return get_registry().checkpoint()


def _size() -> int:
    latest = _latest()
    return latest.size if latest else 0


def _invalid(field: str, message: str) -> ApiProblem:
    return ApiProblem(
        400,
        "The request is not valid: see `errors` for what is wrong with each field.",
        code="invalid_request",
        errors={field: [message]},
    )


@blp.route("/checkpoint")
class LogCheckpoint(MethodView):
    @blp.arguments(CheckpointQuerySchema, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/plain", headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS, 404)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: dict[str, Any]) -> Response:
        """The latest signed checkpoint (a C2SP signed note), or an archived one by size"""
        registry = get_registry()
        if "size" in query:
            checkpoint = registry.checkpoint_of_size(query["size"])
        else:
            checkpoint = registry.checkpoint()
        if checkpoint is None:
            raise ApiProblem(
                404, "No checkpoint of that size was issued.", code="checkpoint_not_found"
            )
        # witnesses' cosignatures arrive later
        checkpoint, witnessed = registry.with_cosignatures(checkpoint)
        response = current_app.response_class(
            checkpoint.note, mimetype="text/plain", content_type="text/plain; charset=utf-8"
        )
        # An archived checkpoint never changes unless a witness may still add its cosignature.
        return immutable(response) if "size" in query and not witnessed else response


@blp.route("/entries")
class LogEntries(MethodView):
    @blp.arguments(EntriesQuerySchema, location="query")
    @blp.response(200, EntriesSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    @problems(blp, *READ_PROBLEMS)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: dict[str, Any]) -> Response:
        """Envelopes in leaf order, from leaf `start`: the feed a follower mirrors

        Only entries within the latest checkpoint are served. A full page never changes and
        may be cached for good; `next` is where the following page starts.
        """
        registry = get_registry()
        start, limit = query["start"], query["limit"]
        size = _size()
        if start > size:
            raise _invalid("start", f"The log holds {size} entries; start at {size} or before.")
        count = min(limit, size - start)
        served = []
        if count:
            rows = registry.log_entries(start, count)
            stored = registry.recorder.select_notifications(
                start=rows[0].notification_id, limit=count, stop=rows[-1].notification_id
            )
            if [s.id for s in stored] != [row.notification_id for row in rows]:
                raise RuntimeError("the log index and the event store disagree")
            trust = registry.trust()  # once per page (it queried the keyring per entry)
            for row, notification in zip(rows, stored, strict=True):
                registry.mapper.open(notification, trust)  # never serve what does not verify
                served.append(
                    {
                        "index": row.leaf_index,
                        "agreement": row.stream_id,
                        "version": row.version,
                        "type": row.type,
                        "recorded": row.recorded,
                        "envelope": json.loads(notification.state),
                    }
                )
        full = len(served) == limit
        next_url = (
            url_for("api_log.LogEntries", start=start + len(served), limit=limit) if full else None
        )
        body = {"start": start, "entries": served, "next": next_url}
        response = current_app.response_class(
            json.dumps(body, ensure_ascii=False, sort_keys=True), mimetype="application/json"
        )
        if next_url:
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return immutable(response) if full else response


@blp.route("/proof/inclusion")
class InclusionProof(MethodView):
    @blp.arguments(InclusionQuerySchema, location="query")
    @blp.response(200, InclusionProofSchema, headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: dict[str, Any]) -> Any:
        """An RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves"""
        latest = _size()
        size = query.get("size", latest)
        if size > latest:
            raise _invalid("size", f"The log holds {latest} entries.")
        if query["index"] >= size:
            raise _invalid("index", f"A tree of {size} leaves has indexes 0 to {size - 1}.")
        hashes, checkpoint = get_registry().inclusion_proof(query["index"], size)
        body = {
            "index": query["index"],
            "size": size,
            "hashes": [_b64(h) for h in hashes],
            "checkpoint": checkpoint.note if checkpoint else None,
        }
        return body, 200, {"Cache-Control": immutable_value()}


@blp.route("/proof/consistency")
class ConsistencyProof(MethodView):
    @blp.arguments(ConsistencyQuerySchema, location="query")
    @blp.response(200, ConsistencyProofSchema, headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: dict[str, Any]) -> Any:
        """An RFC 9162 consistency proof between tree sizes `first` and `second`

        Proves that the tree of `second` leaves begins with the tree of `first` leaves:
        nothing the log held at `first` was changed, removed or reordered since.
        """
        latest = _size()
        first, second = query["first"], query.get("second", latest)
        if second > latest:
            raise _invalid("second", f"The log holds {latest} entries.")
        if first > second:
            raise _invalid("first", f"The first size must not exceed the second ({second}).")
        hashes, checkpoint = get_registry().consistency_proof(first, second)
        body = {
            "first": first,
            "second": second,
            "hashes": [_b64(h) for h in hashes],
            "checkpoint": checkpoint.note if checkpoint else None,
        }
        return body, 200, {"Cache-Control": immutable_value()}


@keys_blp.route("")
class Keys(MethodView):
    @keys_blp.response(200, KeysSchema, headers=CACHE_HEADERS)
    @problems(keys_blp, *READ_PROBLEMS)
    @keys_blp.doc(security=READ_SECURITY)
    def get(self) -> Any:
        """The trust anchors, the log's verifier key and every officer key's validity window

        Pin `anchors` (as keyring.json) and `log_vkey` (as log.vkey) once: they are all an
        offline verifier needs. Officer keys are proven by the signed keyring stream.
        """
        registry = get_registry()
        origin = registry.settings.log_origin
        anchors = registry.anchors()
        verifier = registry.note_verifier(origin, anchors)
        trust = registry.trust()
        officer_keys = [
            {
                "officer": key.officer,
                "keyid": key.keyid,
                "role": key.role,
                "public_key": key.public_key.to_base64(),
                "valid_after": format_instant(key.registered),
                "valid_until": format_instant(key.ended) if key.ended else None,
                "ended": key.why_ended,
            }
            for keys in trust.officers().values()
            for key in keys
        ]
        return {
            "origin": origin,
            "anchors": anchors.to_json(),
            "log_vkey": verifier.vkey,
            "keyring_version": trust.version,
            "officer_keys": officer_keys,
        }
