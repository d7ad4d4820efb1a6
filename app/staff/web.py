"""The ``staff`` blueprint, and what every dashboard page shares: the signed-in user, the
catalog, the role-aware navigation and clear error pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from app.clock import utcnow
from app.staff import accounts, case_views, queue, views
from app.staff.auth import current_staff, load_signed_in
from app.staff.blueprint import bp, has_endpoint
from app.staff.models import StaffRole
from app.staff.texts import current_language, t

EAT = timedelta(hours=3)
A, S, G, V = StaffRole.ADMIN, StaffRole.SUPERVISOR, StaffRole.AGENT, StaffRole.VIEWER
#: (endpoint, catalog key, roles) of the navigation; an endpoint not registered is left out.
NAV: tuple[tuple[str, str, frozenset[StaffRole]], ...] = (
    ("staff.queue", "staff.nav.queue", frozenset({A, S, G})),
    ("responders.index", "staff.nav.responders", frozenset({A, S})),
    ("stats.index", "staff.nav.stats", frozenset({A, S, V})),
    ("centres.index", "staff.nav.centres", frozenset({A, S, G})),
    ("followup.index", "staff.nav.followup", frozenset({A, S})),
    ("broadcast.index", "staff.nav.broadcast", frozenset({A, S})),
    ("audit.index", "staff.nav.audit", frozenset({A})),
    ("health.index", "staff.nav.health", frozenset({A})),
    ("staff.accounts", "staff.nav.accounts", frozenset({A})),
)


def nav_items() -> list[tuple[str, str]]:
    """(endpoint, label) of the pages the signed-in staff member may open."""
    user = current_staff()
    if user is None:
        return []
    return [(endpoint, t(key)) for endpoint, key, roles in NAV
            if user.role in roles and has_endpoint(endpoint)]


def age(at: datetime) -> str:
    """How long ago, in the largest whole unit: "5 min", "3 h", "2 d" (or sw)."""
    seconds = max(0, int((utcnow() - at).total_seconds()))
    if seconds < 3600:
        return t("staff.age.minutes", n=seconds // 60)
    if seconds < 86400:
        return t("staff.age.hours", n=seconds // 3600)
    return t("staff.age.days", n=seconds // 86400)


def when(at: datetime) -> str:
    """A timestamp in East Africa Time, the time staff live in (UTC+3, no daylight saving)."""
    return (at + EAT).strftime("%Y-%m-%d %H:%M")


def _is_staff_page() -> bool:
    return request.path.startswith("/staff/") or request.blueprint in {
        "responders", "stats", "audit", "health"}


def init_web(app: Flask) -> None:
    assert accounts and case_views and queue and views  # noqa: S101 - for their routes
    app.register_blueprint(bp)
    app.before_request(load_signed_in)

    @app.context_processor
    def staff_globals() -> dict[str, Any]:
        return {"_": t, "lang": current_language(), "current_staff": current_staff(),
                "nav_items": nav_items, "has_endpoint": has_endpoint, "age": age, "when": when}

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError) -> Any:
        if not _is_staff_page():
            return exc.description, 400
        return render_template("staff/error.html", title=t("staff.error.csrf_title"),
                               message=t("staff.error.csrf")), 400

    @app.errorhandler(403)
    def forbidden(exc: Any) -> Any:
        if not _is_staff_page():
            return exc.get_response()
        return render_template("staff/error.html", title=t("staff.error.forbidden_title"),
                               message=t("staff.error.forbidden")), 403

    @app.after_request
    def no_store(response: Any) -> Any:
        # Pages about children must not stay in a shared computer's cache.
        if _is_staff_page() and not request.path.startswith("/staff/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
