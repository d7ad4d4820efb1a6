"""The statistics staff and partners see: read from the weekly roll-ups, never from cases.

Small-cell protection: a count from 1 to 4 could point at one child or one village, so every
export and every page a ``viewer`` sees shows it as "<5" (``SUPPRESSED``), and a median or
90th percentile drawn from fewer than 5 cases is not shown. Totals are left out where cells
are suppressed, so a hidden cell cannot be worked back from them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import sqlalchemy as sa

from app.cases.models import CaseCategory
from app.clock import utcnow
from app.extensions import db
from app.gazetteer.models import Council, Region
from app.stats.models import CaseWeek, DurationWeek, UssdWeek
from app.stats.rollup import BUCKETS, last_refreshed, week_of

#: Counts below this (and above 0) are hidden where small cells must not be shown.
SMALL_CELL: Final = 5
DEFAULT_WEEKS: Final = 12
MAX_WEEKS: Final = 156


class StatsInputError(ValueError):
    """A statistics filter is malformed (a bad date, an unknown region, too long a period)."""


Cell = int | None  # None = suppressed (1–4)


def protect(n: int, suppress: bool) -> Cell:
    """``n``, or None when small-cell protection hides it."""
    return None if suppress and 0 < n < SMALL_CELL else n


@dataclass(frozen=True)
class Period:
    first_week: date  # a Monday
    weeks: int
    region_id: str | None = None

    @property
    def week_list(self) -> list[date]:
        return [self.first_week + timedelta(weeks=i) for i in range(self.weeks)]

    @property
    def last_week(self) -> date:
        return self.first_week + timedelta(weeks=self.weeks - 1)


def parse_period(start: str | None, weeks: str | None, region: str | None) -> Period:
    """Read the filter form: start date (any day of the first week), number of weeks, region.

    Raises:
        StatsInputError: the reason, to show beside the form.
    """
    try:
        count = int(weeks) if weeks else DEFAULT_WEEKS
    except ValueError:
        raise StatsInputError(f"weeks {weeks!r} is not a whole number") from None
    if not 1 <= count <= MAX_WEEKS:
        raise StatsInputError(f"weeks must be between 1 and {MAX_WEEKS}")
    if start:
        try:
            first = week_of_date(date.fromisoformat(start))
        except ValueError:
            raise StatsInputError(f"start {start!r} is not a date (YYYY-MM-DD)") from None
    else:
        first = week_of(utcnow()) - timedelta(weeks=count - 1)
    region_id = region or None
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise StatsInputError(f"unknown region {region_id!r}")
    return Period(first, count, region_id)


def week_of_date(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Timing:
    measure: str  # delivery, accept
    urgent: bool | None  # None = all cases
    count: Cell
    median_seconds: float | None
    p90_seconds: float | None


@dataclass
class CouncilRow:
    council_id: str
    council: str
    region: str
    cases: Cell
    escalated: Cell
    unaccepted: Cell


@dataclass
class Report:
    period: Period
    suppressed: bool
    weeks: list[date]
    #: dimension ("category", "urgency", "region") → label → count per week
    series: dict[str, dict[str, list[Cell]]]
    total: Cell
    timings: list[Timing]
    councils: list[CouncilRow]
    ussd: list[tuple[str, Cell]]
    refreshed_at: object = None
    region_points: list[tuple[str, str, float, float, Cell]] = field(default_factory=list)


def region_rows() -> list[Any]:
    """``(id, name, lat, lon)`` of every region by name: the filter list and the map."""
    return list(db.session.execute(
        sa.select(Region.id, Region.name, Region.lat, Region.lon).order_by(Region.name)).all())


def build_report(period: Period, *, suppress: bool, regions: list[Any] | None = None) -> Report:
    """Every figure of the statistics page for ``period``, protected when ``suppress``.

    ``regions``: ``region_rows()`` when the caller already read them for the same request.
    """
    weeks = period.week_list
    index = {w: i for i, w in enumerate(weeks)}
    where = [CaseWeek.week >= period.first_week, CaseWeek.week <= period.last_week]
    if period.region_id:
        where.append(CaseWeek.region_id == period.region_id)

    regions = region_rows() if regions is None else regions
    region_names = {r.id: r.name for r in regions}
    # One pass over the roll-up: the three weekly series and the map all come from it.
    tables: dict[str, dict[str, list[int]]] = {d: {} for d in ("category", "urgency", "region")}
    by_region: dict[str, int] = defaultdict(int)
    for week, category, urgent, region_id, n in db.session.execute(
            sa.select(CaseWeek.week, CaseWeek.category, CaseWeek.urgent, CaseWeek.region_id,
                      sa.func.sum(CaseWeek.cases)).where(*where)
            .group_by(CaseWeek.week, CaseWeek.category, CaseWeek.urgent, CaseWeek.region_id)):
        for dim, key in (("category", category), ("urgency", urgent), ("region", region_id)):
            label = _label(dim, key, region_names)
            tables[dim].setdefault(label, [0] * len(weeks))[index[week]] += int(n)
        by_region[region_id] += int(n)
    for c in CaseCategory:
        tables["category"].setdefault(c.value, [0] * len(weeks))
    total = sum(by_region.values())
    series = {dim: {k: [protect(n, suppress) for n in v]
                    for k, v in sorted(table.items(), key=lambda kv: (-sum(kv[1]), kv[0]))}
              for dim, table in tables.items()}
    points = [(r.id, r.name, float(r.lat), float(r.lon), protect(by_region.get(r.id, 0), suppress))
              for r in regions if r.lat is not None and r.lon is not None]

    return Report(
        period=period, suppressed=suppress, weeks=weeks, series=series,
        total=None if suppress else total, timings=_timings(period, suppress),
        councils=_councils(where, region_names, suppress), ussd=_ussd(period, suppress),
        refreshed_at=last_refreshed(), region_points=points)


def _label(dim: str, key: object, region_names: dict[str, str]) -> str:
    if dim == "urgency":
        return "urgent" if key else "not_urgent"
    if dim == "region":
        return region_names.get(str(key), str(key))
    return str(key)


def _timings(period: Period, suppress: bool) -> list[Timing]:
    hist: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
    query = (sa.select(DurationWeek.measure, DurationWeek.urgent, DurationWeek.bucket,
                       sa.func.sum(DurationWeek.n))
             .where(DurationWeek.week >= period.first_week, DurationWeek.week <= period.last_week)
             .group_by(DurationWeek.measure, DurationWeek.urgent, DurationWeek.bucket))
    if period.region_id:  # durations are kept per week only: no region filter for them
        return []
    for measure, urgent, bucket, n in db.session.execute(query):
        hist[measure, bool(urgent)][int(bucket)] += int(n)
    out = []
    for measure in ("delivery", "accept"):
        both = [a + b for a, b in zip(hist[measure, True], hist[measure, False], strict=True)]
        for urgent, counts in ((None, both), (True, hist[measure, True]),
                               (False, hist[measure, False])):
            n = sum(counts)
            hidden = n < SMALL_CELL  # a percentile of 1–4 cases describes those cases
            out.append(Timing(measure, urgent, protect(n, suppress),
                              None if hidden else percentile(counts, 0.5),
                              None if hidden else percentile(counts, 0.9)))
    return out


def percentile(counts: list[int], q: float) -> float | None:
    """The ``q`` quantile of a bucketed distribution, interpolated inside its bucket.

    The last bucket has no upper bound: a quantile falling there is its lower bound.
    """
    n = sum(counts)
    if n == 0:
        return None
    target = q * n
    seen = 0
    for i, c in enumerate(counts):
        if c and seen + c >= target:
            low = 0 if i == 0 else BUCKETS[i - 1]
            if i == len(BUCKETS):
                return float(low)
            return low + (BUCKETS[i] - low) * (target - seen) / c
        seen += c
    return float(BUCKETS[-1])


def _councils(where: list[sa.ColumnElement[bool]], region_names: dict[str, str],
              suppress: bool) -> list[CouncilRow]:
    rows = db.session.execute(
        sa.select(CaseWeek.council_id, Council.name, Council.region_id,
                  sa.func.sum(CaseWeek.cases), sa.func.sum(CaseWeek.escalated),
                  sa.func.sum(CaseWeek.unaccepted))
        .join(Council, Council.id == CaseWeek.council_id).where(*where)
        .group_by(CaseWeek.council_id, Council.name, Council.region_id)
        .order_by(sa.func.sum(CaseWeek.unaccepted).desc(), sa.func.sum(CaseWeek.escalated).desc(),
                  Council.name))
    return [CouncilRow(cid, name, region_names.get(rid, rid), protect(int(n), suppress),
                       protect(int(esc), suppress), protect(int(un), suppress))
            for cid, name, rid, n, esc, un in rows]


def _ussd(period: Period, suppress: bool) -> list[tuple[str, Cell]]:
    rows = db.session.execute(
        sa.select(UssdWeek.screen, sa.func.sum(UssdWeek.abandoned))
        .where(UssdWeek.week >= period.first_week, UssdWeek.week <= period.last_week)
        .group_by(UssdWeek.screen).order_by(sa.func.sum(UssdWeek.abandoned).desc(),
                                             UssdWeek.screen))
    return [(str(screen), protect(int(n), suppress)) for screen, n in rows]
