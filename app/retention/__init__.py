"""Retention: personal data is kept only as long as it serves a child's case."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add ``linda retention`` and register the reconciler's retention sweeper."""
    from app.retention import tasks
    from app.retention.cli import retention_cli
    from app.worker.reconcile import register_sweeper

    app.cli.add_command(retention_cli)
    register_sweeper(app, "retention", tasks.enforce_retention)
