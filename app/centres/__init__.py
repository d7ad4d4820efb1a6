"""Protection centres: the directory (CSV), places asked for by SMS, admission and discharge."""

from __future__ import annotations

from flask import Flask

from app.worker.reconcile import register_sweeper


def init_app(app: Flask) -> None:
    """Register the sweeper, ``linda centres`` and the dashboard page."""
    from app.centres.cli import centres_cli
    from app.centres.tasks import sweep_placements
    from app.centres.views import bp

    app.cli.add_command(centres_cli)
    app.register_blueprint(bp)
    register_sweeper(app, "centres-placements", sweep_placements)
