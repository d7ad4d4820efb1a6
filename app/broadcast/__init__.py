"""Coordination messages from staff to the responders of chosen places and roles."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.broadcast.cli import broadcast_cli
    from app.broadcast.views import bp

    app.cli.add_command(broadcast_cli)
    app.register_blueprint(bp)
