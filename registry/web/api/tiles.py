"""/api/v1/log/tile/…: the log as C2SP tlog-tiles, for any standard client to follow.

`tile/<L>/<N>[.p/<W>]` answers the hashes of a tile, `tile/entries/<N>[.p/<W>]` an entry
bundle (each envelope as a big-endian uint16 length and its bytes), both read from the stored
tree (registry/store/events/tiles.py) and immutable: cached for a year, public even when
records need a token. With `checkpoint` (api/log.py) they are the whole log, so a static
file host or a CDN copy of them can be mirrored (`registry mirror URL --tiles`). These paths
are specified by C2SP rather than by the OpenAPI document, so they are not in it.
"""

from __future__ import annotations

import gzip

from flask import current_app, request
from werkzeug.wrappers import Response

from registry.ledger.merkle import leaf_hash
from registry.ledger.tiles import TileError, TileRef, encode_bundle, encode_hashes, parse_path
from registry.store.public import TamperedEvent, TileNotFound
from registry.web.api.base import api_blueprint
from registry.web.api.caching import immutable
from registry.web.api.problems import ApiProblem
from registry.web.extensions import get_registry

bp = api_blueprint("api_tiles", __name__, url_prefix="/api/v1/log")


@bp.route("/tile/<path:path>", methods=["GET"])
def tile(path: str) -> Response:
    """A hash tile or an entry bundle of the log (C2SP tlog-tiles)"""
    try:
        ref = parse_path(f"tile/{path}")
        body = _bundle(ref) if ref.entries else _hashes(ref)
    except (TileError, TileNotFound) as error:
        raise ApiProblem(404, str(error), code="tile_not_found") from None
    response = current_app.response_class(body, mimetype="application/octet-stream")
    if ref.entries:  # the spec asks for entry bundles compressed at the HTTP layer
        response.vary.add("Accept-Encoding")
        if request.accept_encodings["gzip"]:
            response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
            response.headers["Content-Encoding"] = "gzip"
    return immutable(response)


def _hashes(ref: TileRef) -> bytes:
    return encode_hashes(get_registry().hash_tile(ref))


def _bundle(ref: TileRef) -> bytes:
    registry = get_registry()
    ids, leaves = registry.bundle_leaves(ref)
    stored = registry.recorder.select_notifications(start=ids[0], limit=len(ids), stop=ids[-1])
    if [s.id for s in stored] != ids:
        raise RuntimeError("the log index and the event store disagree")
    trust = registry.trust()
    for notification, expected in zip(stored, leaves, strict=True):
        registry.mapper.open(notification, trust)  # never serve what does not verify
        if leaf_hash(notification.state) != expected:
            raise TamperedEvent(f"leaf of notification {notification.id} is not the tree's leaf")
    return encode_bundle([bytes(s.state) for s in stored])
