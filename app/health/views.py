"""``/staff/health/``: queues, failed jobs (with retry), due work, SMS errors, heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis
from flask import Blueprint, redirect, render_template, request, url_for

from app.extensions import db
from app.health.services import JobNotFoundError, retry_failed, snapshot
from app.health.texts import ago, t
from app.staff.auth import ADMIN_ROLES, require_role, staff_actor
from app.staff.services import audit

bp = Blueprint("health", __name__, url_prefix="/staff/health", template_folder="templates")


@bp.context_processor
def _texts() -> dict[str, Any]:
    return {"T": t}


@bp.get("/")
@require_role(*ADMIN_ROLES)
def index() -> Any:
    snap = snapshot()
    if not request.headers.get("HX-Request"):  # the page's own refreshes are not new looks
        audit(staff_actor(), "health.view", "health", None)
    db.session.commit()

    def since(moment: datetime | None) -> str:
        return "–" if moment is None else ago((snap.now - moment).total_seconds())

    return render_template("health/index.html", snap=snap, since=since,
                           retried=request.args.get("retried"),
                           missing=request.args.get("missing"))


@bp.post("/jobs/<job_id>/retry")
@require_role(*ADMIN_ROLES)
def retry(job_id: str) -> Any:
    try:
        retry_failed(job_id, actor=staff_actor())
    except JobNotFoundError:
        db.session.rollback()
        return render_template("health/index.html", snap=snapshot(), since=lambda m: "–",
                               retried=None, missing=job_id), 404
    except redis.RedisError:
        db.session.rollback()
        return render_template("health/index.html", snap=snapshot(), since=lambda m: "–",
                               retried=None, missing=job_id), 503
    db.session.commit()
    return redirect(url_for("health.index", retried=job_id))
