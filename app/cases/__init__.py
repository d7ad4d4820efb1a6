"""Cases: a report about a child, its life cycle and timeline, and ``linda cases``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the ``linda cases`` command."""
    from app.cases.cli import cases_cli

    app.cli.add_command(cases_cli)
