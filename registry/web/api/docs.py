"""/api/docs: the API's documentation, rendered on the server from the OpenAPI document.

No scripts and nothing from other sites, so it works offline and under the site's strict
Content-Security-Policy.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from registry.domain import errors as domain_errors
from registry.domain.catalogue import DECLARATIONS
from registry.domain.declaration import Declaration
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
        events=[_event_type(d, spec) for d in DECLARATIONS],
    )


def _event_type(declaration: Declaration, spec: dict[str, Any]) -> dict[str, Any]:
    data = spec["components"]["schemas"].get(f"{declaration.name}Data", {})
    required = set(data.get("required", []))
    fields = [
        {
            "name": name,
            "required": name in required,
            "type": field.get("type") or "object",
            "enum": field.get("enum"),
            "description": field.get("description", ""),
        }
        for name, field in data.get("properties", {}).items()
    ]
    example = spec["components"]["schemas"].get(f"{declaration.name}Event", {}).get("example")
    return {
        "name": declaration.name,
        "label": declaration.label,
        "article": declaration.article,
        "help": declaration.help,
        "fields": fields,
        "example": json.dumps(example, ensure_ascii=False, indent=2),
    }


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
    """Every problem code with its own description (a refusal's docstring)."""
    codes = dict(CODES)
    for cls in domain_errors.all_error_classes():
        if cls.code not in codes:
            doc = cls.__doc__ if "__doc__" in vars(cls) and cls.__doc__ else ""
            codes[cls.code] = f"422: {inspect.cleandoc(doc)}".strip()
    return sorted(codes.items())
