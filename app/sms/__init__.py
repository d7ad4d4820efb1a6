"""Sending SMS through Africa's Talking (outbox, worker, gateway) and receiving its callbacks."""

from __future__ import annotations

from flask import Flask

from app.sms.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Choose the gateway and register the sweeper (importing the tasks module does that)."""
    from app.sms import tasks  # noqa: F401 - importing registers @sweeper("sms")
    from app.sms.gateway import init_gateway

    init_gateway(app)
