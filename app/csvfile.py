"""Reading an all-or-nothing CSV import from the command line, for every directory that has
one (responders, centres): one place decides how an unreadable file, bad rows and the result
are told."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from flask import current_app

T = TypeVar("T")


def read_import_file(file: Path, parse: Callable[[str], T],
                     error_type: type[Exception]) -> T:
    """Parse ``file`` with ``parse``; print every bad row with the file's name and stop.

    Raises:
        click.ClickException: the file cannot be read, or any row is bad (nothing imported).
    """
    try:
        content = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {file}: {exc}") from None
    try:
        return parse(content)
    except error_type as exc:
        errors = exc.errors  # type: ignore[attr-defined]
        for error in errors:
            click.echo(f"{file.name}: {error}", err=True)
        raise click.ClickException(f"nothing imported: fix the {len(errors)} row(s) above "
                                   "and run the import again") from None


def echo_import_result(file: Path, added: int, updated: int, unchanged: int,
                       confirming: int, who: str, waits_for: str) -> None:
    """Say what an import did and, when new numbers must confirm first, when they hear from us.

    ``who`` and ``waits_for`` fill "N new <who> were sent a confirmation SMS and get no
    <waits_for> until they reply ANZA/START".
    """
    click.echo(f"{file.name}: {added} added, {updated} updated, {unchanged} unchanged")
    if not confirming:
        return
    click.echo(f"{confirming} new {who} were sent a confirmation SMS and get no "
               f"{waits_for} until they reply ANZA/START")
    if current_app.extensions["linda_jobs"].embedded:
        # This process has no worker: the running `linda serve` finds the queued SMS in the
        # database at its next reconcile round and sends them then.
        click.echo("the running `linda serve` sends them within "
                   f"{current_app.config['RECONCILE_INTERVAL_SECONDS']} s")
