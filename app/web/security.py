"""The secret path segment that guards every Africa's Talking callback."""

from __future__ import annotations

import hmac
import logging

from flask import abort, current_app

log = logging.getLogger(__name__)


def verify_webhook_token(token: str) -> None:
    """Answer 404 unless ``token`` is ours; the attempt is logged without the token itself."""
    expected = current_app.config["LINDA_WEBHOOK_TOKEN"]
    if not hmac.compare_digest(token.encode(), expected.encode()):
        log.warning("callback with a wrong token (prefix %s…)", token[:2])
        abort(404)
