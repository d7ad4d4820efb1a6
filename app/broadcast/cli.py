"""``linda broadcast send …`` (recipients and cost first, then confirm), ``list``, ``show``."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from app.broadcast import services as svc
from app.broadcast.models import Broadcast
from app.extensions import db
from app.privacy import mask_phone
from app.staff.services import audit


def _split(values: tuple[str, ...]) -> list[str]:
    """``--role a --role b`` and ``--role a,b`` alike."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.group("broadcast", help="Coordination messages to responders.")
def broadcast_cli() -> None:
    pass


@broadcast_cli.command("send")
@click.option("--role", "roles", multiple=True, help="responder role (repeat, or a,b)")
@click.option("--region", "regions", multiple=True, help="region name (repeat, or a,b)")
@click.option("--council", "councils", multiple=True,
              help="only this council of a region given (repeat)")
@click.option("--ward", "wards", multiple=True, help="only this ward of a council given")
@click.option("--sw", "text_sw", required=True, help="the Swahili text")
@click.option("--en", "text_en", required=True, help="the English text")
@click.option("--dry-run", is_flag=True, help="show recipients and cost, send nothing")
@click.option("--yes", "-y", is_flag=True, help="send without asking to confirm")
@with_appcontext
def send_command(roles: tuple[str, ...], regions: tuple[str, ...], councils: tuple[str, ...],
                 wards: tuple[str, ...], text_sw: str, text_en: str, dry_run: bool,
                 yes: bool) -> None:
    """Show how many people a message reaches and how many SMS it costs, then send it."""
    try:
        aud = svc.audience(_split(roles), _split(regions), _split(councils), _split(wards))
        plan = svc.preview(aud, text_sw, text_en)
    except svc.BroadcastInputError as exc:
        raise click.ClickException(str(exc)) from None
    langs = ", ".join(f"{n} in {lang}" for lang, n in plan.by_language.items() if n)
    click.echo(f"recipients: {len(plan.recipients)} ({langs or 'none'})")
    click.echo(f"skipped: {plan.skipped_off_duty} off duty (sent ACHA/STOP), "
               f"{plan.skipped_unconfirmed} not confirmed yet")
    each = ", ".join(f"{lang} {n}" for lang, n in plan.segments_each.items())
    click.echo(f"cost: {plan.segments} SMS segment(s) in all ({each} per person)")
    if dry_run:
        audit("cli", "broadcast.preview", "broadcast", None, recipients=len(plan.recipients),
              segments=plan.segments)
        db.session.commit()
        click.echo("dry run: nothing sent")
        return
    if not plan.recipients:
        raise click.ClickException("nobody to send to: nobody on duty and confirmed matches "
                                   "these roles and places")
    if not yes and not click.confirm("send it?", default=False):
        raise click.ClickException("not sent")
    try:
        message, _ = svc.send(aud, text_sw, text_en, actor="cli")
    except svc.BroadcastInputError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    rate = current_app.config["BROADCAST_PER_MINUTE"]
    click.echo(f"broadcast {message.id}: {message.recipients} SMS queued at {rate} a minute; "
               f"`linda broadcast show {message.id}` follows delivery and replies")


@broadcast_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Coordination messages, newest first."""
    rows = db.session.scalars(sa.select(Broadcast).order_by(Broadcast.id.desc()).limit(50))
    for b in rows:
        click.echo(f"{b.id:>4} {b.created_at:%Y-%m-%d %H:%M} {b.recipients:>5} people "
                   f"{b.segments:>6} SMS  {(b.text_en or '')[:50]}")


@broadcast_cli.command("show")
@click.argument("broadcast_id", type=int)
@with_appcontext
def show_command(broadcast_id: int) -> None:
    """Delivery per status and the replies received (masked numbers). Audited."""
    message = db.session.get(Broadcast, broadcast_id)
    if message is None:
        raise click.ClickException(f"there is no broadcast {broadcast_id}: "
                                   "`linda broadcast list` shows them")
    audit("cli", "broadcast.show", "broadcast", message.id)
    db.session.commit()
    click.echo(f"broadcast {message.id} by {message.actor} at {message.created_at:%Y-%m-%d %H:%M}"
               f" UTC: {message.recipients} people, {message.segments} SMS")
    click.echo("delivery: " + ", ".join(f"{k} {v}" for k, v in
                                        sorted(svc.delivery(message.id).items())))
    answers = svc.replies(message.id)
    click.echo(f"replies: {len(answers)}")
    for responder, sms in answers:
        click.echo(f"  {responder.name} ({mask_phone(responder.phone)}): {sms.text}")
