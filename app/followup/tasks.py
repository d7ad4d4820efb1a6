"""Check-in jobs and their sweepers. Jobs take ids, re-read rows and are safe to re-run."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.services import lock_case
from app.clock import utcnow
from app.extensions import db
from app.followup import services as svc
from app.followup.models import CheckIn, CheckInStatus
from app.worker.queue import enqueue


def send_checkin(checkin_id: int) -> None:
    """Send one due check-in (or cancel it if the case was reopened)."""
    row = db.session.get(CheckIn, checkin_id)
    if row is None:
        return
    case = lock_case(row.case_id)
    db.session.refresh(row)
    svc.send(row, case, utcnow())
    db.session.commit()


def check_answer(checkin_id: int) -> None:
    """A check-in's answer deadline passed: tell the supervisors if nobody answered."""
    row = db.session.get(CheckIn, checkin_id)
    if row is None:
        return
    case = lock_case(row.case_id)
    db.session.refresh(row)
    svc.overdue(row, case, utcnow())
    db.session.commit()


def sweep_due() -> int:
    ids = db.session.scalars(sa.select(CheckIn.id).where(
        CheckIn.status == CheckInStatus.SCHEDULED, CheckIn.due_at <= utcnow())).all()
    return sum(enqueue(send_checkin, i, job_id=f"checkin-due-{i}") for i in ids)


def sweep_overdue() -> int:
    ids = db.session.scalars(sa.select(CheckIn.id).where(
        CheckIn.status == CheckInStatus.SENT, CheckIn.deadline_at <= utcnow())).all()
    return sum(enqueue(check_answer, i, job_id=f"checkin-overdue-{i}") for i in ids)
