"""Admin pages: web accounts (add, password, role, disable) and officers' signing keys
(register, rotate, revoke: signed keyring events recorded by the registry authority)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from registry.domain.errors import DomainError
from registry.store.public import (
    AccountError,
    Accounts,
    AdminAction,
    AdminTrail,
    KeyStoreError,
    Role,
    StoreError,
    UnknownUser,
)
from registry.web.auth import require_login, roles_required
from registry.web.extensions import get_registry
from registry.web.refusals import refusal_text
from registry.web.schemas import InstantField
from registry.web.security import install_error_pages

bp = Blueprint("admin", __name__, url_prefix="/admin")
install_error_pages(bp)
require_login(bp)

KEY_ERRORS = (DomainError, KeyStoreError, StoreError)


def accounts() -> Accounts:
    return Accounts(get_registry())


def render_users(status: int = 200, **page: Any) -> ResponseReturnValue:
    page.setdefault("errors", {})
    page.setdefault("values", {})
    return (
        render_template(
            "admin/users.html",
            nav="users",
            users=accounts().all(),
            officers=get_registry().trust().officers(),
            roles=[r.value for r in Role],
            **page,
        ),
        status,
    )


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_users()


@bp.post("/users")
@roles_required(Role.ADMIN)
def add_user() -> ResponseReturnValue:
    values = request.form
    username = values.get("username", "").strip()
    try:
        account = accounts().add(
            username, values.get("password", ""), values.get("role", ""), by=current_user.username
        )
    except AccountError as error:
        errors = {error.field or "username": [error.message]}
        return render_users(
            400, errors=errors, values={"username": username, "role": values.get("role", "")}
        )
    note = ""
    if account.role is Role.OFFICER and account.username not in get_registry().trust().officers():
        note = " " + _(
            "They have no signing key yet: register one below before they record events."
        )
    role = _(account.role.value)
    flash(_("Added %(role)s %(user)s.", role=role, user=account.username) + note, "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>")
@roles_required(Role.ADMIN)
def change_user(username: str) -> ResponseReturnValue:
    values = request.form
    change = values.get("change", "")
    try:
        accounts().get(username)
        if change == "password":
            accounts().set_password(username, values.get("password", ""), by=current_user.username)
            message = _(
                "Changed the password of %(user)s; their open sessions have ended.", user=username
            )
        elif change == "role":
            if username == current_user.username:
                raise AccountError(_("You cannot change your own role."), field="role")
            accounts().set_role(username, values.get("role", ""), by=current_user.username)
            message = _("%(user)s is now %(role)s.", user=username, role=_(values.get("role", "")))
        elif change in ("disable", "enable"):
            if username == current_user.username:
                raise AccountError(_("You cannot disable your own account."), field="disabled")
            accounts().set_disabled(username, change == "disable", by=current_user.username)
            done = _("Disabled %(user)s.") if change == "disable" else _("Enabled %(user)s.")
            message = done % {"user": username}
        else:
            raise AccountError(_("Choose what to change."))
    except UnknownUser:
        abort(404)
    except AccountError as error:
        return render_users(400, problem=f"{username}: {error.message}")
    flash(message, "success")
    return redirect(url_for("admin.users"))


# -- signing keys -------------------------------------------------------------------------------


def render_keys(status: int = 200, **page: Any) -> ResponseReturnValue:
    officers = get_registry().trust().officers()
    now = datetime.now(UTC)
    return (
        render_template(
            "admin/keys.html",
            nav="keys",
            officers=sorted(officers.items()),
            now=now,
            officer_accounts=[a.username for a in accounts().all() if a.role is Role.OFFICER],
            witnesses=list(get_registry().witness_states().values()),
            **page,
        ),
        status,
    )


@bp.get("/keys")
@roles_required(Role.ADMIN)
def keys() -> ResponseReturnValue:
    return render_keys()


def _reason() -> str | None:
    return request.form.get("reason", "").strip() or None


@bp.post("/keys/register")
@roles_required(Role.ADMIN)
def register_key() -> ResponseReturnValue:
    officer = request.form.get("officer", "").strip()
    try:
        keyid = get_registry().register_officer(officer, reason=_reason())
    except KEY_ERRORS as error:
        return render_keys(422, problem=_message(error))
    _trail(AdminAction.KEY_REGISTERED, officer, f"key {keyid}")
    flash(_("Registered key %(key)s for %(officer)s.", key=keyid, officer=officer), "success")
    return redirect(url_for("admin.keys"))


@bp.post("/keys/<officer>/rotate")
@roles_required(Role.ADMIN)
def rotate_key(officer: str) -> ResponseReturnValue:
    try:
        keyid = get_registry().rotate_officer_key(officer, reason=_reason())
    except KEY_ERRORS as error:
        return render_keys(422, problem=_message(error))
    _trail(AdminAction.KEY_ROTATED, officer, f"now key {keyid}")
    flash(
        _(
            "Rotated %(officer)s to key %(key)s; the old key signs nothing from now on.",
            officer=officer,
            key=keyid,
        ),
        "success",
    )
    return redirect(url_for("admin.keys"))


@bp.post("/keys/<officer>/<keyid>/revoke")
@roles_required(Role.ADMIN)
def revoke_key(officer: str, keyid: str) -> ResponseReturnValue:
    reason = _reason()
    raw_from = request.form.get("invalid_from", "").strip()
    try:
        if not reason:
            raise AccountError("Give the reason for revoking the key.")
        invalid_from = InstantField().deserialize(raw_from) if raw_from else None
        get_registry().revoke_officer_key(officer, keyid, reason=reason, invalid_from=invalid_from)
    except ValidationError:
        return render_keys(400, problem="Invalid from: enter an instant like 2026-03-01T12:00:00Z.")
    except (AccountError, *KEY_ERRORS) as error:
        return render_keys(422, problem=_message(error))
    _trail(AdminAction.KEY_REVOKED, officer, f"key {keyid}: {reason}")
    flash(_("Revoked key %(key)s of %(officer)s.", key=keyid, officer=officer), "success")
    return redirect(url_for("admin.keys"))


def _trail(action: AdminAction, subject: str, detail: str) -> None:
    """Keys change by signed keyring events (in the log); the trail says which admin did it."""
    AdminTrail(get_registry()).note(current_user.username, action, subject, detail)


def _message(error: Exception) -> str:
    if isinstance(error, DomainError):
        return refusal_text(error)
    return getattr(error, "message", None) or str(error)
