"""``linda ussd``: a terminal phone that dials the running app exactly as AT does."""

from __future__ import annotations

import secrets
import sys

import click
import requests
from flask import current_app
from flask.cli import with_appcontext

from app.phone import InvalidPhoneError, normalise_phone


@click.command("ussd")
@click.option("--phone", required=True, help="the caller's number, e.g. +255712345678")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="where `linda serve` listens")
@click.option("--code", default=None, help="the USSD code dialled [default: USSD_SERVICE_CODE]")
@with_appcontext
def ussd_command(phone: str, url: str, code: str | None) -> None:
    """Dial the USSD service from the terminal: type each answer, Ctrl-D hangs up."""
    try:
        e164 = normalise_phone(phone)
    except InvalidPhoneError:
        raise click.BadParameter(f"{phone!r} is not a phone number; use +255XXXXXXXXX",
                                 param_hint="--phone") from None
    code = code or current_app.config["USSD_SERVICE_CODE"]
    base = f"{url.rstrip('/')}/at/{current_app.config['LINDA_WEBHOOK_TOKEN']}/ussd"
    session_id = f"sim-{secrets.token_hex(8)}"
    inputs: list[str] = []
    hops: list[str] = []
    while True:
        body, screen = _post(base, {"sessionId": session_id, "serviceCode": code,
                                    "phoneNumber": e164, "networkCode": "99999",
                                    "text": "*".join(inputs)})
        hops.append(screen)
        click.echo("-" * 32)
        click.echo(body[4:])
        click.echo("-" * 32)
        if not body.startswith("CON "):
            _notify(base, session_id, code, "Success", hops, inputs)
            return
        click.echo("> ", nl=False)
        answer = sys.stdin.readline()
        if answer == "":  # end of input: the caller hung up
            click.echo("(hung up)")
            _notify(base, session_id, code, "Incomplete", hops, inputs)
            return
        inputs.append(answer.strip())


def _post(url: str, data: dict[str, str]) -> tuple[str, str]:
    try:
        response = requests.post(url, data=data, timeout=15)
    except requests.RequestException as exc:
        raise click.ClickException(
            f"cannot reach {url.split('/at/')[0]} ({type(exc).__name__}): "
            "is `linda serve` running there? Use --url to point elsewhere.") from None
    if response.status_code != 200:
        raise click.ClickException(
            f"{url.split('/at/')[0]} answered HTTP {response.status_code}: check --url and "
            "that this shell has the same LINDA_WEBHOOK_TOKEN as the server.")
    return response.text, response.headers.get("at-ussd-hop-metadata", "")


def _notify(url: str, session_id: str, code: str, status: str, hops: list[str],
            inputs: list[str]) -> None:
    """Send the end-of-session notification AT would send; a failure only warns."""
    try:
        requests.post(f"{url}/events", timeout=15, data={
            "sessionId": session_id, "serviceCode": code, "status": status,
            "hopsCount": str(len(hops)), "hopsMetadata": "|".join(hops),
            "input": "*".join(inputs), "durationInMillis": "0", "networkCode": "99999",
        })
    except requests.RequestException:
        click.echo("(could not send the end-of-session notification)", err=True)
