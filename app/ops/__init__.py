"""Operations: metrics, request ids and JSON logs, the worker heartbeat, production guards."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from app.ops.logs import start_request, tag_response
from app.ops.metrics import observe_webhook
from app.ops.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    @app.before_request
    def _begin() -> None:
        g.started = time.perf_counter()
        start_request()

    @app.after_request
    def _end(response: Response) -> Response:
        started = g.get("started")
        if started is not None:
            body = response.get_data() if request.endpoint == "ussd.ussd_hop" else None
            observe_webhook(request.endpoint, response.status_code,
                            time.perf_counter() - started, body)
        return tag_response(response)
