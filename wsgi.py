"""WSGI entry point: ``gunicorn wsgi:app`` (production) or ``linda serve`` (embedded).

Settings are read exactly as the ``linda`` command reads them (see ``app.environment``).
"""

from app.environment import app_from_environment

app = app_from_environment()
