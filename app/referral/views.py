"""``/staff/responders/``: the responder directory for hotline staff.

Admins and supervisors list, search, put responders on or off duty, resend a confirmation and
export; admins also add, edit and import. Every change and export is audited; numbers are
masked in lists and shown in full only on an admin's edit page (a look that is audited).
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.gazetteer.services import council_label
from app.privacy import mask_phone
from app.referral import desk
from app.referral.directory import (
    ImportFileError,
    export_rows,
    import_responders,
    parse_csv,
    write_csv,
)
from app.referral.models import Responder
from app.referral.performance import figures
from app.referral.roles import ResponderRole
from app.referral.texts import text as referral_text
from app.referral.webtexts import duration, t
from app.staff.auth import ADMIN_ROLES, EXPORT_ROLES, has_role, require_role, staff_actor
from app.staff.models import StaffRole
from app.staff.services import audit
from app.staff.texts import current_language

bp = Blueprint("responders", __name__, url_prefix="/staff/responders",
               template_folder="templates")
DESK_ROLES = (StaffRole.ADMIN, StaffRole.SUPERVISOR)
#: Who new responders are told added them, in their confirmation SMS.
ADDED_BY = "Linda hotline"
MAX_UPLOAD = 2 * 1024 * 1024


@bp.context_processor
def _texts() -> dict[str, Any]:
    lang = current_language()
    return {"T": t, "duration": duration, "mask": mask_phone,
            "role_label": lambda r: referral_text(lang, f"role.{r}"),
            "roles": [r.value for r in ResponderRole], "is_admin": has_role(*ADMIN_ROLES),
            "can_export": has_role(*EXPORT_ROLES)}


def _responder(responder_id: int) -> Responder:
    responder = db.session.get(Responder, responder_id)
    if responder is None:
        abort(404)
    return responder


def _place(r: Responder) -> str:
    council = db.session.get(Council, r.council_id) if r.council_id else None
    ward = db.session.get(Ward, r.ward_id) if r.ward_id else None
    parts = [ward.name if ward else "", council_label(council) if council else "",
             db.session.get_one(Region, r.region_id).name]
    return ", ".join(p for p in parts if p)


@bp.get("/")
@require_role(*DESK_ROLES)
def index() -> Any:
    try:
        page = int(request.args.get("page") or 1)
    except ValueError:
        page = 1
    search = desk.Search(text=request.args.get("q", "")[:80], role=request.args.get("role", ""),
                         region_id=request.args.get("region", ""),
                         state=request.args.get("state", ""), page=page)
    regions = db.session.execute(db.select(Region.id, Region.name).order_by(Region.name)).all()
    try:
        rows, more = desk.search(search)
    except desk.ResponderInputError as exc:
        return render_template("responders/index.html", error=str(exc), rows=[], figs={},
                               places={}, regions=regions, args=request.args, more=False,
                               page=page), 400
    audit(staff_actor(), "responders.list", "responder", None, shown=len(rows),
          searched=bool(search.text))
    db.session.commit()
    return render_template("responders/index.html", error=None, rows=rows,
                           figs=figures(rows), places={r.id: _place(r) for r in rows},
                           regions=regions, args=request.args, more=more, page=page,
                           done=request.args.get("done"))


@bp.post("/<int:responder_id>/duty")
@require_role(*DESK_ROLES)
def duty(responder_id: int) -> Any:
    responder = _responder(responder_id)
    desk.set_duty(responder, request.form.get("on_duty") == "yes", actor=staff_actor())
    db.session.commit()
    return redirect(request.form.get("back") if _inside(request.form.get("back"))
                    else url_for("responders.index"))


@bp.post("/<int:responder_id>/confirm")
@require_role(*DESK_ROLES)
def resend(responder_id: int) -> Any:
    responder = _responder(responder_id)
    try:
        desk.resend_confirmation(responder, actor=staff_actor(), added_by=ADDED_BY)
    except desk.ResponderInputError:
        db.session.rollback()
        return redirect(url_for("responders.index", done="already_confirmed"))
    db.session.commit()
    return redirect(url_for("responders.index", done="confirmation_sent"))


@bp.route("/new", methods=["GET", "POST"])
@require_role(*ADMIN_ROLES)
def new() -> Any:
    if request.method == "GET":
        return render_template("responders/form.html", responder=None, values={}, error=None)
    try:
        desk.add_responder(request.form.to_dict(), actor=staff_actor(), added_by=ADDED_BY)
    except desk.ResponderInputError as exc:
        db.session.rollback()
        return render_template("responders/form.html", responder=None,
                               values=request.form, error=str(exc)), 400
    db.session.commit()
    return redirect(url_for("responders.index", done="added"))


@bp.route("/<int:responder_id>/edit", methods=["GET", "POST"])
@require_role(*ADMIN_ROLES)
def edit(responder_id: int) -> Any:
    responder = _responder(responder_id)
    if request.method == "GET":
        row = next(r for r in export_rows([responder]))
        audit(staff_actor(), "responder.view", "responder", responder.id)
        db.session.commit()
        return render_template("responders/form.html", responder=responder, values=row,
                               error=None)
    try:
        desk.edit_responder(responder, request.form.to_dict(), actor=staff_actor(),
                            added_by=ADDED_BY)
    except desk.ResponderInputError as exc:
        db.session.rollback()
        return render_template("responders/form.html", responder=_responder(responder_id),
                               values=request.form, error=str(exc)), 400
    db.session.commit()
    return redirect(url_for("responders.index", done="saved"))


@bp.route("/import", methods=["GET", "POST"])
@require_role(*ADMIN_ROLES)
def import_csv() -> Any:
    if request.method == "GET":
        return render_template("responders/import.html", errors=[], summary=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("responders/import.html", errors=[t("responders.import.none")],
                               summary=None), 400
    raw = upload.read(MAX_UPLOAD + 1)
    try:
        if len(raw) > MAX_UPLOAD:
            raise ImportFileError([t("responders.import.too_big")])
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError([t("responders.import.not_utf8")]) from None
        rows = parse_csv(content)
    except ImportFileError as exc:
        return render_template("responders/import.html", errors=exc.errors, summary=None), 400
    summary = import_responders(rows, actor=staff_actor(), added_by=ADDED_BY)
    db.session.commit()
    return render_template("responders/import.html", errors=[], summary=summary)


@bp.get("/export.csv")
@require_role(*EXPORT_ROLES)
def export_csv() -> Any:
    rows = export_rows()
    out = io.StringIO()
    write_csv(rows, out)
    audit(staff_actor(), "responders.export", "responder", None, rows=len(rows))
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="linda-responders.csv"'})


def _inside(target: str | None) -> bool:
    return bool(target) and str(target).startswith("/staff/responders/") and "//" not in str(
        target)
