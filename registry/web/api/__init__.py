"""The JSON API under /api/v1/, its OpenAPI document (/api/openapi.json) and docs (/api/docs).

Other systems pull records here and need not trust this server: every envelope comes with its
leaf index and an inclusion proof against a signed checkpoint, and /api/v1/keys gives the keys
to check them with. `init_api` is called from the app factory (registry.web.blueprints).
"""

from __future__ import annotations

import os

from flask import Flask

from registry.web.api import access, openapi_extras, problems
from registry.web.api.base import BEARER, RegistryApi
from registry.web.api.schemas import UtcInstantField
from registry.web.schemas import PartialDateField

DESCRIPTION = (
    "Records of international agreements as signed events (DSSE envelopes, Ed25519, RFC 8785 "
    "payloads), chained per agreement and logged in one RFC 9162 Merkle tree with C2SP signed "
    "checkpoints. Every response carries what is needed to verify it offline."
)


def init_api(app: Flask) -> RegistryApi:
    access.configure(app, dict(os.environ))
    app.config.setdefault("API_TITLE", "Agreement Registry API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {"description": DESCRIPTION},
            "components": {
                "securitySchemes": {
                    BEARER: {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "An API token made by an administrator.",
                    }
                }
            },
        },
    )
    api = RegistryApi()
    api.register_field(UtcInstantField, "string", "date-time")
    api.register_field(PartialDateField, "string", None)
    api.init_app(app)
    openapi_extras.extend(api)  # date formats; the server's 414 and 431

    from registry.web.api import agreements, imports, log, parties

    for blueprint in (agreements.blp, log.blp, log.keys_blp, parties.blp, imports.blp):
        api.register_blueprint(blueprint)
    problems.problems_for_api_paths(app)
    from registry.web.api.events_doc import document_events

    document_events(api.spec)
    app.extensions["registry_api"] = api

    from registry.web.api import admin, docs, tiles

    app.register_blueprint(docs.bp)
    app.register_blueprint(tiles.bp)  # C2SP paths, not in the OpenAPI document
    admin.register(app)
    return api
