"""Reading an all-or-nothing CSV import from the command line, for every directory that has
one (responders, centres): one place decides how an unreadable file or bad rows are told."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

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
