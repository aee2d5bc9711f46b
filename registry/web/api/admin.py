"""/admin/tokens: API tokens. Administrators make read tokens and list and revoke every token;
an officer makes their own write (and read) tokens, logged in as themselves, and sees and
revokes only theirs: an administrator cannot mint a token that signs as an officer.

A new token's secret is shown once, on the page that answers the form, and never again: only
its hash is kept. The same operations are on the command line: `registry tokens`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from registry.store.public import ApiToken, ApiTokens, Role, Scope, TokenError
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.security import install_error_pages

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/tokens", template_folder="templates")
install_error_pages(bp)
require_login(bp)


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _mine(token: ApiToken) -> bool:
    """What the current user may see and revoke: every token for an admin, else their own."""
    me = current_user.username
    return current_user.is_admin or token.officer == me or token.created_by == me


def _page(status: int = 200, **page: Any) -> ResponseReturnValue:
    registry = get_registry()
    officer = current_user.may_record
    page.setdefault("values", {})
    page.setdefault("errors", {})
    return (
        render_template(
            "api/tokens.html",
            nav="tokens",
            tokens=[token for token in ApiTokens(registry).all() if _mine(token)],
            officers=[current_user.username] if officer else [],
            scopes=[s.value for s in Scope] if officer else [Scope.READ.value],
            **page,
        ),
        status,
    )


@bp.get("")
@roles_required(Role.ADMIN, Role.OFFICER)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("")
@roles_required(Role.ADMIN, Role.OFFICER)
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
@roles_required(Role.ADMIN, Role.OFFICER)
def revoke(token_id: str) -> ResponseReturnValue:
    try:
        if not _mine(ApiTokens(get_registry()).get(token_id)):
            abort(403)
        token = ApiTokens(get_registry()).revoke(token_id, revoked_by=current_user.username)
    except TokenError as error:
        return _page(404 if error.field == "token" else 409, problem=error.message)
    flash(
        _("Token %(id)s (%(name)s) is revoked: it no longer works.", id=token.id, name=token.name),
        "success",
    )
    return redirect(url_for("api_tokens.index"))
