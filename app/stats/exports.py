"""CSV exports of the statistics and of the case list, each written to the audit log.

Statistics exports are always small-cell protected, whoever asks: a file leaves the building.
The case export holds no personal data (no phone, landmark, details or outcome): reference,
times, status, category, urgency and place only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from app.cases.models import Case
from app.extensions import db
from app.gazetteer.models import Council, Region, Ward
from app.staff.services import audit
from app.stats.rollup import week_bounds
from app.stats.services import Cell, Period, build_report

CASE_COLUMNS = ("reference", "created_at", "status", "category", "urgent", "region", "council",
                "ward", "accepted_at", "closed_at", "flagged_for_review")


def _cell(value: Cell) -> str:
    return "<5" if value is None else str(value)


def stats_csv(period: Period, *, actor: str) -> str:
    """The statistics of ``period`` as one CSV of ``table,key,week,value`` rows (protected)."""
    report = build_report(period, suppress=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "key", "week", "value"])
    for dim, table in report.series.items():
        for key, values in table.items():
            for week, value in zip(report.weeks, values, strict=True):
                writer.writerow([f"cases_by_{dim}", key, week.isoformat(), _cell(value)])
    for t in report.timings:
        scope = "all" if t.urgent is None else ("urgent" if t.urgent else "not_urgent")
        for name, value in (("cases", _cell(t.count)),
                            ("median_seconds", _seconds(t.median_seconds)),
                            ("p90_seconds", _seconds(t.p90_seconds))):
            writer.writerow([f"time_to_{t.measure}", f"{scope}:{name}", "", value])
    for row in report.councils:
        for name, value in (("cases", row.cases), ("escalated", row.escalated),
                            ("unaccepted", row.unaccepted)):
            writer.writerow([f"council_{name}", f"{row.region}/{row.council}", "", _cell(value)])
    for screen, value in report.ussd:
        writer.writerow(["ussd_abandoned", screen, "", _cell(value)])
    writer.writerow(["note", "small_cells", "", "counts from 1 to 4 are shown as <5"])
    audit(actor, "stats.export", "stats", None, first_week=period.first_week.isoformat(),
          weeks=period.weeks, region=period.region_id)
    return out.getvalue()


def _seconds(value: float | None) -> str:
    return "" if value is None else str(round(value))


def cases_csv(period: Period, *, actor: str, regions: list[str] | None = None) -> Iterator[str]:
    """The cases created in ``period`` (optionally only in ``regions``), streamed in chunks.

    The export is audited before the first line is produced, with its filters and row count.
    """
    start, _ = week_bounds(period.first_week)
    _, end = week_bounds(period.last_week)
    where = [Case.created_at >= start, Case.created_at < end]
    if period.region_id:
        where.append(Case.region_id == period.region_id)
    if regions is not None:
        where.append(Case.region_id.in_(regions))
    count = db.session.scalar(sa.select(sa.func.count(Case.id)).where(*where)) or 0
    audit(actor, "cases.export", "case", None, first_week=period.first_week.isoformat(),
          weeks=period.weeks, region=period.region_id, rows=count)
    db.session.commit()
    query = (sa.select(Case.reference, Case.created_at, Case.status, Case.category, Case.urgent,
                       Region.name, Council.name, Ward.name, Case.accepted_at, Case.closed_at,
                       Case.flagged_for_review)
             .join(Region, Region.id == Case.region_id).join(Council, Council.id == Case.council_id)
             .outerjoin(Ward, Ward.id == Case.ward_id).where(*where).order_by(Case.id)
             .execution_options(yield_per=2000))
    return _stream(query)


def _stream(query: sa.Select[tuple[object, ...]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CASE_COLUMNS)
    for i, row in enumerate(db.session.execute(query)):
        writer.writerow([_plain(v) for v in row])
        if i % 1000 == 999:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)
