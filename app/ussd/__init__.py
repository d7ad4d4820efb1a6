"""USSD reporting: the menu, the AT webhook, drafts, and the terminal simulator."""

from __future__ import annotations

from flask import Flask

from app.ussd import tasks
from app.ussd.cli import ussd_command
from app.ussd.menu import graph
from app.ussd.views import bp
from app.worker.reconcile import register_sweeper


def init_app(app: Flask) -> None:
    """Check the menu (a broken screen or translation stops the start, not a caller), and
    register the simulator command, the draft sweeper and the replay of reports spooled
    during a database outage."""
    graph()
    register_sweeper(app, "ussd-drafts", tasks.purge_ussd_drafts)
    register_sweeper(app, "ussd-spool", tasks.replay_spooled_reports)
    app.cli.add_command(ussd_command)


__all__ = ["bp", "init_app"]
