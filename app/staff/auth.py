"""Who is signed in, and what their role lets them reach. Checked on the server, per route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for

from app.extensions import db
from app.staff.models import StaffRole, StaffSession, StaffUser
from app.staff.signin import load_session

F = TypeVar("F", bound=Callable[..., Any])

#: Who may open which part of the dashboard; pages import these rather than list roles.
CASE_ROLES = (StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.AGENT)
EXPORT_ROLES = (StaffRole.ADMIN, StaffRole.SUPERVISOR)
STATS_ROLES = (StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.VIEWER)
ADMIN_ROLES = (StaffRole.ADMIN,)

#: The page each unfinished sign-in stage continues at.
STAGE_ENDPOINTS = {"password": "staff.password", "totp_enrol": "staff.totp_enrol",
                   "totp": "staff.totp"}


def load_signed_in() -> None:
    """Set ``g.staff`` and ``g.staff_session`` from the session cookie (before each request)."""
    g.staff = None
    g.staff_session = None
    g.staff_lang = None
    # A request inside an already pushed app context (tests, scripts) shares ``g`` with the
    # previous request: never reuse a CSRF token cached there for another session.
    g.pop("csrf_token", None)
    token = session.get("sid")
    if not token:
        return
    row = load_session(token)
    if row is None:
        session.pop("sid", None)
        return
    user = db.session.get(StaffUser, row.staff_id)
    if user is None or not user.active:
        session.pop("sid", None)
        return
    g.staff_session = row
    if row.stage == "ok":
        g.staff = user


def current_staff() -> StaffUser | None:
    """The staff member signed in on this request (fully: password and code), or None."""
    return g.get("staff")


def current_session() -> StaffSession | None:
    """The session row of this request, also mid-way through sign-in."""
    return g.get("staff_session")


def staff_actor() -> str:
    """The actor string for the audit log and case timelines, e.g. ``staff:3``."""
    user = current_staff()
    return f"staff:{user.id}" if user is not None else "anonymous"


def require_role(*roles: StaffRole | str) -> Callable[[F], F]:
    """Decorate a view: no session → the sign-in page; a role not listed → 403.

    With no roles, any signed-in staff member may pass.
    """
    allowed = {StaffRole(r) for r in roles}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                pending = current_session()
                if pending is not None and pending.stage in STAGE_ENDPOINTS:
                    return redirect(url_for(STAGE_ENDPOINTS[pending.stage]))
                if request.headers.get("HX-Request"):
                    # htmx swaps fragments: tell it to load the sign-in page instead.
                    response = current_app.response_class(status=401)
                    response.headers["HX-Redirect"] = url_for("staff.signin")
                    return response
                return redirect(url_for("staff.signin", next=_safe_next()))
            if allowed and user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def has_role(*roles: StaffRole | str) -> bool:
    user = current_staff()
    return user is not None and user.role in {StaffRole(r) for r in roles}


def _safe_next() -> str | None:
    path = request.full_path if request.query_string else request.path
    return path if request.method == "GET" and path.startswith("/staff/") else None


def safe_redirect_target(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect to another site."""
    if target and target.startswith("/staff/") and not target.startswith("//"):
        return target
    return url_for("staff.queue")
