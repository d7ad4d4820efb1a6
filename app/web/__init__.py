"""Health checks, callback security, headers and log redaction shared by every feature."""

from flask import Flask

from app.web.health import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Add ``linda callback-urls``, the 400 for a callback field with control characters, and
    the security headers of every response."""
    from app.web.cli import callback_urls_command
    from app.web.headers import init_headers
    from app.web.security import BadCallbackFieldError, bad_field_response

    app.cli.add_command(callback_urls_command)
    app.register_error_handler(BadCallbackFieldError, bad_field_response)
    init_headers(app)
