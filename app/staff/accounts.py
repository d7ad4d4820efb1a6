"""``/staff/accounts/``: admins manage staff accounts from the dashboard.

The same services as ``linda staff create|disable|reset`` do the work (and write the audit
rows); this module only reads the form and says the outcome in the admin's language. A
one-time password is shown once, in the answer to the POST that made it (``no-store``), and
never again: the database keeps only its hash.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, make_response, redirect, render_template, request, url_for

from app.extensions import db
from app.gazetteer.models import Region
from app.staff.auth import ADMIN_ROLES, current_staff, require_role, staff_actor
from app.staff.blueprint import bp
from app.staff.models import StaffRole, StaffUser
from app.staff.services import (
    StaffInputError,
    audit,
    create_staff,
    disable_staff,
    list_staff,
    reset_staff,
    sign_out_everywhere,
)
from app.staff.signin import totp_enrolled
from app.staff.texts import t

#: Outcomes the list page can announce after a redirect (``?done=…&id=…``).
DONE = ("disable", "signout")


@bp.get("/accounts/")
@require_role(*ADMIN_ROLES)
def accounts() -> Any:
    notice = None
    done, target = request.args.get("done", ""), request.args.get("id", "")
    if done in DONE and target.isdigit():
        user = db.session.get(StaffUser, int(target))
        if user is not None:
            notice = t(f"staff.accounts.done.{done}", email=user.email)
    return _list_page(notice=notice)


@bp.post("/accounts/")
@require_role(*ADMIN_ROLES)
def account_create() -> Any:
    email = request.form.get("email", "")
    role = request.form.get("role", "")
    regions = [r for r in request.form.getlist("regions") if r]
    try:
        user, password = create_staff(email, role, regions, actor=staff_actor())
    except StaffInputError as exc:
        db.session.rollback()
        return _list_page(error=t(f"staff.accounts.error.{exc.code}"),
                          form={"email": email, "role": role, "regions": regions}), 400
    db.session.commit()
    return _one_time(user, password, created=True)


@bp.post("/accounts/<int:staff_id>/disable")
@require_role(*ADMIN_ROLES)
def account_disable(staff_id: int) -> Any:
    user = _other_account(staff_id)
    disable_staff(user.email, actor=staff_actor())
    db.session.commit()
    return redirect(url_for("staff.accounts", done="disable", id=user.id))


@bp.post("/accounts/<int:staff_id>/reset")
@require_role(*ADMIN_ROLES)
def account_reset(staff_id: int) -> Any:
    user = _other_account(staff_id)
    user, password = reset_staff(user.email, actor=staff_actor())
    db.session.commit()
    return _one_time(user, password, created=False)


@bp.post("/accounts/<int:staff_id>/signout")
@require_role(*ADMIN_ROLES)
def account_signout(staff_id: int) -> Any:
    user = db.get_or_404(StaffUser, staff_id)
    sign_out_everywhere(user, actor=staff_actor())
    db.session.commit()
    if user.id == _me().id:
        return redirect(url_for("staff.signin"))  # the admin's own session ended too
    return redirect(url_for("staff.accounts", done="signout", id=user.id))


def _me() -> StaffUser:
    user = current_staff()
    assert user is not None  # noqa: S101 - require_role
    return user


def _other_account(staff_id: int) -> StaffUser:
    """The account to disable or reset; never the admin's own (they would lock themselves
    out mid-page: the terminal commands remain for that)."""
    user = db.get_or_404(StaffUser, staff_id)
    if user.id == _me().id:
        abort(make_response(_list_page(error=t("staff.accounts.error.self")), 409))
    return user


def _list_page(*, notice: str | None = None, error: str | None = None,
               form: dict[str, Any] | None = None) -> str:
    """The accounts and the form to create one; reading the list is audited."""
    users = list_staff()
    regions = list(db.session.execute(sa.select(Region.id, Region.name).order_by(Region.name)))
    html = render_template(
        "staff/accounts.html", users=users, me=_me(), regions=regions, roles=list(StaffRole),
        enrolled={u.id: totp_enrolled(u) for u in users}, notice=notice, error=error,
        form=form or {"email": "", "role": "", "regions": []})
    audit(staff_actor(), "staff.list", "staff_user", None, accounts=len(users))
    db.session.commit()
    return html


def _one_time(user: StaffUser, password: str, *, created: bool) -> Any:
    return render_template("staff/account_password.html", user=user, password=password,
                           created=created)
