"""``linda keys rotate``: after listing a new key first in ``LINDA_DATA_KEY`` (``2:new,1:old``)
and restarting every process, re-seal all personal data under it while Linda keeps running."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.keys.services import remaining, rotate
from app.privacy import vault
from app.staff.services import audit, cli_actor


@click.group("keys", help="The data encryption key (LINDA_DATA_KEY).")
def keys_cli() -> None:
    pass


@keys_cli.command("rotate")
@click.option("--batch", type=click.IntRange(min=1), default=200, show_default=True,
              help="rows re-sealed per transaction")
@click.option("--pause", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="seconds to wait between batches, to spare a busy database")
@with_appcontext
def rotate_command(batch: int, pause: float) -> None:
    """Re-seal every value under the first key of LINDA_DATA_KEY; safe to stop and re-run."""
    current = vault().current
    audit(cli_actor(), "keys.rotate", None, None, to_version=current)
    db.session.commit()
    total = 0
    for table, done in rotate(batch):
        total += done
        click.echo(f"{table}: {done} row(s) re-sealed under key version {current}")
        if pause:
            time.sleep(pause)
    left = remaining()
    if left:
        raise click.ClickException(f"rows still under an older key (locked or written by an "
                                   f"older process): {left}; run `linda keys rotate` again")
    older = sorted(v for v in vault().keys if v != current)
    click.echo(f"done: {total} row(s) re-sealed; every value is under key version {current}.")
    if older:
        click.echo(f"Versions {older} no longer open any value. Keep version 1 listed: it "
                   "still keys the blind index of phone numbers (see docs/SECURITY.md).")
