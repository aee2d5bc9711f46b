"""flask-smorest, set up the registry's way: problem+json errors, 400 for invalid input.

flask-smorest would register one JSON error handler for the whole application, which would
turn the officers' HTML error pages into JSON; here errors are handled per API blueprint
instead (problems.install), and the documented error responses are RFC 9457 problems.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any, TypeVar

import flask_smorest
from flask_smorest.utils import prepare_response
from marshmallow import missing
from webargs.flaskparser import FlaskParser, is_json_request

from registry.web.api import access, caching
from registry.web.api.problems import PROBLEM_JSON, ApiProblem
from registry.web.api.problems import install as install_problems
from registry.web.api.schemas import ProblemSchema
from registry.web.input_rules import UnacceptableJson, load_json

F = TypeVar("F", bound=Callable[..., Any])

BEARER = "bearerAuth"
READ_SECURITY = [{}, {BEARER: []}]  # public or token-only, as the registry is configured
WRITE_SECURITY = [{BEARER: []}]

CACHE_HEADERS = {
    "ETag": {"description": "Entity tag; send it in If-None-Match.", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}
LINK_HEADER = {
    "Link": {"description": "RFC 8288 links: next, prev, first.", "schema": {"type": "string"}}
}


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Any) -> Any:
        """The body by the application's JSON rules (depth, duplicate keys, characters)."""
        if not is_json_request(req):
            return missing
        try:
            return load_json(req.get_data(cache=True))
        except UnacceptableJson as error:
            raise ApiProblem(
                400,
                "The request is not valid: see `errors` for what is wrong with each field.",
                code="invalid_request",
                errors=error.errors,
            ) from None
        except ValueError:
            raise ApiProblem(
                400,
                "The body is not valid JSON.",
                code="invalid_request",
                errors={"json": ["Invalid JSON body."]},
            ) from None


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


def api_blueprint(name: str, import_name: str, **options: Any) -> ApiBlueprint:
    """A blueprint of the API: guarded, conditional, answering errors as problems."""
    blueprint = ApiBlueprint(name, import_name, **options)
    access.guard(blueprint)
    caching.conditional(blueprint)
    install_problems(blueprint)
    return blueprint


class RegistryApi(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Nothing application-wide: see problems.install."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            content_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
            if status >= 400:
                response["schema"] = ProblemSchema
                content_type = PROBLEM_JSON
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other error, as a problem", "schema": ProblemSchema}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def problems(blueprint: flask_smorest.Blueprint, *statuses: int) -> Callable[[F], F]:
    """Document the problem responses a view may answer with."""

    def decorate(view: F) -> F:
        for status in statuses:
            view = blueprint.alt_response(status, response=http.HTTPStatus(status).name)(view)
        return view

    return decorate
