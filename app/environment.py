"""Where Linda's settings come from, for every entry point: the process environment first,
then ``.env`` and ``.flaskenv`` (the nearest ones up from the working directory), which never
override a variable already set. ``FLASK_SKIP_DOTENV=1`` skips the files.

``linda`` (every command) and ``gunicorn wsgi:app`` both build their app with
``app_from_environment``, so a ``.env`` saying ``LINDA_ENV=production`` means production for
both: a missing secret stops either, instead of one of them running on generated secrets.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import load_dotenv
from flask.helpers import get_load_dotenv

from app import create_app


def load_environment() -> bool:
    """Load ``.flaskenv`` and ``.env`` into ``os.environ``; True if a file set something."""
    if not get_load_dotenv():
        return False
    return load_dotenv()


def app_from_environment() -> Flask:
    """The app of ``linda`` and of the WSGI server, configured from the environment and .env.

    Raises:
        ConfigError: a setting is missing or malformed.
    """
    load_environment()
    return create_app()
