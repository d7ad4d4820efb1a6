"""Tanzania's administrative units (NBS 2022): regions, councils, wards, and lookups by name."""

from __future__ import annotations

from flask import Flask

from app.gazetteer.cli import gazetteer_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(gazetteer_cli)
