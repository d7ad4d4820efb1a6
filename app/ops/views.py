"""``GET /metrics``: loopback without a token, elsewhere only with the bearer METRICS_TOKEN."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from app.ops.metrics import render

bp = Blueprint("ops", __name__)


@bp.get("/metrics")
def metrics() -> Response:
    if not allowed(request.remote_addr, request.headers.get("Authorization"),
                   request.headers.get("X-Forwarded-For"),
                   current_app.config.get("METRICS_TOKEN")):
        abort(404)  # as if there were nothing here
    return Response(render(current_app._get_current_object()),  # type: ignore[attr-defined]
                    mimetype=CONTENT_TYPE_LATEST)


def allowed(remote: str | None, authorization: str | None, forwarded_for: str | None,
            token: str | None) -> bool:
    """Loopback needs no token, unless it is a proxy on this host relaying someone else
    (``X-Forwarded-For``); anyone else needs ``Authorization: Bearer <METRICS_TOKEN>``."""
    if token and authorization is not None:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(),
                                                              token.encode()):
            return True
    if forwarded_for:
        return False
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False
