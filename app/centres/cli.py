"""``linda centres import FILE.csv``, ``export`` and ``list`` (occupancy)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.centres.directory import (
    ImportFileError,
    export_rows,
    import_centres,
    parse_csv,
    write_csv,
)
from app.centres.models import Centre
from app.csvfile import echo_import_result, read_import_file
from app.extensions import db
from app.staff.services import audit, cli_actor


@click.group("centres", help="Protection centres (CSV: name,kind,region,council,ward,"
                             "services,takes,ages,beds,contacts).")
def centres_cli() -> None:
    pass


@centres_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--added-by", default="Linda hotline", show_default=True,
              help="who new contacts are told added them (in their confirmation SMS)")
@with_appcontext
def import_command(file: Path, added_by: str) -> None:
    """Add or update centres from FILE; nothing is written if any row is bad."""
    rows = read_import_file(file, parse_csv, ImportFileError)
    summary = import_centres(rows, actor=cli_actor(), added_by=added_by)
    db.session.commit()
    echo_import_result(file, len(summary.added), len(summary.updated), summary.unchanged,
                       len(summary.new_contacts), "contact(s)", "placement requests")


@centres_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="write here instead of standard output")
@with_appcontext
def export_command(output: Path | None) -> None:
    """Write every centre as CSV (with taken and free columns). Audited: it holds numbers."""
    rows = export_rows()
    audit(cli_actor(), "centres.export", "centre", None, count=len(rows))
    db.session.commit()
    if output is None:
        write_csv(rows, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        write_csv(rows, fh)
    click.echo(f"wrote {len(rows)} centre(s) to {output}", err=True)


@centres_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Occupancy: every centre with its beds, places taken and free."""
    centres = db.session.scalars(sa.select(Centre).order_by(Centre.name)).all()
    if not centres:
        click.echo("no centres yet: `linda centres import FILE.csv` (see docs/centres.csv)")
        return
    click.echo(f"{'centre':40} {'kind':18} {'beds':>5} {'taken':>6} {'free':>5}")
    for c in centres:
        click.echo(f"{c.name[:40]:40} {c.kind.value:18} {c.beds:>5} {c.taken:>6} {c.free:>5}")
