"""``/staff/audit/``: who viewed, changed or exported what, and when (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from app.audit.services import PAGE_SIZE, AuditFilterError, entries, parse_filter
from app.audit.texts import t
from app.extensions import db
from app.staff.auth import ADMIN_ROLES, require_role, staff_actor
from app.staff.services import audit

bp = Blueprint("audit", __name__, url_prefix="/staff/audit", template_folder="templates")


@bp.context_processor
def _texts() -> dict[str, Any]:
    return {"T": t}


@bp.get("/")
@require_role(*ADMIN_ROLES)
def index() -> Any:
    args = {k: v for k, v in request.args.items() if k != "before"}
    try:
        f = parse_filter(args)
        before = int(request.args["before"]) if request.args.get("before") else None
    except (AuditFilterError, ValueError) as exc:
        return render_template("audit/index.html", error=str(exc), rows=[], args=args,
                               more=None), 400
    rows = entries(f, before_id=before, limit=PAGE_SIZE + 1)
    more = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    # Reading the log is itself recorded (after the query, so it never lists itself).
    audit(staff_actor(), "audit.view", "audit_log", None,
          filters={k: v for k, v in args.items() if v})
    db.session.commit()
    return render_template("audit/index.html", error=None, rows=rows[:PAGE_SIZE], args=args,
                           more=more)
