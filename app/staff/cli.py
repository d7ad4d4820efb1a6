"""``linda staff create|disable|reset``"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.staff.services import StaffInputError, create_staff, disable_staff, reset_staff


@click.group("staff", help="Hotline dashboard users.")
def staff_cli() -> None:
    pass


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, supervisor, agent or viewer")
@click.option("--region", "regions", multiple=True,
              help="a region an agent may see (repeat for several)")
@with_appcontext
def create_command(email: str, role: str, regions: tuple[str, ...]) -> None:
    """Create a dashboard user and print a one-time password."""
    try:
        user, password = create_staff(email, role, regions)
    except StaffInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    scope = f" in {', '.join(r.name for r in user.regions)}" if user.regions else ""
    click.echo(f"created {user.email} ({user.role.value}{scope}); one-time password: {password}")
    click.echo("They must change it at first sign-in.")


@staff_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str) -> None:
    """Stop an account; every session it has ends at once."""
    try:
        user = disable_staff(email)
    except StaffInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"disabled {user.email}; its sessions have ended")


@staff_cli.command("reset")
@click.argument("email")
@with_appcontext
def reset_command(email: str) -> None:
    """Give an account a new one-time password (and a new authenticator enrolment)."""
    try:
        user, password = reset_staff(email)
    except StaffInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"reset {user.email}; one-time password: {password}")
    click.echo("They must change it at first sign-in; admins and supervisors enrol TOTP again.")
