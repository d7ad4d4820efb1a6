"""``linda responders import FILE.csv`` and ``linda responders export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.csvfile import echo_import_result, read_import_file
from app.extensions import db
from app.referral.directory import (
    ImportFileError,
    export_rows,
    import_responders,
    parse_csv,
    write_csv,
)
from app.staff.services import audit, cli_actor


@click.group("responders", help="The responder directory (CSV, see docs/interface.md).")
def responders_cli() -> None:
    pass


@responders_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--added-by", default="Linda hotline", show_default=True,
              help="who new responders are told added them (in their confirmation SMS)")
@with_appcontext
def import_command(file: Path, added_by: str) -> None:
    """Add or update responders from FILE; nothing is written if any row is bad."""
    rows = read_import_file(file, parse_csv, ImportFileError)
    summary = import_responders(rows, actor=cli_actor(), added_by=added_by)
    db.session.commit()
    echo_import_result(file, len(summary.added), len(summary.updated), summary.unchanged,
                       len(summary.added), "responder(s)", "alerts")


@responders_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="write here instead of standard output")
@with_appcontext
def export_command(output: Path | None) -> None:
    """Write every responder as CSV (with confirmed and last_verified columns)."""
    rows = export_rows()
    # Full phone numbers leave the database here: who took them is on record first.
    audit(cli_actor(), "responders.export", "responder", None, rows=len(rows),
          to="stdout" if output is None else "file")
    db.session.commit()
    if output is None:
        write_csv(rows, sys.stdout)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        write_csv(rows, fh)
    click.echo(f"wrote {len(rows)} responder(s) to {output}", err=True)
