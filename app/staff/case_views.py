"""The case page and the actions on it. Every look and every change is audited."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for

from app.cases.models import Case
from app.cases.services import find_by_reference, lock_case
from app.cases.status import InvalidTransitionError
from app.extensions import db
from app.referral.staffing import choosable_responders
from app.staff import casework as cw
from app.staff.auth import CASE_ROLES, current_staff, require_role, staff_actor
from app.staff.blueprint import bp
from app.staff.services import audit
from app.staff.texts import t
from app.staff.timeline import alerts, lead_name, place_of, timeline
from app.staff.visibility import can_reveal_phone, can_see

ACTIONS = ("note", "alert", "escalate", "release", "close", "duplicate", "hoax", "reopen")


def _case_or_404(reference: str) -> Case:
    """The case, if this staff member may see it. A case outside an agent's regions is a 404
    exactly like a case that does not exist, so guessing numbers reveals nothing."""
    user = current_staff()
    assert user is not None  # noqa: S101 - require_role
    case = find_by_reference(reference)
    if case is None or not can_see(user, case):
        audit(staff_actor(), "case.view_refused", "case", reference[:7])
        db.session.commit()
        abort(404)
    return case


def _render(case: Case, *, error: str | None = None, done: str | None = None,
            phone: str | None = None, status: int = 200) -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101
    linked = cw.linked_duplicates(case)
    return render_template(
        "staff/case.html", case=case, place=place_of(case), lines=timeline(case),
        alerts=alerts(case), lead=lead_name(case), error=error, done=done, phone=phone,
        may_reveal=can_reveal_phone(user, case), outcomes=[o.value for o in cw.Outcome],
        responders=choosable_responders(case), duplicates=linked,
        suggestions=[c for c in cw.possible_duplicates(case, linked=linked)
                     if can_see(user, c)],
        refresh=current_app.config["STAFF_QUEUE_REFRESH_SECONDS"],
    ), status


@bp.get("/cases/<reference>")
@require_role(*CASE_ROLES)
def case(reference: str) -> Any:
    found = _case_or_404(reference)
    page = _render(found)  # before the commit, which would expire what the page reads
    audit(staff_actor(), "case.view", "case", found.reference)
    db.session.commit()
    return page


@bp.get("/cases/<reference>/live")
@require_role(*CASE_ROLES)
def case_live(reference: str) -> Any:
    """The alerts and timeline again, for the open page to poll: replies appear by themselves.

    Not audited per poll: the page view that started polling is.
    """
    found = _case_or_404(reference)
    return render_template("staff/_case_live.html", case=found, lines=timeline(found),
                           alerts=alerts(found), lead=lead_name(found),
                           refresh=current_app.config["STAFF_QUEUE_REFRESH_SECONDS"])


@bp.post("/cases/<reference>/reveal")
@require_role(*CASE_ROLES)
def reveal(reference: str) -> Any:
    found = _case_or_404(reference)
    user = current_staff()
    assert user is not None  # noqa: S101
    if not can_reveal_phone(user, found):
        audit(staff_actor(), "case.reveal_refused", "case", found.reference)
        db.session.commit()
        abort(403)
    found = lock_case(found.id)
    try:
        phone = cw.reveal_phone(found, cw.Actor(user), request.form.get("reason", ""))
    except cw.ActionError as exc:
        db.session.rollback()
        return _render(found, error=t(f"staff.action.err.{exc}"), status=400)
    db.session.commit()
    return _render(found, phone=phone)


@bp.post("/cases/<reference>/<action>")
@require_role(*CASE_ROLES)
def act(reference: str, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    found = _case_or_404(reference)
    user = current_staff()
    assert user is not None  # noqa: S101
    found = lock_case(found.id)
    actor = cw.Actor(user)
    form = request.form
    try:
        if action == "note":
            cw.add_note(found, actor, form.get("text", ""))
        elif action == "alert":
            cw.alert_responder(found, actor, _int(form.get("responder", "")))
        elif action == "escalate":
            cw.escalate_now(found, actor)
        elif action == "release":
            cw.clear_review(found, actor)
        elif action == "close":
            cw.close_case(found, actor, form.get("outcome", ""), form.get("text", ""))
        elif action == "duplicate":
            other = cw.mark_duplicate(found, actor, form.get("other", ""))
            if not can_see(user, other):
                raise cw.ActionError("bad_duplicate")
        elif action == "hoax":
            cw.mark_hoax(found, actor)
        elif action == "reopen":
            cw.reopen(found, actor)
    except cw.ActionError as exc:
        db.session.rollback()
        return _render(_case_or_404(reference), error=t(f"staff.action.err.{exc}"), status=400)
    except InvalidTransitionError:
        db.session.rollback()
        return _render(_case_or_404(reference), error=t("staff.action.err.not_now"),
                       status=409)
    db.session.commit()
    return redirect(url_for("staff.case", reference=found.reference, done=action) + "#top")


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise cw.ActionError("no_responder") from None
