"""Hotline staff: accounts, audit trail (the dashboard comes later)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.staff.cli import staff_cli

    app.cli.add_command(staff_cli)
