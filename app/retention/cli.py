"""``linda retention run [--dry-run]``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.retention.services import plan, run
from app.staff.services import audit, cli_actor


@click.group("retention", help="Forget personal data past its retention (RETENTION_*).")
def retention_cli() -> None:
    pass


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="only show what would go")
@with_appcontext
def run_command(dry_run: bool) -> None:
    """Apply the retention rules now (the worker also does it at every reconcile)."""
    counts = plan() if dry_run else run()
    audit(cli_actor(), "retention.dry_run" if dry_run else "retention.run", None, None,
          **{k.replace(" ", "_"): v for k, v in counts.items()})
    db.session.commit()
    verb = "would change" if dry_run else "changed"
    for what, n in counts.items():
        click.echo(f"{what}: {n}")
    click.echo(f"({verb} {sum(counts.values())} row(s))")
