"""``linda followup list`` (check-ins due, done, overdue) and ``linda followup figures``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.cases.models import Case
from app.extensions import db
from app.followup.figures import by_council, placed_per_centre
from app.followup.models import CheckIn, CheckInStatus
from app.staff.services import audit


@click.group("followup", help="Check-ins after a child is returned or placed.")
def followup_cli() -> None:
    pass


@followup_cli.command("list")
@click.option("--status", type=click.Choice([s.value for s in CheckInStatus]),
              help="only check-ins in this status")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def list_command(status: str | None, limit: int) -> None:
    """Check-ins, soonest due first: case number, n/of, status, due, answer. Audited."""
    query = sa.select(CheckIn, Case.reference).join(Case, Case.id == CheckIn.case_id)
    if status:
        query = query.where(CheckIn.status == CheckInStatus(status))
    rows = db.session.execute(query.order_by(CheckIn.due_at, CheckIn.id).limit(limit)).all()
    audit("cli", "followup.list", "checkin", None, status=status, count=len(rows))
    db.session.commit()
    if not rows:
        click.echo("no check-ins")
        return
    click.echo(f"{'case':8} {'n':>5} {'status':10} {'due (UTC)':17} {'answer':10}")
    for row, ref in rows:
        due = row.due_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{ref:8} {row.number:>2}/{row.of:<2} {row.status.value:10} {due:17} "
                   f"{row.answer or '':10}")


@followup_cli.command("figures")
@with_appcontext
def figures_command() -> None:
    """For partners: children placed per centre; check-ins done, overdue and concerns by
    council. Counts from 1 to 4 show as <5."""
    audit("cli", "followup.figures", None, None)
    db.session.commit()
    click.echo("children placed per centre")
    for name, placed in placed_per_centre():
        click.echo(f"  {name[:50]:50} {placed:>5}")
    click.echo("check-ins by council (done, overdue, concerns after closing)")
    for row in by_council():
        click.echo(f"  {row.council[:40]:40} {row.checkins_done:>5} {row.checkins_overdue:>5} "
                   f"{row.concerns:>5}")
