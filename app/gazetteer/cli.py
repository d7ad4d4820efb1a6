"""``linda gazetteer …``"""

from __future__ import annotations

import click
import sqlalchemy.exc
from flask.cli import with_appcontext

from app.extensions import db
from app.gazetteer.loader import GazetteerDataError, load_gazetteer


@click.group("gazetteer", help="Regions, councils and wards of Tanzania.")
def gazetteer_cli() -> None:
    pass


@gazetteer_cli.command("load")
@with_appcontext
def load_command() -> None:
    """Load the shipped regions, councils and wards; safe to run again."""
    try:
        result = load_gazetteer()
        db.session.commit()
    except GazetteerDataError as exc:
        db.session.rollback()
        raise click.ClickException(f"gazetteer data: {exc}; nothing was loaded") from None
    except sqlalchemy.exc.ProgrammingError as exc:
        # PostgreSQL reports a missing table as a programming error, not an operational one.
        db.session.rollback()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise click.ClickException(
            f"cannot write the gazetteer: {reason}. Run `linda db upgrade` first.") from None
    click.echo(str(result))
