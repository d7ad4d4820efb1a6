"""Tanzania's administrative units (NBS 2022): regions, councils, wards, and lookups by name."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.gazetteer.cli import gazetteer_cli

    app.cli.add_command(gazetteer_cli)
