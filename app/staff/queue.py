"""The case queue page and its self-refreshing rows."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for

from app.cases.models import CaseCategory
from app.cases.services import find_by_reference
from app.extensions import db
from app.staff.auth import CASE_ROLES, current_staff, require_role, staff_actor
from app.staff.blueprint import bp, has_endpoint
from app.staff.models import StaffRole
from app.staff.queries import (
    STATUS_CHOICES,
    FilterError,
    QueueFilters,
    council_choices,
    queue_page,
    region_choices,
)
from app.staff.services import audit
from app.staff.texts import t
from app.staff.visibility import can_see


@bp.get("/")
@require_role()
def queue() -> Any:
    user = current_staff()
    assert user is not None  # noqa: S101 - require_role
    if user.role is StaffRole.VIEWER:
        if has_endpoint("stats.index"):
            return redirect(url_for("stats.index"))
        return render_template("staff/home.html")
    search = request.args.get("q", "").strip()
    if search:
        return _search(search)
    filters = _filters()
    page = queue_page(user, filters)
    # Rendered before the audit row commits: a commit expires every loaded case, and the
    # template would then reload them one query at a time.
    html = render_template(
        "staff/queue.html", page=page, filters=filters, statuses=STATUS_CHOICES,
        categories=[c.value for c in CaseCategory], regions=region_choices(user),
        councils=council_choices(user, filters.region),
        refresh=current_app.config["STAFF_QUEUE_REFRESH_SECONDS"])
    audit(staff_actor(), "queue.view", None, None, **filters.query_args())
    db.session.commit()
    return html


@bp.get("/queue/rows")
@require_role(*CASE_ROLES)
def queue_rows() -> Any:
    """The first page's rows again, for the page to poll: new reports appear by themselves."""
    user = current_staff()
    assert user is not None  # noqa: S101
    filters = _filters()
    return render_template("staff/_queue_rows.html", page=queue_page(user, filters),
                           filters=filters,
                           refresh=current_app.config["STAFF_QUEUE_REFRESH_SECONDS"])


def _filters() -> QueueFilters:
    try:
        return QueueFilters.parse(request.args)
    except FilterError as exc:
        abort(400, description=t("staff.queue.bad_filter", what=str(exc)))


def _search(search: str) -> Any:
    """Go straight to a case by its number; a wrong number says so, never guesses."""
    user = current_staff()
    assert user is not None  # noqa: S101
    reference = "".join(search.split())
    case = find_by_reference(reference)
    audit(staff_actor(), "queue.search", "case", None, found=case is not None)
    db.session.commit()
    if case is not None and can_see(user, case):
        return redirect(url_for("staff.case", reference=case.reference))
    return render_template(
        "staff/queue.html", page=None, filters=QueueFilters(), statuses=STATUS_CHOICES,
        categories=[c.value for c in CaseCategory], regions=region_choices(user), councils=[],
        search=search, refresh=0,
        search_error=t("staff.queue.not_found", reference=search[:20])), 404
