"""The witness's HTTP interface (C2SP tlog-witness): add-checkpoint, and a view for monitors.

Mounted beside the registry's app at /witness (the submission and monitoring prefix is then
`http://host/witness`) as an app of its own, so that the API's problem+json rewriting and
the forms' CSRF check never touch the protocol's plain-text answers; `registry witness
serve` runs it alone, at the root.
The spec leaves the monitor retrieval mechanism TBD; until it is settled, GET `logs` lists
each witnessed log's latest cosigned size and root, and GET `logs/<origin>` serves that
checkpoint note with this witness's cosignature, as text.
"""

from __future__ import annotations

import base64

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from registry.ledger.tlog_witness import MAX_BODY_BYTES
from registry.store.public import Registry
from registry.web.extensions import get_registry

PREFIX = "/witness"


def blueprint(name: str = "witness") -> Blueprint:
    bp = Blueprint(name, __name__)

    @bp.post("/add-checkpoint")
    def add() -> Response:
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return _text(413, "request body too large\n")
        answer = get_registry().add_checkpoint(request.get_data(cache=False))
        return _text(answer.status, answer.body, answer.content_type)

    @bp.get("/")
    def about() -> Response:
        verifier = Registry.witness_signer(get_registry().settings).verifier()
        return jsonify({"name": verifier.name, "vkey": verifier.vkey, "logs": _logs()})

    @bp.get("/logs")
    def logs() -> Response:
        return jsonify(_logs())

    @bp.get("/logs/<path:origin>")
    def latest(origin: str) -> Response:
        found = get_registry().witnessed().get(origin)
        if found is None or found.note is None:
            return _text(404, f"no cosigned checkpoint of {origin!r}\n")
        response = _text(200, found.note)
        response.headers["Cache-Control"] = "no-cache"
        return response

    return bp


def _logs() -> list[dict[str, object]]:
    return [
        {
            "origin": log.origin,
            "vkey": log.vkey,
            "size": log.size,
            "root_hash": base64.b64encode(log.root_hash).decode(),
            "updated": log.updated,
            "refused": log.refused_why,
            "refused_at": log.refused_at,
        }
        for log in get_registry().witnessed().values()
    ]


def _text(status: int, body: str, content_type: str = "text/plain; charset=utf-8") -> Response:
    response = current_app.response_class(body, status=status)
    response.headers["Content-Type"] = content_type
    return response


def register(app: Flask) -> None:
    """Mount the witness at PREFIX, sharing the app's registry."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    witness = Flask(__name__)
    witness.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    witness.extensions["registry"] = app.extensions["registry"]
    witness.register_blueprint(blueprint())
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: witness})  # type: ignore[method-assign]


def create_witness_app() -> Flask:
    """The witness alone, at the root: what `registry witness serve` runs."""
    from registry.store.public import Settings
    from registry.web import extensions

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    extensions.init_app(app, Settings.from_env())
    app.register_blueprint(blueprint())
    return app
