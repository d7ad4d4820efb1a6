"""Rewrite the weekly roll-ups from the cases, alerts and USSD notices they summarise.

A week is rewritten whole (delete, insert) from the source rows, so running a refresh twice,
or two at once, converges on the same figures. Only weeks touched since the last refresh are
rewritten: a case created, accepted or escalated (``cases.updated_at``), an alert delivered or
answered (``alerts.updated_at``), or a USSD notice received.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.cases.models import Case, CaseEventRecord
from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert
from app.sms.models import OutboundSms
from app.stats.models import CaseWeek, DurationWeek, RollupState, UssdWeek
from app.ussd.models import UssdSessionEvent

#: Tanzania keeps East Africa Time all year; weeks start on its Mondays.
EAT = timedelta(hours=3)
#: Upper bounds (seconds) of the duration buckets; a last bucket holds everything longer.
BUCKETS: tuple[int, ...] = (
    10, 20, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600, 5400,
    7200, 10800, 14400, 21600, 43200, 86400, 172800, 604800)
#: Rows committed a little after their ``updated_at`` are still seen by the next refresh.
OVERLAP = timedelta(minutes=2)


def week_of(moment: datetime) -> date:
    """The Monday (East Africa Time) of the week ``moment`` falls in."""
    local = (moment + EAT).date()
    return local - timedelta(days=local.weekday())


def week_bounds(week: date) -> tuple[datetime, datetime]:
    """The UTC instants where ``week`` starts and the next one starts."""
    from datetime import UTC

    start = datetime.combine(week, time(), tzinfo=UTC) - EAT
    return start, start + timedelta(days=7)


def bucket_of(seconds: float) -> int:
    return bisect.bisect_left(BUCKETS, max(seconds, 0))


def refresh(*, full: bool = False) -> int:
    """Rewrite every week changed since the last refresh (all weeks with ``full``).

    Flushes; the caller commits. Returns how many weeks were rewritten.
    """
    state = db.session.get(RollupState, 1)
    started = utcnow()
    since = None if (full or state is None) else state.refreshed_at - OVERLAP
    weeks = _changed_weeks(since)
    for week in sorted(weeks):
        _rewrite(week)
    if state is None:
        db.session.add(RollupState(id=1, refreshed_at=started))
    else:
        state.refreshed_at = started
    db.session.flush()
    return len(weeks)


def needs_refresh() -> bool:
    """True when a case, an alert or a USSD notice changed since the last refresh."""
    state = db.session.get(RollupState, 1)
    if state is None:
        return True
    since = state.refreshed_at
    for query in (sa.select(Case.id).where(Case.updated_at >= since),
                  sa.select(Alert.id).where(Alert.updated_at >= since),
                  sa.select(UssdSessionEvent.id).where(UssdSessionEvent.received_at >= since)):
        if db.session.scalar(query.limit(1)) is not None:
            return True
    return False


def last_refreshed() -> datetime | None:
    state = db.session.get(RollupState, 1)
    return state.refreshed_at if state else None


def _changed_weeks(since: datetime | None) -> set[date]:
    if since is None:
        moments: Iterable[datetime] = [
            *db.session.scalars(sa.select(Case.created_at)),
            *db.session.scalars(sa.select(UssdSessionEvent.received_at)),
        ]
        return {week_of(m) for m in moments}
    changed_cases = sa.select(Case.created_at).where(Case.updated_at >= since)
    changed_alerts = (sa.select(Case.created_at).join(Alert, Alert.case_id == Case.id)
                      .where(Alert.updated_at >= since))
    notices = sa.select(UssdSessionEvent.received_at).where(UssdSessionEvent.received_at >= since)
    weeks = set()
    for query in (changed_cases, changed_alerts, notices):
        weeks.update(week_of(m) for m in db.session.scalars(query))
    return weeks


def _rewrite(week: date) -> None:
    start, end = week_bounds(week)
    in_week = sa.and_(Case.created_at >= start, Case.created_at < end)
    for model in (CaseWeek, DurationWeek, UssdWeek):
        db.session.execute(sa.delete(model).where(model.week == week))

    first_delivery = dict(db.session.execute(
        sa.select(Alert.case_id, sa.func.min(OutboundSms.delivered_at))
        .join(OutboundSms, OutboundSms.id == Alert.sms_id).join(Case, Case.id == Alert.case_id)
        .where(in_week, OutboundSms.delivered_at.is_not(None)).group_by(Alert.case_id)).all())
    escalated = set(db.session.scalars(
        sa.select(CaseEventRecord.case_id).join(Case, Case.id == CaseEventRecord.case_id)
        .where(in_week, CaseEventRecord.kind == "exhaust").distinct()))

    cells: dict[tuple[str, str, bool], list[int | str]] = {}
    durations: Counter[tuple[str, bool, int]] = Counter()
    rows = db.session.execute(sa.select(
        Case.id, Case.council_id, Case.region_id, Case.category, Case.urgent, Case.created_at,
        Case.accepted_at).where(in_week))
    for case_id, council, region, category, urgent, created, accepted in rows:
        key = (council, str(category), bool(urgent))  # StrEnum: str() is the value
        cell = cells.setdefault(key, [region, 0, 0, 0])
        cell[1] = int(cell[1]) + 1
        cell[2] = int(cell[2]) + (case_id in escalated)
        cell[3] = int(cell[3]) + (accepted is None)
        delivered = first_delivery.get(case_id)
        if delivered is not None:
            seconds = (delivered - created).total_seconds()
            durations["delivery", bool(urgent), bucket_of(seconds)] += 1
        if accepted is not None:
            seconds = (accepted - created).total_seconds()
            durations["accept", bool(urgent), bucket_of(seconds)] += 1

    db.session.add_all(
        CaseWeek(week=week, council_id=council, category=category, urgent=urgent,
                 region_id=str(region), cases=int(n), escalated=int(esc), unaccepted=int(un))
        for (council, category, urgent), (region, n, esc, un) in cells.items())
    db.session.add_all(
        DurationWeek(week=week, measure=measure, urgent=urgent, bucket=bucket, n=n)
        for (measure, urgent, bucket), n in durations.items())

    screen = sa.func.coalesce(UssdSessionEvent.last_screen, "unknown")
    abandoned: defaultdict[str, int] = defaultdict(int)
    for name, n in db.session.execute(
            sa.select(screen, sa.func.count()).where(
                UssdSessionEvent.status == "Incomplete", UssdSessionEvent.received_at >= start,
                UssdSessionEvent.received_at < end).group_by(screen)):
        abandoned[str(name)] += int(n)
    db.session.add_all(UssdWeek(week=week, screen=s, abandoned=n) for s, n in abandoned.items())
    db.session.flush()
