"""WSGI entry point: ``gunicorn wsgi:app`` (production) or ``linda serve`` (embedded)."""

from app import create_app

app = create_app()
