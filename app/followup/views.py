"""Dashboard: check-ins due, waiting, done and overdue, and the figures for partners."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request

from app.cases.models import Case
from app.extensions import db
from app.followup.figures import by_council, placed_per_centre
from app.followup.models import CheckIn, CheckInStatus
from app.followup.texts import messages
from app.staff.auth import EXPORT_ROLES, require_role, staff_actor
from app.staff.services import audit
from app.staff.texts import current_language

bp = Blueprint("followup", __name__, url_prefix="/staff/followups",
               template_folder="templates")


def tr(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


@bp.get("/")
@require_role(*EXPORT_ROLES)
def index() -> Any:
    status = request.args.get("status", "")
    counts = dict(db.session.execute(
        sa.select(CheckIn.status, sa.func.count(CheckIn.id)).group_by(CheckIn.status)).all())
    query = sa.select(CheckIn, Case.reference).join(Case, Case.id == CheckIn.case_id)
    if status in {s.value for s in CheckInStatus}:
        query = query.where(CheckIn.status == CheckInStatus(status))
    rows = db.session.execute(query.order_by(CheckIn.due_at, CheckIn.id).limit(300)).all()
    audit(staff_actor(), "followup.view", "checkin", None, status=status or None,
          count=len(rows))
    db.session.commit()
    return render_template("followup/index.html", tr=tr, rows=rows, status=status,
                           statuses=[s.value for s in CheckInStatus],
                           counts={s.value: counts.get(s, 0) for s in CheckInStatus},
                           placed=placed_per_centre(), councils=by_council())
