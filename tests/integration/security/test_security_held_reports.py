"""Abuse limits: reports past a phone's daily limit are kept but held for staff, not sent to
responders; `linda cases list --held` and `linda cases release REF` serve staff, audited."""

from __future__ import annotations

import getpass

import sqlalchemy as sa

from app.cases.models import Case
from app.extensions import db
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    alerts_of,
    report,
    responder,
)


def test_reports_past_the_limit_wait_for_staff_then_go_out_when_released(
        app, run_jobs, reconcile) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    limit = app.config["REPORTS_PER_PHONE_PER_DAY"]
    cases = [report() for _ in range(limit + 1)]
    run_jobs()
    reconcile()
    run_jobs()
    held = cases[-1]
    assert all(police.id in alerts_of(c) for c in cases[:limit])
    assert alerts_of(held) == {}  # kept, sent to nobody
    db.session.expire_all()
    assert db.session.get_one(Case, held.id).held_at is not None

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["cases", "list", "--held"]).output
    assert held.reference in listed and cases[0].reference not in listed
    result = runner.invoke(args=["cases", "release", held.reference])
    assert result.exit_code == 0, result.output
    run_jobs()
    assert police.id in alerts_of(held)
    again = runner.invoke(args=["cases", "release", held.reference])
    assert again.exit_code != 0 and "not held" in again.output

    me = f"cli:{getpass.getuser()}"
    actions = [(e.actor, e.action) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("cases.%")).order_by(AuditEntry.id))]
    assert actions == [(me, "cases.list"), (me, "cases.release")]
