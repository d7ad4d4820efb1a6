"""``linda stats refresh [--full]``"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.stats.rollup import refresh


@click.group("stats", help="Statistics roll-ups behind the staff statistics page.")
def stats_cli() -> None:
    pass


@stats_cli.command("refresh")
@click.option("--full", is_flag=True, help="rewrite every week, not only the changed ones")
@with_appcontext
def refresh_command(full: bool) -> None:
    """Rewrite the weekly roll-ups (the worker does this by itself every reconcile round)."""
    weeks = refresh(full=full)
    db.session.commit()
    click.echo(f"{weeks} week(s) rewritten")
