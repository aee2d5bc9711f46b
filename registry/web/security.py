"""What keeps the browser side safe: CSRF on every form, security headers, the login rate limit
and error pages that never show a traceback.

The JSON API (under /api/) authenticates each request with a token instead of a cookie, so it
needs no CSRF token, and it sets its own error bodies and headers: everything here leaves it
alone, and every header below is only a default that a view may override.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from registry.store.public import ViewsIncomplete
from registry.web.i18n import N_
from registry.web.ratelimits import init_limiter

API_PREFIX = "/api/"
LOGIN_RATE_LIMIT = "10 per minute"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

ERROR_TEXT = {
    400: (N_("The request could not be understood"), N_("Please go back and try again.")),
    403: (N_("You may not do this"), N_("Your role does not allow this page or action.")),
    404: (
        N_("Not found"),
        N_("There is nothing at this address. Check the link, or search the list."),
    ),
    405: (N_("Not allowed"), N_("This address does not accept that kind of request.")),
    413: (
        N_("The upload is too large"),
        N_("The file is larger than this registry accepts. Go back and choose a smaller file."),
    ),
    429: (N_("Too many attempts"), N_("Please wait a minute before you try again.")),
    500: (
        N_("Something went wrong"),
        N_("The registry could not finish this request. Nothing was lost."),
    ),
}


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked below, outside the API only
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # officers keep forms open a while
    # Settable from the environment like the rest of the registry's configuration.
    app.config.setdefault(
        "REGISTRY_LOGIN_RATE_LIMIT", os.environ.get("REGISTRY_LOGIN_RATE_LIMIT", LOGIN_RATE_LIMIT)
    )
    if os.environ.get("REGISTRY_MAX_DOCUMENT_BYTES", "").isdigit():
        app.config.setdefault(
            "REGISTRY_MAX_DOCUMENT_BYTES", int(os.environ["REGISTRY_MAX_DOCUMENT_BYTES"])
        )
    csrf = CSRFProtect(app)

    @app.before_request
    def protect_forms() -> None:
        if app.config["WTF_CSRF_ENABLED"] and not request.path.startswith(API_PREFIX):
            csrf.protect()

    app.after_request(add_security_headers)
    init_limiter(app)  # counts shared by every worker: registry.web.ratelimits


def limit_login(app: Flask, endpoint: str) -> None:
    """Rate-limit POSTs to the login view (failed or not), per client address."""
    limiter: Limiter = app.extensions["registry_limiter"]
    view = app.view_functions[endpoint]
    app.view_functions[endpoint] = limiter.limit(
        lambda: current_app.config["REGISTRY_LOGIN_RATE_LIMIT"], methods=["POST"]
    )(view)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" and not request.path.startswith(API_PREFIX):
        # Pages show who recorded what: keep them out of shared caches and the back-forward cache.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def install_error_pages(bp: Blueprint) -> None:
    """Plain-language error pages for the views of `bp` (never a traceback)."""
    bp.register_error_handler(CSRFError, csrf_error)
    bp.register_error_handler(ViewsIncomplete, views_incomplete)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(Exception, unexpected_error)


def error_page(status: int, title: str | None = None, message: str | None = None) -> Any:
    default_title, default_message = ERROR_TEXT.get(status, ERROR_TEXT[500])
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=gettext(title or default_title),
            message=gettext(message or default_message),
        ),
        status,
    )


def views_incomplete(error: ViewsIncomplete) -> ResponseReturnValue:
    return error_page(503, N_("The registry is being restored"), str(error))


def csrf_error(error: CSRFError) -> ResponseReturnValue:
    return error_page(
        400,
        N_("This form has expired"),
        N_(
            "The form was not sent with a valid security token (it may have been open too "
            "long, or sent from another site). Go back, reload the form and send it again."
        ),
    )


def http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if status < 400:
        return error  # redirects raised as exceptions pass through
    return error_page(status)


def unexpected_error(error: Exception) -> ResponseReturnValue:
    if isinstance(error, HTTPException):
        return http_error(error)
    if current_app.testing:
        raise error  # tests see the traceback; "never a 500" is what they check
    current_app.logger.error("unexpected error", exc_info=error)
    return error_page(InternalServerError.code)
