"""Where every blueprint is registered, in one place."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from registry.web import i18n

    i18n.init_app(app)  # the interface's language, before any page is drawn

    from registry.web import health

    app.register_blueprint(health.bp)

    from registry.web import officer

    officer.init_app(app)  # login, agreements, forms, admin; CSRF and security headers

    from registry.web import audit

    app.register_blueprint(audit.bp)  # /audit: the auditor's workspace

    from registry.web import admin_trail

    app.register_blueprint(admin_trail.bp)  # /audit/admin-trail: who changed accounts and keys

    from registry.web import api, feeds

    api.init_api(app)  # /api/v1, /api/openapi.json, /api/docs, /admin/tokens
    feeds.register(app)  # /feeds/*.atom

    from registry.web import witness

    witness.register(app)  # /witness: this instance as a witness of other logs
