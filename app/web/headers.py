"""Security headers on every response of every blueprint, present and future (flask-talisman).

The policy allows scripts and styles from Linda's own origin only: no inline script, no
inline style, no framing. TLS is terminated in front of Linda, so HTTPS is not forced here;
HSTS is sent whenever the request came over HTTPS.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_headers(app: Flask) -> None:
    production = app.config.get("LINDA_ENV") == "production"
    Talisman(
        app,
        force_https=False,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="no-referrer",
        session_cookie_secure=production,  # laptops serve plain http
        strict_transport_security=True,
    )
