"""Atom feeds of newly recorded events: the whole registry, one agreement, one party.

Newest first, from the log's own order. Each entry names the signed envelope it comes from
(its leaf index and API address), so a subscriber can fetch and verify the record itself;
the feed is a notification, not the evidence. Feeds follow the API's read policy and limits.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from flask import Blueprint, Flask, current_app, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from registry.ledger.payload import EventPayload
from registry.web.api import access, caching, problems
from registry.web.extensions import get_registry

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
FEED_SIZE = 50
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
access.guard(bp)
caching.conditional(bp)
problems.install(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"atom_feeds": atom_feeds})
    app.after_request(_link_pages_to_feeds)


def _link_pages_to_feeds(response: Response) -> Response:
    """Web pages name their feeds in a Link header (templates may add <link> tags too)."""
    if response.mimetype != "text/html" or request.endpoint is None:
        return response
    links = [("all events", url_for("feeds.registry_feed"))]
    ref = (request.view_args or {}).get("ref")
    if request.blueprint == "agreements" and ref and response.status_code == 200:
        links.append(("this agreement", url_for("feeds.agreement_feed", ref=ref)))
    for title, url in links:  # url_for quotes the reference: nothing unsafe reaches the header
        response.headers.add(
            "Link", f'<{url}>; rel="alternate"; type="{ATOM_TYPE}"; title="{title}"'
        )
    return response


def atom_feeds(ref: str | None = None, party: str | None = None) -> list[tuple[str, str]]:
    """(title, url) of the feeds for a page, for `<link rel="alternate">` in templates."""
    links = [("Agreement Registry: all events", url_for("feeds.registry_feed"))]
    if ref:
        links.append((f"{ref}: new events", url_for("feeds.agreement_feed", ref=ref)))
    if party:
        links.append((f"{party}: new events", url_for("feeds.party_feed", code=party)))
    return links


@bp.get("/registry.atom")
def registry_feed() -> ResponseReturnValue:
    return _feed("Agreement Registry: newly recorded events", None)


@bp.get("/agreements/<ref>.atom")
def agreement_feed(ref: str) -> ResponseReturnValue:
    registry = get_registry()
    state = registry.state(ref)  # 404 if there is no such agreement
    return _feed(f"{state.reference}: newly recorded events", {str(state.id)})


@bp.get("/parties/<code>.atom")
def party_feed(code: str) -> ResponseReturnValue:
    streams = get_registry().streams_with_party(code)
    if not streams:
        raise problems.ApiProblem(
            404, f"No agreement has a party with code {code!r}.", code="party_not_found"
        )
    return _feed(f"Agreements with {code}: newly recorded events", streams)


def _feed(title: str, streams: set[str] | None) -> Response:
    registry = get_registry()
    rows, references = registry.latest_entries(streams, FEED_SIZE)
    feed = ElementTree.Element("feed", xmlns=ATOM)
    _text(feed, "title", title)
    _text(feed, "id", _urn(request.base_url))
    _text(feed, "updated", rows[0].recorded if rows else _now())
    ElementTree.SubElement(feed, "link", rel="self", type=ATOM_TYPE, href=request.url)
    author = ElementTree.SubElement(feed, "author")
    _text(author, "name", "Agreement Registry")
    _text(feed, "generator", "Agreement Registry")
    for row in rows:
        payload = _payload(registry, row)
        _entry(feed, row, payload, references.get(row.stream_id, row.stream_id))
    body = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return current_app.response_class(body, content_type=f"{ATOM_TYPE}; charset=utf-8")


def _payload(registry: Any, row: Any) -> EventPayload:
    stored = registry.recorder.select_events(
        uuid.UUID(row.stream_id), gt=row.version - 1, lte=row.version
    )
    return registry.mapper.open(stored[0]).payload  # verified, or TamperedEvent


def _entry(feed: ElementTree.Element, row: Any, payload: EventPayload, reference: str) -> None:
    entry = ElementTree.SubElement(feed, "entry")
    effective = f"{payload.effective} ({payload.precision})"
    _text(entry, "title", f"{reference}: {payload.type}, effective {effective}")
    _text(entry, "id", f"urn:uuid:{uuid.uuid5(uuid.UUID(payload.agreement), str(payload.version))}")
    _text(entry, "updated", payload.recorded)
    _text(entry, "published", payload.recorded)
    author = ElementTree.SubElement(entry, "author")
    _text(author, "name", payload.actor)
    page = _page_url(payload.agreement)
    ElementTree.SubElement(entry, "link", rel="alternate", type="text/html", href=page)
    events = url_for("api_agreements.AgreementEvents", ref=payload.agreement, _external=True)
    ElementTree.SubElement(entry, "link", rel="related", type="application/json", href=events)
    ElementTree.SubElement(entry, "category", term=payload.type)
    lines = [
        f"{payload.type} of {reference}, version {payload.version}",
        f"effective {effective}, recorded {payload.recorded} by {payload.actor}",
        f"log leaf {row.leaf_index}; verify it at {events}",
        json.dumps(payload.data, ensure_ascii=False, sort_keys=True, indent=1),
    ]
    _text(entry, "content", "\n".join(lines), type="text")


def _page_url(agreement: str) -> str:
    if "agreements.show" in current_app.view_functions:
        return url_for("agreements.show", ref=agreement, _external=True)
    return url_for("api_agreements.Agreement", ref=agreement, _external=True)


def _text(parent: ElementTree.Element, tag: str, text: str, **attributes: str) -> None:
    element = ElementTree.SubElement(parent, tag, **attributes)
    element.text = _NOT_XML.sub("\ufffd", text)


def _urn(url: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
