"""Statistics for supervisors, viewers and partners: weekly roll-ups, charts, a map, CSV."""

from __future__ import annotations

from flask import Flask

from app.stats.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from app.stats import tasks
    from app.stats.cli import stats_cli
    from app.worker.reconcile import register_sweeper

    register_sweeper(app, "stats-rollup", tasks.sweep_rollups)
    app.cli.add_command(stats_cli)
