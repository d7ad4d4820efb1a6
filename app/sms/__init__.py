"""Sending SMS through Africa's Talking (outbox, worker, gateway) and receiving its callbacks."""

from __future__ import annotations

from flask import Flask

from app.sms import tasks
from app.sms.gateway import init_gateway
from app.sms.views import bp
from app.worker.reconcile import register_sweeper

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Choose the gateway and register the outbox and inbox sweeper."""
    init_gateway(app)
    register_sweeper(app, "sms", tasks.sweep_sms)
