"""Printable PDFs (WeasyPrint): the audit report and an agreement's status table, each with
the verification summary and the signed checkpoint it was checked against.

The page is the same HTML the browser prints; its stylesheets are read from the static
folder, and nothing is fetched over the network.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from registry.store.public import AgreementNotFound
from registry.web.extensions import get_registry


def _without_links(html: str) -> str:
    """The page with no <link> or <script>: its stylesheets are given from the static folder
    instead, so nothing is fetched."""
    return re.sub(r"<link [^>]*>|<script [^>]*></script>", "", html)


def verification() -> dict[str, Any]:
    """The whole store verified now, and the checkpoint it was checked against."""
    registry = get_registry()
    result = registry.verify_store()
    checkpoint = None
    if result.checkpoint_size is not None:
        checkpoint = registry.checkpoint_of_size(result.checkpoint_size)
    return {"result": result, "checkpoint": checkpoint, "checked": datetime.now(UTC)}


def pdf_response(html: str, name: str) -> Response:
    from weasyprint import CSS, HTML

    folder = Path(current_app.static_folder or "")
    sheets = [CSS(filename=str(folder / name)) for name in ("registry.css", "print.css")]
    document = HTML(string=_without_links(html)).render(stylesheets=sheets)
    response = Response(document.write_pdf(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def agreement_status_pdf(ref: str) -> ResponseReturnValue:
    try:
        state = get_registry().state(ref)
    except AgreementNotFound:
        abort(404)
    html = render_template(
        "agreements/status_print.html", state=state, verified=verification(), nav=None
    )
    return pdf_response(html, f"{state.reference}-status-{datetime.now(UTC):%Y%m%d}.pdf")
