"""Staff identity: `linda cases …` and `linda responders export` (full phone numbers) record
the operating-system user who ran them."""

from __future__ import annotations

import getpass

import sqlalchemy as sa

from app.extensions import db
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import KARIAKOO, report, responder


def entries() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(e.actor, e.action) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.in_(
            ["cases.list", "cases.show", "responders.export"])).order_by(AuditEntry.id))]


def test_cli_uses_are_audited_with_the_os_user(app) -> None:
    responder("police_gcd", ward=KARIAKOO, phone="+255712000001")
    case = report()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["cases", "list"]).exit_code == 0
    assert runner.invoke(args=["cases", "show", case.reference]).exit_code == 0
    exported = runner.invoke(args=["responders", "export"])
    assert "+255712000001" in exported.output
    me = f"cli:{getpass.getuser()}"
    assert entries() == [(me, "cases.list"), (me, "cases.show"), (me, "responders.export")]
