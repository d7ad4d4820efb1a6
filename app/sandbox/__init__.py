"""The built-in Africa's Talking sandbox: a fake AT and a page of virtual phones.

Served at ``/sandbox/`` only when no AT account is configured (or in tests). The real SDK posts
to ``/sandbox/version1/messaging``; the sandbox answers like AT, shows each SMS on a virtual
phone, posts delivery reports and replies to Linda's own webhooks, and drives the USSD
webhook from a dial pad.
"""

from __future__ import annotations

from flask import Flask

from app.sandbox import tasks
from app.sandbox.views import bp
from app.worker.reconcile import register_sweeper

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Resolve the sandbox's settings and register its delivery-report sweeper."""
    if app.config.get("SANDBOX_DLR_DELAY_SECONDS") is None:
        testing = app.config.get("LINDA_ENV") == "testing"
        app.config["SANDBOX_DLR_DELAY_SECONDS"] = 0.0 if testing else 1.0
    app.config.setdefault("SANDBOX_TIMEOUT_SECONDS", 12.0)
    register_sweeper(app, "sandbox-delivery-reports", tasks.sweep_delivery_reports)
