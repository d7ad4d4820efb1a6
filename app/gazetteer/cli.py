"""``linda gazetteer …``"""

from __future__ import annotations

import click
import sqlalchemy.exc
from flask.cli import with_appcontext

from app.extensions import db
from app.gazetteer.loader import GazetteerDataError, load_gazetteer
from app.gazetteer.services import (
    GazetteerLookupError,
    council_label,
    councils_of,
    find_council,
    list_regions,
    require_region,
    wards_of,
)


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


@gazetteer_cli.command("show")
@click.argument("region", required=False)
@click.argument("council", required=False)
@with_appcontext
def show_command(region: str | None, council: str | None) -> None:
    """List regions; a region's councils; or a council's wards, with their ids.

    Names are matched as in the responder CSV ("dar es salaam", "Kondoa TC").
    """
    try:
        if region is None:
            regions = list_regions()
            if not regions:
                raise click.ClickException("the gazetteer is empty: run `linda gazetteer load`")
            for found in regions:
                click.echo(f"{found.id:<7} {found.name}")
            return
        found_region = require_region(region)
        if council is None:
            for found_council in councils_of(found_region.id):
                click.echo(f"{found_council.id:<12} {council_label(found_council)}")
            return
        found_council = find_council(found_region, council)
        for ward in wards_of(found_council.id):
            click.echo(f"{ward.id:<7} {ward.name}")
    except GazetteerLookupError as exc:
        raise click.ClickException(str(exc)) from None
