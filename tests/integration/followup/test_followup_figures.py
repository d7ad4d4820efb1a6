"""Figures for partners never show a count from 1 to 4."""

from __future__ import annotations

from datetime import timedelta

from app.centres.models import Placement, PlacementStatus
from app.clock import utcnow
from app.extensions import db
from app.followup.figures import by_council, placed_per_centre, suppress
from app.followup.models import CheckIn, CheckInStatus
from tests.integration.centres.centre_helpers import centre
from tests.integration.referral.referral_helpers import report, responder


def test_small_counts_are_suppressed() -> None:
    assert [suppress(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_placed_per_centre_and_checkins_by_council(app) -> None:
    big, _ = centre("Kituo Kikubwa", beds=20)
    small, _ = centre("Kituo Kidogo")
    lead = responder("police_gcd")
    now = utcnow()
    for i in range(7):
        case = report(phone=None)
        target = big if i < 5 else small
        db.session.add(Placement(case_id=case.id, requested_by=lead.id, centre_id=target.id,
                                 status=PlacementStatus.ADMITTED, offered=[], queue=[],
                                 refused=[]))
        status = CheckInStatus.ANSWERED if i < 6 else CheckInStatus.OVERDUE
        db.session.add(CheckIn(case_id=case.id, number=1, of=3, status=status,
                               due_at=now - timedelta(days=1),
                               answer="concern" if i < 2 else "safe" if i < 6 else None))
    db.session.commit()
    assert dict(placed_per_centre()) == {"Kituo Kikubwa": "5", "Kituo Kidogo": "<5"}
    (row,) = by_council()
    assert (row.checkins_done, row.checkins_overdue, row.concerns) == ("6", "<5", "<5")
    out = app.test_cli_runner().invoke(args=["followup", "figures"])
    assert "Kituo Kikubwa" in out.output and "<5" in out.output
