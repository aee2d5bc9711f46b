"""/api/docs: the API's documentation, rendered on the server from the OpenAPI document.

No scripts and nothing from other sites, so it works offline and under the site's strict
Content-Security-Policy.
"""

from __future__ import annotations

import inspect
from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from registry.domain import errors as domain_errors
from registry.web.api.problems import CODES

bp = Blueprint("api_docs_page", __name__, template_folder="templates")

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/docs")
def docs() -> ResponseReturnValue:
    spec = current_app.extensions["registry_api"].spec.to_dict()
    return render_template(
        "api/docs.html",
        spec=spec,
        operations=_operations(spec),
        problems=_problem_codes(),
    )


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            found.append(
                {
                    "anchor": f"{method}-{path.strip('/').replace('/', '-')}",
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [p for p in parameters if "name" in p],
                    "body": "requestBody" in operation,
                    "responses": sorted(k for k in operation.get("responses", {}) if k.isdigit()),
                    "token": operation.get("security") == [{"bearerAuth": []}],
                }
            )
    return found


def _problem_codes() -> list[tuple[str, str]]:
    codes = dict(CODES)
    for cls in domain_errors.all_error_classes():  # those declared beside their rules too
        if cls.code not in codes:
            doc = inspect.getdoc(cls) or ""
            codes[cls.code] = f"422: refused by the treaty rules. {doc}".strip()
    return sorted(codes.items())
