"""Weekly roll-ups the statistics page reads, so it stays fast on a million cases.

Rows hold counts only (never a case id, phone or text). ``rollup.refresh`` rewrites the weeks
whose cases changed since the last run; the ``stats-rollup`` sweeper runs it with the reconciler.
Weeks start on Monday 00:00 East Africa Time (UTC+3, no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Base


class CaseWeek(Base):
    """Cases of one week, council, category and urgency."""

    __tablename__ = "stats_case_weeks"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    council_id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    urgent: Mapped[bool] = mapped_column(primary_key=True)
    region_id: Mapped[str] = mapped_column(sa.String(8), index=True)
    cases: Mapped[int]
    escalated: Mapped[int]  # supervisors were alerted (every wave ran out) at least once
    unaccepted: Mapped[int]  # nobody has accepted it (yet)


class DurationWeek(Base):
    """How many cases of a week took a time within one bucket (see ``rollup.BUCKETS``)."""

    __tablename__ = "stats_duration_weeks"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    measure: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # delivery, accept
    urgent: Mapped[bool] = mapped_column(primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]


class UssdWeek(Base):
    """USSD sessions AT reported abandoned (``Incomplete``) at one screen in one week."""

    __tablename__ = "stats_ussd_weeks"

    week: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    screen: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    abandoned: Mapped[int]


class RollupState(Base):
    """One row: up to when the roll-ups are complete."""

    __tablename__ = "stats_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]
