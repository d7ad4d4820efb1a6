"""Hotline staff: accounts, sign-in, the dashboard under ``/staff/`` and the audit trail.

The interface other dashboard pages build on is described in ``app/staff/README.md``.
"""

from __future__ import annotations

import importlib

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from app.staff.cli import staff_cli

csrf = CSRFProtect()

#: Blueprints whose POSTs come from machines (AT callbacks, the sandbox's API), not forms.
CSRF_EXEMPT_FEATURES = ("app.sms", "app.ussd", "app.sandbox")


def init_app(app: Flask) -> None:
    from app.staff import web

    app.cli.add_command(staff_cli)
    production = app.config.get("LINDA_ENV") == "production"
    app.config.setdefault("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60)
    app.config.setdefault("STAFF_SESSION_MAX_SECONDS", 12 * 3600)
    app.config.setdefault("STAFF_QUEUE_REFRESH_SECONDS", 10)
    app.config.setdefault("STAFF_SECURE_COOKIES", False)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    if production or app.config.get("STAFF_SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    app.config.setdefault("WTF_CSRF_SSL_STRICT", production)
    csrf.init_app(app)
    for name in CSRF_EXEMPT_FEATURES:
        bp = getattr(importlib.import_module(name), "bp", None)
        if bp is not None:
            csrf.exempt(bp)
    web.init_web(app)
