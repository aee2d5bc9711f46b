"""Who is asking, and may they: bearer tokens, the read policy, rate and size limits, CORS.

Every request to the API (and to the Atom feeds) passes `guard` before its view: the body size
and type are checked, the token (if any) is authenticated, the client is counted against the
rate limit, and reads are refused without a token when the registry is configured so. Writes
ask for `writer()` in the view: a write-scoped token of an enabled officer account.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, g, request
from flask_limiter import Limiter
from limits import RateLimitItem, RateLimitItemPerSecond
from werkzeug.wrappers import Response

from registry.store.public import Accounts, ApiToken, ApiTokens, Role, Scope
from registry.web.api.problems import ApiProblem
from registry.web.extensions import get_registry

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON_TYPES = ("application/json",)
CORS_EXPOSED = "ETag, Link, Location, Retry-After, Idempotent-Replayed"
CORS_ALLOWED_HEADERS = "Authorization, If-None-Match"
CORS_MAX_AGE = "600"

# Settings (app.config), each with its environment variable read in `configure`.
PUBLIC_READS = "REGISTRY_API_PUBLIC_READS"  # reads without a token: "1" (default) or "0"
# "requests/seconds" per token or address, counted by Flask-Limiter in storage every worker
# shares (registry.web.ratelimits); "0" is off.
RATE_LIMIT = "REGISTRY_API_RATE_LIMIT"
MAX_BODY = "REGISTRY_API_MAX_BODY"  # bytes of a request body
CORS_ORIGINS = "REGISTRY_API_CORS_ORIGINS"  # origins allowed to read, comma-separated, or "*"

# The log's checkpoint and tiles are public even when records need a token: witnesses,
# monitors and mirrors follow the log (C2SP tlog-tiles) without an account here.
ALWAYS_PUBLIC = frozenset({"api_log.LogCheckpoint", "api_tiles.tile"})

DEFAULTS = {
    PUBLIC_READS: "1",
    RATE_LIMIT: "600/60",
    MAX_BODY: str(256 * 1024),
    CORS_ORIGINS: "",
}


def configure(app: Flask, environ: dict[str, str]) -> None:
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, environ.get(name, default))


def public_reads() -> bool:
    return str(current_app.config[PUBLIC_READS]).strip().lower() not in ("0", "false", "no")


def always_public() -> bool:
    """Whether this request's resource is public whatever the read policy."""
    return request.endpoint in ALWAYS_PUBLIC


def rate_limit() -> RateLimitItem | None:
    """The API's limit per client, or None when it is off ("0")."""
    text = str(current_app.config[RATE_LIMIT]).strip()
    count, _, seconds = text.partition("/")
    if int(count or 0) <= 0:
        return None
    return RateLimitItemPerSecond(int(count), max(1, int(float(seconds or 60))))


def cors_origins() -> set[str]:
    value = current_app.config[CORS_ORIGINS]
    items = value.split(",") if isinstance(value, str) else value
    return {item.strip().rstrip("/") for item in items if item.strip()}


@dataclass(frozen=True)
class Writer:
    token: ApiToken
    officer: str


def current_token() -> ApiToken | None:
    return g.get("api_token")


def guard(blueprint: Blueprint) -> None:
    """Install the checks on every request to `blueprint` and CORS on its responses."""
    blueprint.before_request(_check_request)
    blueprint.after_request(_cors_headers)


def _check_request() -> Response | None:
    preflight = _preflight()
    if preflight is not None:
        return preflight
    _limit_body()
    token = _authenticate()
    _count(token)
    if request.method in READ_METHODS:
        if token is None and not public_reads() and not always_public():
            raise ApiProblem(
                401,
                "This registry serves its records to token holders only: send "
                "Authorization: Bearer <token>.",
                code="token_required",
                headers={"WWW-Authenticate": 'Bearer realm="agreement-registry"'},
            )
    elif not request.mimetype or request.mimetype not in JSON_TYPES:
        raise ApiProblem(
            415,
            f"Send the body as application/json, not {request.mimetype or 'nothing'}.",
            code="unsupported_media_type",
        )
    return None


def _limit_body() -> None:
    limit = int(current_app.config[MAX_BODY])
    request.max_content_length = limit  # also stops a chunked body at the limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiProblem(
            413,
            f"The body has {request.content_length} bytes; this API accepts at most {limit}.",
            code="body_too_large",
        )


def _authenticate() -> ApiToken | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    token = None
    if scheme.lower() == "bearer" and credentials.strip():
        token = ApiTokens(get_registry()).authenticate(credentials.strip())
    if token is None:
        _count(None)  # failed attempts count against the address
        raise ApiProblem(
            401,
            "The token is not valid: it is unknown, revoked or malformed. "
            "Send Authorization: Bearer <token>.",
            code="invalid_token",
            headers={
                "WWW-Authenticate": 'Bearer realm="agreement-registry", error="invalid_token"'
            },
        )
    g.api_token = token
    return token


def _count(token: ApiToken | None) -> None:
    """One request against the client's window, in the limiter's shared storage."""
    item = rate_limit()
    if item is None:
        return
    limiter: Limiter = current_app.extensions["registry_limiter"]
    if not limiter.enabled:  # RATELIMIT_ENABLED = False: Flask-Limiter keeps no storage
        return
    client = f"token:{token.id}" if token else f"address:{request.remote_addr}"
    if not limiter.limiter.hit(item, "api", client):
        reset = limiter.limiter.get_window_stats(item, "api", client).reset_time
        seconds = max(1, int(reset - time.time() + 0.999))
        raise ApiProblem(
            429,
            f"Too many requests: at most {item.amount} each {item.get_expiry()} seconds. "
            f"Try again in {seconds} seconds.",
            code="rate_limited",
            headers={"Retry-After": str(seconds)},
        )


def writer() -> Writer:
    """The officer a write request acts for; 401 without a token, 403 if it may not write."""
    token = current_token()
    if token is None:
        raise ApiProblem(
            401,
            "Recording needs a write token: send Authorization: Bearer <token>.",
            code="token_required",
            headers={"WWW-Authenticate": 'Bearer realm="agreement-registry"'},
        )
    if not token.scope.allows(Scope.WRITE) or token.officer is None:
        raise ApiProblem(
            403,
            f"Token {token.id} may only read; recording needs a write token of an officer.",
            code="insufficient_scope",
            headers={
                "WWW-Authenticate": 'Bearer realm="agreement-registry", error="insufficient_scope"'
            },
        )
    account = Accounts(get_registry()).find(token.officer)
    if account is None or account.disabled or account.role is not Role.OFFICER:
        raise ApiProblem(
            403,
            f"Token {token.id} belongs to {token.officer}, who is no longer an enabled officer.",
            code="not_an_officer",
        )
    return Writer(token, token.officer)


# CORS: reads only ---------------------------------------------------------------------------------


def _allowed_origin() -> str | None:
    origin = request.headers.get("Origin")
    allowed = cors_origins()
    if origin is None or not allowed:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin.rstrip("/") in allowed else None


def _preflight() -> Response | None:
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    response = current_app.response_class(status=204)
    origin = _allowed_origin()
    if origin and request.headers["Access-Control-Request-Method"] in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    response.vary.add("Origin")
    return response


def _cors_headers(response: Response) -> Response:
    if cors_origins():
        response.vary.add("Origin")
    if request.method in ("GET", "HEAD"):
        origin = _allowed_origin()
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    return response
