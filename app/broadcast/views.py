"""Dashboard: write a coordination message, see who it reaches and what it costs, confirm,
then follow delivery and replies. Every preview, send and view is audited."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for

from app.broadcast import services as svc
from app.broadcast.models import Broadcast
from app.broadcast.sms import messages
from app.extensions import db
from app.gazetteer.services import list_regions
from app.privacy import mask_phone
from app.referral.roles import ResponderRole
from app.staff.auth import EXPORT_ROLES, require_role, staff_actor
from app.staff.services import audit
from app.staff.texts import current_language

bp = Blueprint("broadcast", __name__, url_prefix="/staff/broadcasts",
               template_folder="templates")


def tr(key: str, **params: Any) -> str:
    return messages.get(current_language(), key, **params)


def _form() -> dict[str, Any]:
    f = request.form
    return {"roles": f.getlist("role"), "regions": f.getlist("region"),
            "councils": [c.strip() for c in f.get("councils", "").split(",") if c.strip()],
            "text_sw": f.get("text_sw", ""), "text_en": f.get("text_en", "")}


def _page(**extra: Any) -> str:
    sent = db.session.scalars(sa.select(Broadcast).order_by(Broadcast.id.desc()).limit(20)).all()
    return render_template("broadcast/index.html", tr=tr, roles=[r.value for r in ResponderRole],
                           regions=[(r.id, r.name) for r in list_regions()], sent=sent,
                           delivery={b.id: svc.delivery(b.id) for b in sent},
                           form=extra.pop("form", None) or {"roles": [], "regions": [],
                                                            "councils": [], "text_sw": "",
                                                            "text_en": ""}, **extra)


@bp.get("/")
@require_role(*EXPORT_ROLES)
def index() -> Any:
    audit(staff_actor(), "broadcast.list", "broadcast", None)
    db.session.commit()
    return _page(done=request.args.get("done"))


@bp.post("/preview")
@require_role(*EXPORT_ROLES)
def preview() -> Any:
    form = _form()
    try:
        aud = svc.audience(form["roles"], form["regions"], form["councils"])
        plan = svc.preview(aud, form["text_sw"], form["text_en"])
    except svc.BroadcastInputError as exc:
        return _page(form=form, error=str(exc)), 400
    audit(staff_actor(), "broadcast.preview", "broadcast", None,
          recipients=len(plan.recipients), segments=plan.segments)
    db.session.commit()
    return _page(form=form, plan=plan)


@bp.post("/send")
@require_role(*EXPORT_ROLES)
def send() -> Any:
    form = _form()
    if request.form.get("confirm") != "yes":
        return redirect(url_for("broadcast.index"))
    try:
        aud = svc.audience(form["roles"], form["regions"], form["councils"])
        message, _ = svc.send(aud, form["text_sw"], form["text_en"], actor=staff_actor())
    except svc.BroadcastInputError as exc:
        db.session.rollback()
        return _page(form=form, error=str(exc)), 400
    db.session.commit()
    return redirect(url_for("broadcast.show", broadcast_id=message.id))


@bp.get("/<int:broadcast_id>")
@require_role(*EXPORT_ROLES)
def show(broadcast_id: int) -> Any:
    message = db.session.get(Broadcast, broadcast_id)
    if message is None:
        abort(404)
    replies = [(r.name, mask_phone(r.phone), m.text) for r, m in svc.replies(message.id)]
    audit(staff_actor(), "broadcast.show", "broadcast", message.id, replies=len(replies))
    db.session.commit()
    return render_template("broadcast/show.html", tr=tr, message=message,
                           delivery=svc.delivery(message.id), replies=replies)
