"""System health for admins: queues, failed jobs, due work, SMS errors, worker heartbeat."""

from __future__ import annotations

from flask import Flask

from app.health.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from app.health import tasks
    from app.worker.reconcile import register_sweeper

    register_sweeper(app, "heartbeat", tasks.beat)
