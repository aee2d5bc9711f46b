"""RFC 9457 problem details: every error the API returns has this one shape.

Views raise `ApiProblem`, or let the registry's own errors through; `install` maps each kind
of error to its status once, for every API blueprint. Errors raised before a view is chosen
(an unknown path, a method not allowed) never reach a blueprint's handlers, so
`problems_for_api_paths` rewrites any other error response under /api/ into a problem too.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from registry.domain.codec import InvalidEventData
from registry.domain.dates import InvalidDate
from registry.domain.errors import DomainError, NotYetRecorded
from registry.store.public import (
    AgreementNotFound,
    EnvelopeTooLarge,
    SigningRefused,
    TamperedEvent,
    VersionConflict,
    ViewsIncomplete,
)

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
DOCS_PAGE = "/api/docs"
# Headers an error response keeps when it is rewritten as a problem.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


# The registry's own problem codes (the domain's refusals add theirs: DomainError.code).
CODES = {
    "invalid_request": "400: a field is missing or malformed; `errors` says which and why.",
    "invalid_idempotency_key": "400: the Idempotency-Key header is empty, too long or not ASCII.",
    "token_required": "401: this needs a token: send Authorization: Bearer <token>.",
    "invalid_token": "401: the token is unknown, revoked or malformed.",
    "insufficient_scope": "403: the token may only read.",
    "not_an_officer": "403: the token's officer account is disabled or no longer an officer.",
    "no_signing_key": "403: the officer has no signing key valid now.",
    "agreement_not_found": "404: no agreement has this id or reference.",
    "not_yet_recorded": "404: the agreement was not yet recorded at `known_at`.",
    "checkpoint_not_found": "404: no checkpoint of that size was issued.",
    "version_conflict": "409: someone recorded on the agreement first; nothing was stored.",
    "precondition_failed": "412: If-Match names an older version of the agreement.",
    "body_too_large": "413: the request body is larger than this API accepts.",
    "unsupported_media_type": "415: send the body as application/json.",
    "status_table_refused": "422: the status table is refused; `problems` lists each by line.",
    "idempotency_key_reused": "422: the Idempotency-Key was used for a different request.",
    "rate_limited": "429: too many requests; Retry-After says when to try again.",
    "integrity_failure": "500: a stored event failed verification; the registry will not serve it.",
}


def problem_type(code: str) -> str:
    """The problem's type: a URI reference to its entry on the API's docs page."""
    return f"{DOCS_PAGE}#problem-{code.replace('_', '-')}"


class ApiProblem(Exception):
    """An error the API reports as it is: a status, a machine-readable code and a sentence."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.title = title
        self.headers = headers or {}
        self.extensions = extensions

    def response(self) -> Response:
        return problem_response(
            self.status,
            self.detail,
            code=self.code,
            title=self.title,
            headers=self.headers,
            **self.extensions,
        )


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    code: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(code) if code else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    if code:
        body["code"] = code
    body.update({name: value for name, value in extensions.items() if value is not None})
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, sort_keys=True),
        status=status,
        mimetype=PROBLEM_JSON,
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# Handlers ---------------------------------------------------------------------------------------


def _api_problem(error: ApiProblem) -> Response:
    return error.response()


def _validation(error: ValidationError) -> Response:
    return validation_problem(error.normalized_messages())


def validation_problem(errors: Any) -> Response:
    return problem_response(
        400,
        "The request is not valid: see `errors` for what is wrong with each field.",
        code="invalid_request",
        errors=errors,
    )


def _invalid_event_data(error: InvalidEventData) -> Response:
    return validation_problem({"data": {error.field: [error.message]}})


def _invalid_date(error: InvalidDate) -> Response:
    return validation_problem({"effective": [str(error)]})


def _domain_refusal(error: DomainError) -> Response:
    if isinstance(error, NotYetRecorded):
        return problem_response(404, error.message, code=error.code, field=error.field)
    return problem_response(
        422, error.message, code=error.code, field=error.field, title="Refused by the domain rules"
    )


def _not_found(error: AgreementNotFound) -> Response:
    return problem_response(404, str(error), code="agreement_not_found")


def _conflict(error: VersionConflict) -> Response:
    return problem_response(409, str(error), code="version_conflict")


def _too_large(error: EnvelopeTooLarge) -> Response:
    return problem_response(413, str(error), code="envelope_too_large")


def _signing_refused(error: SigningRefused) -> Response:
    return problem_response(403, str(error), code="no_signing_key")


def _tampered(error: TamperedEvent) -> Response:
    current_app.logger.error("a stored event failed verification: %s", error)
    return problem_response(
        500,
        f"A stored event failed verification, so the registry will not serve it: {error}",
        code="integrity_failure",
    )


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    if status < 400:
        return error.get_response()
    data = getattr(error, "data", None) or {}
    if "messages" in data:  # webargs: errors per location; the locations do not overlap here
        merged: dict[str, Any] = {}
        for location, messages in data["messages"].items():
            if isinstance(messages, dict):
                merged.update(messages)
            else:  # the location as a whole, e.g. a body that is not JSON
                merged[location] = messages
        return validation_problem(merged)
    headers = {k: v for k, v in error.get_headers() if k in KEPT_HEADERS}
    headers.update(data.get("headers") or {})
    return problem_response(status, error.description, headers=headers)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _http(error)
    current_app.logger.error("unexpected error in the API", exc_info=error)
    return problem_response(500, "The registry could not finish this request; nothing was lost.")


def _views_incomplete(error: ViewsIncomplete) -> Response:
    return problem_response(503, str(error), headers={"Retry-After": "60"})


HANDLERS: list[tuple[type[Exception], Any]] = [
    (ViewsIncomplete, _views_incomplete),
    (ApiProblem, _api_problem),
    (ValidationError, _validation),
    (InvalidEventData, _invalid_event_data),
    (InvalidDate, _invalid_date),
    (DomainError, _domain_refusal),
    (AgreementNotFound, _not_found),
    (VersionConflict, _conflict),
    (EnvelopeTooLarge, _too_large),
    (SigningRefused, _signing_refused),
    (TamperedEvent, _tampered),
    (HTTPException, _http),
    (Exception, _unexpected),
]


def install(blueprint: Blueprint) -> None:
    for error_class, handler in HANDLERS:
        blueprint.register_error_handler(error_class, handler)


def problems_for_api_paths(app: Flask) -> None:
    """Errors raised outside the API's blueprints (routing, 405) still answer as problems."""

    @app.after_request
    def rewrite(response: Response) -> Response:
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and response.mimetype != PROBLEM_JSON
        ):
            problem = problem_response(
                response.status_code, _ROUTING_DETAIL.get(response.status_code)
            )
            response.set_data(problem.get_data())
            response.mimetype = PROBLEM_JSON
            response.headers["Cache-Control"] = "no-store"
        return response


_ROUTING_DETAIL = {
    404: "There is no API resource at this address: see /api/docs for the paths.",
    405: "This resource does not accept this method: the Allow header says which it does.",
}
