"""POST /api/v1/imports/status: a UN-style status table in, for a write token's officer.

The body is JSON: the table's CSV as text (`status`) or as base64 of its bytes
(`status_base64`, so that a file that is not UTF-8 is refused as such), the treaty description
(`treaty`, the object of TREATY.json) and `dry_run`. The same use case as `registry
import-status`: a refused table is a 422 problem listing every problem by line, nothing
written; otherwise 201 with what was recorded (200 for a dry run or nothing new).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validates_schema
from werkzeug.wrappers import Response

from registry.store.public import ImportRefused
from registry.web.api.access import writer
from registry.web.api.base import WRITE_SECURITY, api_blueprint, problems
from registry.web.api.problems import problem_response
from registry.web.extensions import get_registry

blp = api_blueprint(
    "api_imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="Imports: depositaries' status tables recorded as signed events.",
)


class StatusImportSchema(Schema):
    status = fields.String(metadata={"description": "The status table's CSV, as text."})
    status_base64 = fields.String(metadata={"description": "Or its bytes, base64."})
    treaty = fields.Dict(required=True, metadata={"description": "TREATY.json's object."})
    dry_run = fields.Boolean(load_default=False)

    @validates_schema
    def one_table(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("status" in data) == ("status_base64" in data):
            raise ValidationError("Send the table as either status or status_base64.", "status")


class StatusImportedSchema(Schema):
    reference = fields.String()
    dry_run = fields.Boolean()
    new_agreement = fields.Boolean()
    recorded = fields.Integer()
    acts = fields.Dict(keys=fields.String(), values=fields.Integer())
    participants = fields.Integer()
    footnotes_not_recorded = fields.Integer()
    contradictions = fields.List(fields.String())
    parties = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    version = fields.Integer(allow_none=True)


@blp.route("/status")
class StatusImport(MethodView):
    @blp.arguments(StatusImportSchema)
    @blp.response(201, StatusImportedSchema)
    @blp.alt_response(200, schema=StatusImportedSchema, description="A dry run, or nothing new.")
    @problems(blp, 400, 401, 403, 409, 413, 415, 422, 429)
    @blp.doc(security=WRITE_SECURITY)
    def post(self, body: dict[str, Any]) -> Any:
        """Import a UN status table: every new signature and consent, signed by the officer

        A second import of the same table records nothing; a newer table records only its
        new acts and lists each contradiction with what is recorded (never overwritten).
        """
        acting = writer()
        if "status" in body:
            table = body["status"].encode("utf-8")
        else:
            try:
                table = base64.b64decode(body["status_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError({"status_base64": ["Not base64."]}) from None
        treaty = json.dumps(body["treaty"], ensure_ascii=False).encode("utf-8")
        try:
            outcome = get_registry().import_status(
                table,
                treaty,
                officer=acting.officer,
                dry_run=body["dry_run"],
            )
        except ImportRefused as refused:
            return _refused(refused)
        status = 201 if outcome.recorded is not None else 200
        return outcome.summary(), status


def _refused(refused: ImportRefused) -> Response:
    return problem_response(
        422,
        f"The status table is refused with {len(refused.problems)} problems; nothing was recorded.",
        code="status_table_refused",
        title="Status table refused",
        problems=[{"line": p.line, "message": p.message} for p in refused.problems],
    )
