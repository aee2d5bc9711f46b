"""Logging in and out, who the current user is, and which roles may see which views.

A session names the user, a stamp of their password and disabled flag, and the secret of a
server-side session row (registry.store.accounts.sessions) that every request checks: logging
out deletes the row, so a copy of the cookie saved before is refused for reads and writes
alike; a new password, a role change or disabling the account deletes all of the user's
rows. Anonymous users see the login page and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from registry.store.public import Account, Accounts, Role, WebSessions
from registry.web.extensions import get_registry
from registry.web.security import install_error_pages, limit_login

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("auth", __name__)
install_error_pages(bp)


class User(UserMixin):  # type: ignore[misc]
    def __init__(self, account: Account, session_secret: str) -> None:
        self.account = account
        self.session_secret = session_secret

    def get_id(self) -> str:
        return f"{self.account.username}:{self.account.session_stamp}:{self.session_secret}"

    @property
    def username(self) -> str:
        return self.account.username

    @property
    def role(self) -> Role:
        return self.account.role

    @property
    def may_record(self) -> bool:
        return self.account.role.may_record

    @property
    def is_admin(self) -> bool:
        return self.account.role is Role.ADMIN


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to see this page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    limit_login(app, "auth.login")


def load_user(user_id: str) -> User | None:
    username, _, rest = user_id.partition(":")
    stamp, _, secret = rest.partition(":")
    if not secret:
        return None
    account = Accounts(get_registry()).find(username)
    if account is None or account.disabled or account.session_stamp != stamp:
        return None
    if not WebSessions(get_registry()).is_open(username, secret):
        return None  # logged out, or ended by a change to the account
    return User(account, secret)


def accounts() -> Accounts:
    return Accounts(get_registry())


def require_login(blueprint: Blueprint) -> None:
    """Every view of `blueprint` needs a logged-in user; anonymous users go to the login page."""

    @blueprint.before_request
    def must_be_logged_in() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return None


def roles_required(*roles: Role) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (open redirect) or a scheme."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_url or landing_page())
        return render_template("auth/login.html", next_url=next_url, username="")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    account = accounts().authenticate(username, password) if username and password else None
    if account is None:
        message = "The username or password is not right, or the account is disabled."
        return (
            render_template("auth/login.html", next_url=next_url, username=username, error=message),
            401,
        )
    session.clear()  # a new session for the new user: no fixation
    login_user(User(account, WebSessions(get_registry()).open(account.username)))
    return redirect(next_url or landing_page())


def landing_page() -> str:
    """Where a role starts its work: the auditor's workspace for auditors, else the list."""
    if getattr(current_user, "role", None) is Role.AUDITOR:
        return url_for("audit.index")
    return url_for("agreements.index")


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        WebSessions(get_registry()).end(current_user.session_secret)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login", logged_out=1))


@bp.errorhandler(429)
def too_many_attempts(_error: Exception) -> ResponseReturnValue:
    message = "Too many login attempts from this address. Please wait a minute and try again."
    username = request.form.get("username", "")
    return render_template("auth/login.html", next_url=None, username=username, error=message), 429
