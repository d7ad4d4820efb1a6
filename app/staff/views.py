"""Sign-in, first-sign-in password change, TOTP enrolment, sign-out and language choice."""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import abort, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from app.extensions import db
from app.i18n import LANGUAGES
from app.staff import signin as si
from app.staff.auth import current_session, current_staff, safe_redirect_target, staff_actor
from app.staff.blueprint import bp
from app.staff.models import StaffSession, StaffUser
from app.staff.services import (
    StaffInputError,
    audit,
    change_password,
    find_staff,
    password_matches,
    sign_out_everywhere,
)
from app.staff.texts import set_language, t


def _next_stage(user: StaffUser, code_checked: bool) -> str:
    if user.must_change_password:
        return "password"
    if user.needs_totp and not code_checked:
        return "totp" if si.totp_enrolled(user) else "totp_enrol"
    return "ok"


def _go_on(row: StaffSession, user: StaffUser, *, code_checked: bool = False) -> Any:
    """Advance the session to the next stage under a new id, and open the next page."""
    stage = _next_stage(user, code_checked)
    session["sid"] = si.advance_session(row, stage)
    if stage == "ok":
        user.last_login_at = row.last_seen_at
        audit(f"staff:{user.id}", "staff.signin", "staff_user", user.id)
    db.session.commit()
    if stage == "ok":
        return redirect(safe_redirect_target(session.pop("next", None)))
    return redirect(url_for({"password": "staff.password", "totp_enrol": "staff.totp_enrol",
                             "totp": "staff.totp"}[stage]))


def _pending(stage: str) -> tuple[StaffSession, StaffUser]:
    """The half-finished sign-in this step belongs to, or back to the sign-in page."""
    row = current_session()
    if row is None or row.stage != stage:
        abort(redirect(url_for("staff.signin")))
    user = db.session.get(StaffUser, row.staff_id)
    assert user is not None  # noqa: S101 - load_signed_in checked it
    return row, user


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Any:
    if current_staff() is not None and request.method == "GET":
        return redirect(url_for("staff.queue"))
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        password = request.form.get("password", "")
        user = find_staff(email) if email else None
        keys = si.throttle_keys(user, request.remote_addr)
        wait = si.locked_for(keys)
        if wait:
            error = t("staff.signin.locked", minutes=max(1, (wait + 59) // 60))
        elif user is None or not user.active or not password_matches(user, password):
            si.record_failure(keys)
            audit("anonymous", "staff.signin_failed", "staff_user",
                  None if user is None else user.id)
            db.session.commit()
            error = t("staff.signin.wrong")
        else:
            si.clear_failures(user)
            next_page = request.args.get("next")
            lang = session.get("lang")
            session.clear()  # nothing from before sign-in is carried into the session
            if lang:
                session["lang"] = lang
                user.language = lang  # picked on the sign-in page: remembered on the account
            if next_page:
                session["next"] = next_page
            row, session["sid"] = si.start_session(user, "password")
            return _go_on(row, user)
    return render_template("staff/signin.html", error=error), 200 if error is None else 401


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    row, user = _pending("password")
    error = None
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("repeat_password", ""):
            error = t("staff.password.mismatch")
        else:
            try:
                change_password(user, new, actor=f"staff:{user.id}")
            except StaffInputError as exc:
                error = t(f"staff.password.{exc}")
            else:
                return _go_on(row, user)
    return render_template("staff/password.html", error=error), 200 if error is None else 400


@bp.route("/totp/enrol", methods=["GET", "POST"])
def totp_enrol() -> Any:
    row, user = _pending("totp_enrol")
    secret = si.ensure_totp_secret(user)
    db.session.commit()
    error = None
    if request.method == "POST":
        if si.verify_totp(user, request.form.get("code", "")):
            audit(f"staff:{user.id}", "staff.totp_enrol", "staff_user", user.id)
            return _go_on(row, user, code_checked=True)
        error = t("staff.totp.wrong")
    buf = io.BytesIO()
    segno.make(si.provisioning_uri(user), error="m").save(buf, kind="svg", xmldecl=False,
                                                         scale=5, svgns=True)
    # segno's own SVG (paths only, no script): safe to embed as markup.
    qr = Markup(buf.getvalue().decode())  # noqa: S704
    return render_template("staff/totp_enrol.html", error=error, secret=secret,
                           qr=qr), 200 if error is None else 400


@bp.route("/totp", methods=["GET", "POST"])
def totp() -> Any:
    row, user = _pending("totp")
    error = None
    if request.method == "POST":
        keys = si.throttle_keys(user, request.remote_addr)
        wait = si.locked_for(keys)
        if wait:
            error = t("staff.signin.locked", minutes=max(1, (wait + 59) // 60))
        elif si.verify_totp(user, request.form.get("code", "")):
            si.clear_failures(user)
            return _go_on(row, user, code_checked=True)
        else:
            si.record_failure(keys)
            audit(f"staff:{user.id}", "staff.totp_failed", "staff_user", user.id)
            db.session.commit()
            error = t("staff.totp.wrong")
    return render_template("staff/totp.html", error=error), 200 if error is None else 401


@bp.post("/signout")
def signout() -> Any:
    row = current_session()
    if row is not None:
        si.end_session(row)
        audit(f"staff:{row.staff_id}", "staff.signout", "staff_user", row.staff_id)
        db.session.commit()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("staff.signin"))


@bp.post("/signout/everywhere")
def signout_everywhere() -> Any:
    user = current_staff()
    if user is None:
        return redirect(url_for("staff.signin"))
    sign_out_everywhere(user, actor=staff_actor())
    db.session.commit()
    session.clear()
    return redirect(url_for("staff.signin"))


@bp.post("/language")
def language() -> Any:
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400, description="lang must be sw or en")
    session["lang"] = lang
    set_language(lang)
    user = current_staff()
    if user is not None:
        user.language = lang
        g.staff = user
        db.session.commit()
    return redirect(safe_redirect_target(request.form.get("next")))
