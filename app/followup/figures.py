"""Figures for partners: children placed per centre, check-ins done and overdue, and concerns
raised after closing, by council. Counts from 1 to 4 are shown as ``<5`` so that no small
group of children can be picked out (small-cell suppression)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from app.cases.models import Case
from app.centres.models import Centre, Placement, PlacementStatus
from app.extensions import db
from app.followup.models import CheckIn, CheckInStatus
from app.gazetteer.models import Council

#: Counts below this (and above zero) are never shown exactly.
SMALL_CELL: Final = 5


def suppress(count: int) -> str:
    return f"<{SMALL_CELL}" if 0 < count < SMALL_CELL else str(count)


@dataclass(frozen=True)
class CouncilFigures:
    council: str
    checkins_done: str
    checkins_overdue: str
    concerns: str


def placed_per_centre() -> list[tuple[str, str]]:
    """(centre, children placed there through Linda, suppressed), every centre."""
    placed = (sa.select(Placement.centre_id, sa.func.count(Placement.id))
              .where(Placement.status.in_([PlacementStatus.ADMITTED,
                                           PlacementStatus.DISCHARGED]))
              .group_by(Placement.centre_id))
    counts: dict[int, int] = dict(db.session.execute(placed).all())  # type: ignore[arg-type]
    return [(c.name, suppress(counts.get(c.id, 0)))
            for c in db.session.scalars(sa.select(Centre).order_by(Centre.name))]


def by_council() -> list[CouncilFigures]:
    """Councils with any check-in: done (answered), overdue, and concerns raised."""
    done = sa.func.sum(sa.case((CheckIn.status == CheckInStatus.ANSWERED, 1), else_=0))
    late = sa.func.sum(sa.case((CheckIn.status == CheckInStatus.OVERDUE, 1), else_=0))
    concern = sa.func.sum(sa.case((CheckIn.answer == "concern", 1), else_=0))
    rows = db.session.execute(
        sa.select(Council.name, done, late, concern)
        .join(Case, Case.id == CheckIn.case_id).join(Council, Council.id == Case.council_id)
        .group_by(Council.name).order_by(Council.name)).all()
    return [CouncilFigures(name, suppress(int(d or 0)), suppress(int(o or 0)),
                           suppress(int(c or 0))) for name, d, o, c in rows]
