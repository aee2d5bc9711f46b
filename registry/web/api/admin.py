"""/admin/tokens: administrators make, list and revoke API tokens.

A new token's secret is shown once, on the page that answers the form, and never again: only
its hash is kept. The same operations are on the command line: `registry tokens`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from registry.store.accounts import Accounts, Role
from registry.store.tokens import ApiTokens, Scope, TokenError
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.security import install_error_pages

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/tokens", template_folder="templates")
install_error_pages(bp)
require_login(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _page(status: int = 200, **page: Any) -> ResponseReturnValue:
    registry = get_registry()
    officers = [
        account.username
        for account in Accounts(registry).all()
        if account.role is Role.OFFICER and not account.disabled
    ]
    page.setdefault("values", {})
    page.setdefault("errors", {})
    return (
        render_template(
            "api/tokens.html",
            nav="tokens",
            tokens=ApiTokens(registry).all(),
            officers=officers,
            scopes=[s.value for s in Scope],
            **page,
        ),
        status,
    )


@bp.get("")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("")
@roles_required(Role.ADMIN)
def create() -> ResponseReturnValue:
    values = {name: request.form.get(name, "").strip() for name in ("name", "scope", "officer")}
    scope = values["scope"] or Scope.READ.value
    try:
        token, secret = ApiTokens(get_registry()).create(
            values["name"],
            scope,
            created_by=current_user.username,
            officer=values["officer"] if scope == Scope.WRITE.value else None,
        )
    except TokenError as error:
        return _page(422, values=values, errors={error.field or "name": error.message})
    return _page(201, created=token, secret=secret)


@bp.post("/<token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke(token_id: str) -> ResponseReturnValue:
    try:
        token = ApiTokens(get_registry()).revoke(token_id, revoked_by=current_user.username)
    except TokenError as error:
        return _page(404 if error.field == "token" else 409, problem=error.message)
    flash(f"Token {token.id} ({token.name}) is revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.index"))
