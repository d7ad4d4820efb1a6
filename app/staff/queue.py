"""The case queue: cases needing a human first, then the rest by age."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from app.staff.auth import current_staff, require_role
from app.staff.models import StaffRole
from app.staff.web import bp, has_endpoint


@bp.get("/")
@require_role()
def queue() -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101 - require_role
    if user.role is StaffRole.VIEWER:
        if has_endpoint("stats.index"):
            return redirect(url_for("stats.index"))
        return render_template("staff/home.html")
    return render_template("staff/home.html")
