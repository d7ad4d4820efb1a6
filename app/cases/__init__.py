"""Cases: a report about a child, its life cycle and timeline, and ``linda cases``."""

from __future__ import annotations

from flask import Flask

from app.cases.cli import cases_cli


def init_app(app: Flask) -> None:
    """Add the ``linda cases`` command."""
    app.cli.add_command(cases_cli)
