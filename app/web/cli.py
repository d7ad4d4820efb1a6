"""``linda callback-urls``: the one place the full webhook token is shown, audited."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.extensions import db
from app.staff.services import audit, cli_actor

CALLBACK_PATHS = ("ussd", "ussd/events", "sms/inbound", "sms/delivery")


@click.command("callback-urls")
@click.option("--base", default="http://127.0.0.1:5000", show_default=True,
              help="the public address Africa's Talking reaches Linda at")
@with_appcontext
def callback_urls_command(base: str) -> None:
    """Print the four callback URLs with the full token, to paste into Africa's Talking."""
    audit(cli_actor(), "callbacks.show_urls", None, None)
    db.session.commit()
    for path in CALLBACK_PATHS:
        click.echo(f"{base.rstrip('/')}/at/{current_app.config['LINDA_WEBHOOK_TOKEN']}/{path}")
