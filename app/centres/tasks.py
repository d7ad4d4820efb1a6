"""Placement jobs and their sweeper. Jobs take ids, re-read rows and are safe to re-run."""

from __future__ import annotations

import sqlalchemy as sa

from app.cases.services import lock_case
from app.centres import services as svc
from app.centres.models import Placement, PlacementStatus
from app.clock import utcnow
from app.extensions import db
from app.worker.queue import enqueue


def check_placement(placement_id: int) -> None:
    """A centre did not answer in time: ask the next one (or tell the supervisors)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        return
    case = lock_case(placement.case_id)
    db.session.refresh(placement)
    if (placement.status is PlacementStatus.REQUESTED and placement.deadline_at is not None
            and utcnow() >= placement.deadline_at):
        svc.move_on(placement, case, reason="no answer")
    db.session.commit()


def sweep_placements() -> int:
    """Requests past their deadline whose job was lost."""
    ids = db.session.scalars(sa.select(Placement.id).where(
        Placement.status == PlacementStatus.REQUESTED, Placement.deadline_at <= utcnow())).all()
    return sum(enqueue(check_placement, i, job_id=f"placement-check-{i}") for i in ids)
