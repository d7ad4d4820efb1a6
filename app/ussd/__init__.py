"""USSD reporting: the menu, the AT webhook, drafts, and the terminal simulator."""

from __future__ import annotations

import importlib

from flask import Flask

from app.ussd.views import bp


def init_app(app: Flask) -> None:
    """Check the menu (a broken screen or translation stops the start, not a caller), and
    register the simulator command and the draft sweeper."""
    from app.ussd.cli import ussd_command
    from app.ussd.menu import graph

    graph()

    importlib.import_module("app.ussd.tasks")  # registers the draft sweeper

    app.cli.add_command(ussd_command)


__all__ = ["bp", "init_app"]
