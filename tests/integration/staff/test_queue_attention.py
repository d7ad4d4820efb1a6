"""The queue's "needs a person" rows are exactly the cases the definition names, whatever the
filter: a case needing a person must never be missing from the top of the queue."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from flask import Flask

from app.cases.models import Case, CaseCategory
from app.cases.status import CaseStatus
from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert
from app.referral.status import AlertStatus
from app.staff.models import StaffUser
from app.staff.queries import (
    ATTENTION_LIMIT,
    QueueFilters,
    _filtered,
    needs_human,
    queue_page,
    scoped,
)
from app.staff.services import find_staff
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    BAGAMOYO_KISUTU,
    report,
    responder,
)
from tests.integration.staff.helpers import make_staff

CATEGORIES = (CaseCategory.BEGGING, CaseCategory.FORCED_LABOUR, CaseCategory.TRANSPORTED)
FILTERS = (QueueFilters(), QueueFilters(category="begging"), QueueFilters(category="transported"),
           QueueFilters(category="forced_labour", urgency="normal"), QueueFilters(region="TZ-19"),
           QueueFilters(urgency="normal"), QueueFilters(status="referred"),
           QueueFilters(status="needs_attention"), QueueFilters(status="all"),
           QueueFilters(status="accepted"))


def _mixed_cases(run_jobs) -> None:  # type: ignore[no-untyped-def]
    """Cases of every kind: escalated, held (open and accepted), failing alerts (open and
    closed), urgent, plain; in two regions and three categories, each a minute apart."""
    responder("police_gcd", name="Insp. Amina")
    start = utcnow() - timedelta(hours=3)
    made: list[Case] = []
    for i in range(36):
        with time_machine.travel(start + timedelta(minutes=i)):
            pwani = i % 5 == 0
            made.append(report(urgent=i % 7 == 0, category=CATEGORIES[i % 3],
                               council=BAGAMOYO if pwani else report.__kwdefaults__["council"],
                               ward=BAGAMOYO_KISUTU if pwani else None))
    run_jobs()  # the alerts
    alerts = {a.case_id: a for a in db.session.scalars(sa.select(Alert))}
    for i, case in enumerate(made):
        kind = i % 6
        if kind == 1:
            case.status = CaseStatus.NEEDS_ATTENTION
        elif kind == 2:
            case.flagged_for_review = True
            case.status = CaseStatus.ACCEPTED if i % 4 == 0 else CaseStatus.RECEIVED
        elif kind == 3 and case.id in alerts:
            alerts[case.id].status = AlertStatus.FAILED
            case.status = CaseStatus.CLOSED if i % 4 == 1 else CaseStatus.REFERRED
        elif kind == 4:
            case.status = CaseStatus.ACCEPTED
    db.session.commit()


def _definition(f: QueueFilters, user: StaffUser) -> list[int]:
    """The issue's definition, read directly: urgent first, then the others, oldest first."""
    query = scoped(_filtered(sa.select(Case.id), f), user).where(needs_human())
    return list(db.session.scalars(query.order_by(Case.urgent.desc(), Case.created_at, Case.id)
                                   .limit(ATTENTION_LIMIT)))


def test_attention_rows_match_the_definition_under_every_filter(
        app: Flask, run_jobs) -> None:  # type: ignore[no-untyped-def]
    _mixed_cases(run_jobs)
    make_staff("sup@example.org", "supervisor")
    make_staff("agent@example.org", "agent", ("Pwani",))  # an agent's queue: one region
    supervisor, agent = find_staff("sup@example.org"), find_staff("agent@example.org")
    assert supervisor is not None and agent is not None
    reasons: set[str] = set()
    for user, f in [(supervisor, f) for f in FILTERS] + [(agent, f) for f in FILTERS[:4]]:
        page = queue_page(user, f)
        shown = [row.case.id for row in page.attention]
        assert shown == _definition(f, user), f
        assert all(row.attention for row in page.attention), f
        assert not set(shown) & {row.case.id for row in page.rest}, f
        reasons.update(r for row in page.attention for r in row.attention)
    assert reasons == {"needs_attention", "urgent", "held", "failed"}
    agents = queue_page(agent, QueueFilters()).attention
    assert agents and {row.case.region_id for row in agents} == {"TZ-19"}
