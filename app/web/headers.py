"""Security headers on every response of every blueprint, present and future (flask-talisman).

The policy allows scripts and styles from Linda's own origin only: no inline script, no
inline style, no framing. TLS is terminated in front of Linda, so HTTPS is not forced here;
HSTS is sent whenever the request came over HTTPS.

Africa's Talking's callbacks (``/at/<token>/…``) are the one exception: their answers are
plain text read by AT's servers, never rendered by a browser, and building the policy headers
was a tenth of a USSD hop's Python time (``bench/ussd_profile.py``). They get ``nosniff``
only, so a browser that did open one would still show text.
"""

from __future__ import annotations

from flask import Flask, Response, request
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
    talisman = Talisman(
        app,
        force_https=False,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="no-referrer",
        session_cookie_secure=production,  # laptops serve plain http
        strict_transport_security=True,
    )
    _skip_for_callbacks(app, talisman)


def _skip_for_callbacks(app: Flask, talisman: Talisman) -> None:
    """Talisman's response hook, except on AT's callbacks (see the module's docstring)."""
    headers = talisman._set_response_headers

    def set_headers(response: Response) -> Response:
        if request.path.startswith("/at/"):
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        return headers(response)

    hooks = app.after_request_funcs.setdefault(None, [])
    hooks[hooks.index(headers)] = set_headers
