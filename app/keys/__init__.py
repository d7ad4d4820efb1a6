"""Data key rotation: ``linda keys rotate`` re-seals every sealed value under the newest key."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the ``linda keys`` commands."""
    from app.keys.cli import keys_cli

    app.cli.add_command(keys_cli)
