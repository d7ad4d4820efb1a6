"""How a case ended, and the check-ins that follow a child returned home or placed."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base


class CaseOutcome(Base):
    """The numbered outcome a case was closed with (``MALIZA <case> <n>``); one row per
    close, so a reopened and closed again case keeps both. The free text is ``cases.outcome``
    (sealed)."""

    __tablename__ = "case_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    code: Mapped[int]  # 1..6, app.followup.outcomes.Outcome
    actor: Mapped[str] = mapped_column(sa.String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckInStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  # due_at in the future (or due, job pending)
    SENT = "sent"  # SMS queued; waiting for an answer until deadline_at
    ANSWERED = "answered"  # 1 safe, 2 concern or 3 could not reach
    OVERDUE = "overdue"  # no answer by deadline_at; supervisors told (a late answer counts)
    CANCELLED = "cancelled"  # the case was reopened before it was due


#: Check-ins that can still be answered.
ANSWERABLE = (CheckInStatus.SENT, CheckInStatus.OVERDUE)


class CheckIn(Base):
    """One check-in by SMS about a closed case. Its due time and answer deadline are this row,
    swept by the reconciler; the SMS never names the child, only the case number."""

    __tablename__ = "follow_up_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    number: Mapped[int]  # 1..len(FOLLOWUP_SCHEDULE)
    of: Mapped[int]  # how many the schedule has
    attempt: Mapped[int] = mapped_column(default=0)  # retries after "could not reach"
    status: Mapped[CheckInStatus] = mapped_column(default=CheckInStatus.SCHEDULED, index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    responder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responders.id"), index=True)
    sms_id: Mapped[int | None]
    sent_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    answer: Mapped[str | None] = mapped_column(sa.String(16))  # safe, concern, unreached
    answered_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
