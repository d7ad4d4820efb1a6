"""The ``staff`` blueprint itself, which every dashboard view module adds routes to."""

from __future__ import annotations

from flask import Blueprint, current_app

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
               static_folder="static", static_url_path="/static")


def has_endpoint(endpoint: str) -> bool:
    """Whether a page exists in this app (pages are added by other blueprints)."""
    return endpoint in current_app.view_functions
