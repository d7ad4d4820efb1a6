"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from app.extensions import db
from app.ops.heartbeat import heartbeat_age
from app.worker.queue import connection

bp = Blueprint("probes", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        connection().ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unreachable: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    if checks["redis"] == "ok":
        checks["worker"] = _worker_check()
    # A stuck worker is reported, not a 503: this process still takes reports (they wait in
    # the database), and a load balancer must not take the hotline off the air for it.
    status = "ready" if ready else "not ready"
    if ready and checks.get("worker") != "ok":
        status = "degraded"
    return jsonify(status=status, checks=checks), 200 if ready else 503


def _worker_check() -> str:
    """``ok`` when a reconciler ran within three intervals (its worker is alive and not stuck)."""
    try:
        age = heartbeat_age()
    except Exception as exc:
        return f"unknown: {type(exc).__name__}"
    limit = 3 * current_app.config["RECONCILE_INTERVAL_SECONDS"]
    if age is None:
        return "no heartbeat yet: is `linda worker` running?"
    if age > limit:
        return f"stuck: no heartbeat for {int(age)} s (limit {limit} s)"
    return "ok"
