"""/audit/admin-trail: auditors (and administrators) read who changed which account, role,
signing key or API token, and when (registry.store.accounts.admin_trail)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from registry.store.public import AdminTrail, Role
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.security import install_error_pages

bp = Blueprint("admin_trail", __name__, url_prefix="/audit/admin-trail")
install_error_pages(bp)
require_login(bp)


@bp.get("")
@roles_required(Role.AUDITOR, Role.ADMIN)
def index() -> ResponseReturnValue:
    entries = AdminTrail(get_registry()).entries()
    return render_template("admin_trail/index.html", nav="audit", entries=entries)
