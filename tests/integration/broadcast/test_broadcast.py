"""Coordination messages: exactly the chosen roles and places, each in their language, cost
shown before sending, steady rate, delivery per person, replies collected, audited."""

from __future__ import annotations

import sqlalchemy as sa

from app.broadcast.models import Broadcast, BroadcastRecipient, BroadcastReply
from app.extensions import db
from app.referral.roles import ResponderRole
from app.sms.status import SmsStatus
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    DSM,
    DSM_CC,
    PWANI,
    delivery,
    responder,
    sms_in,
    sms_to,
)

SW = "Mafunzo ya siku tatu kuhusu utaratibu wa rufaa na sheria ndogo za mfano, Dodoma 12-14 Jan."
EN = "Three-day training on the referral procedure and model by-laws, Dodoma 12-14 Jan."


def _people():
    sw_dsm = responder(ResponderRole.SOCIAL_WELFARE, language="sw")
    en_pwani = responder(ResponderRole.SOCIAL_WELFARE, region=PWANI, council=BAGAMOYO,
                         language="en")
    region_wide = responder(ResponderRole.SOCIAL_WELFARE, region=PWANI, council=None)
    police = responder(ResponderRole.POLICE_GCD)
    elsewhere = responder(ResponderRole.SOCIAL_WELFARE, region="TZ-01", council=None)
    stopped = responder(ResponderRole.SOCIAL_WELFARE, on_duty=False)
    unconfirmed = responder(ResponderRole.SOCIAL_WELFARE, confirmed=False)
    return sw_dsm, en_pwani, region_wide, police, elsewhere, stopped, unconfirmed


def test_dry_run_shows_recipients_and_cost_and_sends_nothing(app) -> None:
    _people()
    result = app.test_cli_runner().invoke(args=[
        "broadcast", "send", "--role", "social_welfare", "--region", "Dar es Salaam",
        "--region", "Pwani", "--sw", SW, "--en", EN, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "recipients: 3 (2 in sw, 1 in en)" in result.output
    assert "skipped: 1 off duty (sent ACHA/STOP), 1 not confirmed yet" in result.output
    assert "cost: 3 SMS segment(s) in all (sw 1, en 1 per person)" in result.output
    assert "dry run: nothing sent" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Broadcast.id))) == 0
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "broadcast.preview")) is not None


def test_send_reaches_exactly_them_in_their_language_at_a_steady_rate(app, run_jobs) -> None:
    sw_dsm, en_pwani, region_wide, police, elsewhere, stopped, unconfirmed = _people()
    result = app.test_cli_runner().invoke(args=[
        "broadcast", "send", "--role", "social_welfare", "--region", "Dar es Salaam,Pwani",
        "--sw", SW, "--en", EN], input="y\n")
    assert result.exit_code == 0, result.output
    assert result.output.index("cost:") < result.output.index("send it?")
    assert [m.body for m in sms_to(sw_dsm.phone, "broadcast")] == [SW]
    assert [m.body for m in sms_to(en_pwani.phone, "broadcast")] == [EN]
    assert [m.body for m in sms_to(region_wide.phone, "broadcast")] == [SW]
    for other in (police, elsewhere, stopped, unconfirmed):
        assert sms_to(other.phone, "broadcast") == []
    times = sorted(m.next_attempt_at for p in (sw_dsm, en_pwani, region_wide)
                   for m in sms_to(p.phone, "broadcast"))
    assert (times[1] - times[0]).total_seconds() >= 0.99  # 60 a minute
    db.session.expire_all()
    message = db.session.scalar(sa.select(Broadcast))
    assert (message.recipients, message.segments) == (3, 3)
    assert (message.text_sw, message.text_en) == (SW, EN)  # sealed, and open again from the row
    stored = db.session.execute(sa.text("SELECT text_sw_enc, text_en_enc FROM broadcasts")).one()
    assert "Dodoma" not in " ".join(stored)
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "broadcast.send")).detail["recipients"] == 3

    delivery(sms_to(sw_dsm.phone, "broadcast")[0], SmsStatus.DELIVERED)
    sms_in(en_pwani.phone, "Yes, I will attend")
    run_jobs()
    assert "your reply is received" in sms_to(en_pwani.phone, "reply")[-1].body
    assert db.session.scalar(sa.select(BroadcastReply.responder_id)) == en_pwani.id
    shown = app.test_cli_runner().invoke(args=["broadcast", "show", str(message.id)])
    assert "delivered 1" in shown.output and "queued 2" in shown.output
    assert "replies: 1" in shown.output and "Yes, I will attend" in shown.output
    assert db.session.scalar(sa.select(sa.func.count(BroadcastRecipient.id))) == 3


def test_council_narrows_a_region_and_bad_names_are_one_clear_line(app) -> None:
    in_council = responder(ResponderRole.SOCIAL_WELFARE, region=DSM, council=DSM_CC)
    responder(ResponderRole.SOCIAL_WELFARE, region=DSM, council="TZ-02-C054")  # Temeke
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["broadcast", "send", "--role", "social_welfare", "--region",
                             "Dar es Salaam", "--council", "Ilala", "--sw", SW, "--en", EN,
                             "--yes"])
    assert ok.exit_code == 0, ok.output
    assert len(sms_to(in_council.phone, "broadcast")) == 1
    assert db.session.scalar(sa.select(Broadcast.recipients)) == 1
    bad = runner.invoke(args=["broadcast", "send", "--role", "nurse", "--region", "Mbeya",
                              "--sw", SW, "--en", EN])
    assert bad.exit_code != 0 and "unknown role 'nurse'" in bad.output
    long = runner.invoke(args=["broadcast", "send", "--role", "health", "--region", "Mbeya",
                               "--sw", "x" * 500, "--en", EN])
    assert long.exit_code != 0 and "more than 3 SMS" in long.output
