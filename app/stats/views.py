"""``/staff/stats/``: the statistics page and its two CSV exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context
from markupsafe import Markup

from app.cases.models import CaseCategory
from app.extensions import db
from app.referral.texts import text as referral_text
from app.staff.auth import (
    EXPORT_ROLES,
    STATS_ROLES,
    current_staff,
    has_role,
    require_role,
    staff_actor,
)
from app.staff.models import StaffRole
from app.staff.services import audit
from app.staff.texts import current_language
from app.stats import cache as stats_cache
from app.stats import charts
from app.stats.exports import cases_csv, stats_csv
from app.stats.services import (
    Period,
    Report,
    StatsInputError,
    build_report,
    parse_period,
    region_rows,
)
from app.stats.texts import duration, t

bp = Blueprint("stats", __name__, url_prefix="/staff/stats", template_folder="templates")


@bp.context_processor
def _texts() -> dict[str, Any]:
    return {"T": t, "duration": duration}


def _period() -> tuple[Period | None, str | None]:
    try:
        return parse_period(request.args.get("start"), request.args.get("weeks"),
                            request.args.get("region")), None
    except StatsInputError as exc:
        return None, str(exc)


def _suppress() -> bool:
    """Viewers (partners) always see protected figures; others may ask for them."""
    user = current_staff()
    return (user is not None and user.role is StaffRole.VIEWER) or bool(
        request.args.get("protected"))


@bp.get("/")
@require_role(*STATS_ROLES)
def index() -> Any:
    period, error = _period()
    rows = region_rows()  # once per request: the filter list and the map
    regions = [(r.id, r.name) for r in rows]
    if period is None:
        return render_template("stats/index.html", error=error, report=None,
                               regions=regions, args=request.args), 400
    suppress, lang = _suppress(), current_language()
    # Figures and charts change only when the roll-ups are refreshed: made once per refresh.
    report, report_body = stats_cache.computed(
        (stats_cache.refresh_stamp(), period, suppress, lang),
        lambda: _figures(period, suppress, rows, lang))
    # Rendered before the audit row commits: a commit expires the signed-in user, and the
    # page would read it (and its regions) again.
    html = render_template("stats/index.html", report=report, report_body=report_body,
                           regions=regions, args=request.args,
                           can_export=has_role(*EXPORT_ROLES), error=None)
    audit(staff_actor(), "stats.view", "stats", None, first_week=period.first_week.isoformat(),
          weeks=period.weeks, region=period.region_id, protected=report.suppressed)
    db.session.commit()
    return html


def _figures(period: Period, suppress: bool, rows: list[Any], lang: str
             ) -> tuple[Report, Markup]:
    """The report, and its charts and tables rendered in ``lang``."""
    report = build_report(period, suppress=suppress, regions=rows)
    labels = {c.value: referral_text(lang, f"category.{c.value}") for c in CaseCategory}
    labels |= {"urgent": referral_text(lang, "urgency.urgent"),
               "not_urgent": referral_text(lang, "urgency.normal"), "_more": t("stats.more")}
    figures = {
        "category": charts.stacked_bars(t("stats.by_category"), report.weeks,
                                        report.series["category"], labels),
        "urgency": charts.stacked_bars(t("stats.by_urgency"), report.weeks,
                                       report.series["urgency"], labels),
        "map": charts.region_map(t("stats.map_title"), report.region_points),
        "unaccepted": charts.hbars(t("stats.unaccepted_chart"),
                                   [(r.council, r.unaccepted) for r in report.councils]),
        "ussd": charts.hbars(t("stats.ussd_chart"), report.ussd),
    }
    # Rendered by Jinja with autoescaping, so safe to insert as markup.
    body = Markup(render_template(  # noqa: S704
        "stats/_report.html", report=report, figures=figures, labels=labels))
    return report, body


@bp.get("/export.csv")
@require_role(*EXPORT_ROLES)
def export_stats() -> Any:
    period, error = _period()
    if period is None:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    body = stats_csv(period, actor=staff_actor())
    db.session.commit()
    return _csv(body, f"linda-stats-{period.first_week.isoformat()}-{period.weeks}w.csv")


@bp.get("/cases.csv")
@require_role(*EXPORT_ROLES)
def export_cases() -> Any:
    period, error = _period()
    if period is None:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    chunks = cases_csv(period, actor=staff_actor())  # audited and committed here
    return _csv(stream_with_context(chunks),
                f"linda-cases-{period.first_week.isoformat()}-{period.weeks}w.csv")


def _csv(body: Any, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
