"""Retention with a moved clock: closed cases lose their personal fields, SMS their bodies and
numbers, the sandbox its data; statistics stay; `--dry-run` only counts."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.cases.models import Case
from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert
from app.sandbox.models import SandboxMessage
from app.sms.models import InboundSms, OutboundSms
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    KISUTU,
    report,
    responder,
    sms_in,
)


def raw(table: str) -> str:
    with db.engine.connect() as conn:
        return repr(conn.execute(sa.select(db.metadata.tables[table])).all())


def test_closed_cases_and_old_messages_are_forgotten_after_their_retention(
        app, run_jobs, reconcile) -> None:
    police = responder("police_gcd", ward=KARIAKOO)
    responder("social_welfare")
    responder("police_gcd", ward=KISUTU)
    closed = report(consent=True, phone="+255754111222")
    open_case = report(phone="+255754333444")
    run_jobs()
    swo_alerts = db.session.scalars(sa.select(Alert).where(Alert.case_id == closed.id,
                                                           Alert.responder_id != police.id))
    for alert in swo_alerts:
        from app.referral.models import Responder

        who = db.session.get_one(Responder, alert.responder_id)
        sms_in(who.phone, f"KATAA {closed.reference} mtoto Neema yuko nyumbani")
    sms_in(police.phone, f"KUBALI {closed.reference}")
    sms_in(police.phone, f"MALIZA {closed.reference} mtoto amerudi kwa mama yake")
    run_jobs()
    days = app.config["RETENTION_CLOSED_CASE_DAYS"]
    runner = app.test_cli_runner()

    with time_machine.travel(utcnow() + timedelta(days=days - 1), tick=False):
        assert "(would change 0 row(s))" in runner.invoke(
            args=["retention", "run", "--dry-run"]).output

    with time_machine.travel(utcnow() + timedelta(days=days + 1), tick=False):
        dry = runner.invoke(args=["retention", "run", "--dry-run"]).output
        assert "closed cases anonymised: 1" in dry
        db.session.expire_all()
        assert db.session.get_one(Case, closed.id).outcome is not None  # dry: nothing gone
        reconcile()  # the scheduled job: the reconciler's retention sweeper

    db.session.expire_all()
    case = db.session.get_one(Case, closed.id)
    assert (case.reporter_phone, case.reporter_phone_hash, case.landmark, case.outcome) == (
        None, None, None, None)
    assert case.category and case.ward_id == KARIAKOO and case.closed_at  # statistics stay
    assert all(a.reason is None for a in db.session.scalars(
        sa.select(Alert).where(Alert.case_id == closed.id)))
    assert db.session.get_one(Case, open_case.id).reporter_phone == "+255754333444"
    for table in ("cases", "alerts", "outbound_sms", "inbound_sms"):
        assert "Neema" not in raw(table) and "amerudi" not in raw(table)
    assert all(m.body == "" and m.to == "" for m in db.session.scalars(sa.select(OutboundSms)))
    assert all(m.text == "" for m in db.session.scalars(sa.select(InboundSms)))


def test_sandbox_data_goes_after_a_day(app, client) -> None:
    client.post("/sandbox/version1/messaging", headers={"apiKey": "k"},
                data={"username": "sandbox", "to": "+255712000001", "message": "Kesi"})
    assert db.session.scalar(sa.select(sa.func.count(SandboxMessage.id))) == 1
    runner = app.test_cli_runner()
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        assert "sandbox messages deleted: 0" in runner.invoke(args=["retention", "run"]).output
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        out = runner.invoke(args=["retention", "run"]).output
    assert "sandbox messages deleted: 1" in out and "sandbox phones deleted: 1" in out
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(SandboxMessage.id))) == 0
