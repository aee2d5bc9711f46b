"""The treaty officer's web interface: agreement list and pages, event forms, corrections.

`init_app` installs everything the browser side needs (CSRF, security headers, login, the
login rate limit) and registers the blueprints of the login pages, the agreements and admin.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from registry.web.auth import require_login
from registry.web.security import install_error_pages

bp = Blueprint("agreements", __name__)
install_error_pages(bp)
require_login(bp)


def init_app(app: Flask) -> None:
    from registry.web import admin, auth, refusals, security
    from registry.web.officer import (  # noqa: F401 - their routes join bp
        correcting,
        listing,
        page,
        parties,
        present,
        recording,
    )

    security.init_app(app)
    present.init_app(app)
    refusals.init_app(app)
    app.register_blueprint(auth.bp)
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(admin.bp)
