"""Hotline staff: accounts, audit trail (the dashboard comes later)."""

from __future__ import annotations

from flask import Flask

from app.staff.cli import staff_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_cli)
