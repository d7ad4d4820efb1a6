"""Dashboard: centres and their occupancy, placements in progress, and staff acting on a
centre's phone call (ask, admitted, refused, discharged). Every view and change is audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for

from app.cases.models import Case
from app.cases.services import find_by_reference, lock_case
from app.centres import services as svc
from app.centres.models import Centre, Placement, PlacementStatus
from app.centres.texts import messages
from app.extensions import db
from app.staff.auth import CASE_ROLES, current_staff, require_role, staff_actor
from app.staff.services import audit
from app.staff.texts import current_language
from app.staff.visibility import can_see

bp = Blueprint("centres", __name__, url_prefix="/staff/centres", template_folder="templates")
P = PlacementStatus
SHOWN = (P.REQUESTED, P.ADMITTED, P.EXHAUSTED)


def tr(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


@bp.get("/")
@require_role(*CASE_ROLES)
def index() -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101 - require_role
    centres = db.session.scalars(sa.select(Centre).order_by(Centre.name)).all()
    rows = db.session.execute(
        sa.select(Placement, Case).join(Case, Case.id == Placement.case_id)
        .where(Placement.status.in_(SHOWN)).order_by(Placement.id.desc()).limit(200)).all()
    placements = [(p, c, db.session.get(Centre, p.centre_id) if p.centre_id else None)
                  for p, c in rows if can_see(user, c)]
    audit(staff_actor(), "centres.view", "centre", None, placements=len(placements))
    db.session.commit()
    return render_template("centres/index.html", tr=tr, centres=centres,
                           placements=placements, done=request.args.get("done"),
                           error=request.args.get("error"))


@bp.post("/place")
@require_role(*CASE_ROLES)
def place() -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101
    case = find_by_reference("".join(request.form.get("reference", "").split()))
    if case is None or not can_see(user, case):
        return redirect(url_for("centres.index", error="no_case"))
    try:
        centre_id = int(request.form.get("centre", ""))
    except ValueError:
        return redirect(url_for("centres.index", error="no_place"))
    case = lock_case(case.id)
    try:
        svc.staff_request(case, centre_id, actor=staff_actor())
    except svc.PlacementError as exc:
        db.session.rollback()
        return redirect(url_for("centres.index", error=str(exc)))
    audit(staff_actor(), "placement.request", "case", case.reference, centre=centre_id)
    db.session.commit()
    return redirect(url_for("centres.index", done="requested"))


@bp.post("/placements/<int:placement_id>/<action>")
@require_role(*CASE_ROLES)
def act(placement_id: int, action: str) -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101
    placement = db.session.get(Placement, placement_id)
    if placement is None or action not in ("admit", "refuse", "discharge"):
        abort(404)
    case = lock_case(placement.case_id)
    if not can_see(user, case):
        abort(403)
    db.session.refresh(placement)
    wanted = P.ADMITTED if action == "discharge" else P.REQUESTED
    if placement.status is not wanted:
        return redirect(url_for("centres.index", error="too_late"))
    if action == "admit":
        svc.admit(placement, case, None, actor=staff_actor())
    elif action == "refuse":
        svc.move_on(placement, case, reason="refused (staff)")
    else:
        svc.discharge(placement, case, actor=staff_actor())
    audit(staff_actor(), f"placement.{action}", "case", case.reference,
          centre=placement.centre_id or (placement.refused or [None])[-1])
    db.session.commit()
    return redirect(url_for("centres.index", done=action))
