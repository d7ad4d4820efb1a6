"""Protection centres: the directory (CSV), places asked for by SMS, admission and discharge."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the sweeper and ``linda centres``."""
    from app.centres import tasks  # noqa: F401 - registers the sweeper
    from app.centres.cli import centres_cli
    from app.centres.views import bp

    app.cli.add_command(centres_cli)
    app.register_blueprint(bp)
