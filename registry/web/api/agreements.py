"""/api/v1/agreements: states, signed events with proofs, bundles, and recording.

Writes use the forms' schemas (registry.web.schemas) and the same domain commands; the acting
officer is the one the write token belongs to, and the event is signed with their key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import request, url_for
from flask.views import MethodView
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from registry.domain.dates import PartialDate
from registry.store.public import Filters, Projection, Recorded
from registry.web.api import caching, listing, writes
from registry.web.api.access import writer
from registry.web.api.base import (
    CACHE_HEADERS,
    LINK_HEADER,
    READ_SECURITY,
    WRITE_SECURITY,
    api_blueprint,
    problems,
)
from registry.web.api.schemas import (
    AgreementEventsSchema,
    AgreementListSchema,
    AsOfQuerySchema,
    BundleSchema,
    ListQuerySchema,
    RecordedSchema,
    state_schema,
)
from registry.web.extensions import get_registry
from registry.web.schemas import DraftRequestSchema, EventRequestSchema, load_event_data

blp = api_blueprint(
    "api_agreements",
    __name__,
    url_prefix="/api/v1/agreements",
    description="Agreements: their state on a date, their signed events, and recording.",
)

READ_PROBLEMS = (304, 400, 401, 429)
WRITE_PROBLEMS = (400, 401, 403, 409, 413, 415, 422, 429)
WRITE_HEADERS = {
    "Location": {"description": "The agreement.", "schema": {"type": "string"}},
    "ETag": {
        "description": "The agreement's new version, for If-Match.",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier, identical request.",
        "schema": {"type": "string"},
    },
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "description": 'The agreement\'s version as its ETag (e.g. "3"): refused with 412 if stale.',
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "A key of your choice (e.g. a UUID): a retry with it never records twice.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


@blp.route("")
class Agreements(MethodView):
    @blp.arguments(ListQuerySchema, location="query")
    @blp.response(200, AgreementListSchema, headers={**CACHE_HEADERS, **LINK_HEADER})
    @problems(blp, *READ_PROBLEMS)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: Filters) -> Any:
        """List agreements, filtered, as of a date and known at an instant

        Ordered by reference. Page with `cursor` (the `next` of the previous page) or with
        `page`; the Link header carries the same links.
        """
        page = listing.page_of(get_registry(), query)
        links = {"next": None, "prev": None}
        if page.next_cursor:
            links["next"] = _list_url(cursor=page.next_cursor)
        if page.next_page:
            links["next"] = _list_url(page=page.next_page)
        if page.prev_page:
            links["prev"] = _list_url(page=page.prev_page)
        first = _list_url(page=1) if query.page is not None else _list_url()
        header = [f'<{first}>; rel="first"']
        header += [f'<{url}>; rel="{rel}"' for rel, url in links.items() if url]
        body = {
            "items": [listing.summary(a, _agreement_url(str(a.id))) for a in page.items],
            "total": page.total,
            "counts": page.counts,
            "limit": query.limit,
            **links,
        }
        return body, 200, {"Link": ", ".join(header)}

    @blp.arguments(DraftRequestSchema)
    @blp.response(201, RecordedSchema, headers=WRITE_HEADERS)
    @problems(blp, *WRITE_PROBLEMS)
    @blp.doc(security=WRITE_SECURITY, parameters=[IDEMPOTENCY_KEY])
    def post(self, body: dict[str, Any]) -> Response:
        """Draft a new agreement (its Drafted event), signed by the token's officer"""
        acting = writer()
        data = _event_data("Drafted", body)
        effective = PartialDate.parse(body["effective"])

        def draft(also: Sequence[Projection]) -> Recorded:
            return get_registry().draft(
                effective=effective,
                actor=acting.officer,
                data=data,
                source=body.get("source"),
                reason=body.get("reason"),
                projections=also,
            )

        return writes.record(acting, draft)


@blp.route("/<ref>")
class Agreement(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, state_schema(), headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS, 404)
    @blp.doc(security=READ_SECURITY)
    def get(self, query: dict[str, Any], ref: str) -> Any:
        """An agreement's state as of a date, as known at an instant

        The same document as the agreement's web page. Its ETag is the agreement's version:
        send it back in If-Match when recording, so that nobody's event is overlooked.
        """
        snapshot = get_registry().snapshot(ref)
        as_of, known_at = query.get("as_of"), query.get("known_at")
        response = caching.kept_document(
            snapshot,
            ("state", as_of, known_at),
            state_schema(),
            lambda: snapshot.state(as_of, known_at).to_dict(),
        )
        return response, 200, {"ETag": writes.version_etag(snapshot.head.version)}


@blp.route("/<ref>/events")
class AgreementEvents(MethodView):
    @blp.response(200, AgreementEventsSchema, headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS, 404)
    @blp.doc(security=READ_SECURITY)
    def get(self, ref: str) -> Any:
        """The agreement's signed envelopes, each with its leaf index and inclusion proof

        Every proof is against the one checkpoint given, a signed note: check it with the
        registry's log key (GET /api/v1/keys), then each proof against its root.
        """
        proven = get_registry().agreement_events(ref)
        document = {
            "agreement": str(proven.agreement),
            "reference": proven.reference,
            "version": proven.version,
            "size": proven.checkpoint.size,
            "checkpoint": proven.checkpoint.note,
            "events": proven.records,
        }
        assert proven.snapshot is not None
        return caching.kept_document(
            proven.snapshot, ("events", *proven.key), AgreementEventsSchema, lambda: document
        )

    @blp.arguments(EventRequestSchema)
    @blp.response(201, RecordedSchema, headers=WRITE_HEADERS)
    @problems(blp, *WRITE_PROBLEMS, 404, 412)
    @blp.doc(security=WRITE_SECURITY, parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    def post(self, body: dict[str, Any], ref: str) -> Response:
        """Record an event on the agreement, signed by the token's officer

        The same rules as the officers' forms: a refusal by the treaty rules is a 422 with the
        rule's `code` and the `field` at fault.
        """
        acting = writer()
        data = _event_data(body["type"], body)
        effective = PartialDate.parse(body["effective"])

        def record(also: Sequence[Projection]) -> Recorded:
            registry = get_registry()
            expected = writes.expected_version(registry.agreement(ref).version)
            return registry.record(
                ref,
                body["type"],
                effective=effective,
                actor=acting.officer,
                data=data,
                source=body.get("source"),
                reason=body.get("reason"),
                expected_version=expected,
                projections=also,
            )

        return writes.record(acting, record)


@blp.route("/<ref>/bundle")
class AgreementBundle(MethodView):
    @blp.response(200, BundleSchema, headers=CACHE_HEADERS)
    @problems(blp, *READ_PROBLEMS, 404)
    @blp.doc(security=READ_SECURITY)
    def get(self, ref: str) -> Any:
        """An offline proof bundle of the agreement, with the keyring

        Save it and check it anywhere, with the registry's published keys only:
        `registry verify-bundle FILE --keys DIR`.
        """
        return get_registry().agreement_bundle(ref)


def _event_data(type_name: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return load_event_data(type_name, body["data"])
    except ValidationError as error:
        raise ValidationError({"data": error.normalized_messages()}) from None


def _agreement_url(agreement_id: str) -> str:
    return url_for("api_agreements.Agreement", ref=agreement_id)


def _list_url(**paging: Any) -> str:
    """This list's address with the same filters, on another page."""
    args = {k: v for k, v in request.args.items() if k not in ("cursor", "page")}
    args.update({k: str(v) for k, v in paging.items()})
    base = url_for("api_agreements.Agreements")
    return f"{base}?{urlencode(args)}" if args else base
