"""``linda staff …``"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.staff.services import StaffInputError, create_staff


@click.group("staff", help="Hotline dashboard users.")
def staff_cli() -> None:
    pass


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, supervisor or agent")
@with_appcontext
def create_command(email: str, role: str) -> None:
    """Create a dashboard user and print a one-time password."""
    try:
        user, password = create_staff(email, role)
    except StaffInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role.value}); one-time password: {password}")
    click.echo("They must change it at first sign-in.")
