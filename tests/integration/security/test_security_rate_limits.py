"""Abuse limits backed by Redis: status checks per phone per hour, inbound SMS per number per
hour (stored, not acted on, sender told once). Both fail open when Redis is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.cases.reference import damm_digit
from app.clock import utcnow
from app.extensions import db
from app.sms.models import InboundSms
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    report,
    responder,
    sms_in,
    sms_to,
)
from tests.integration.ussd.ussd_helpers import dial

PROBER = "+255712999000"


def refs(n: int) -> list[str]:
    return [f"{400000 + i:06d}" + str(damm_digit(f"{400000 + i:06d}")) for i in range(n)]


def test_status_checks_are_limited_per_phone_per_hour(app, client) -> None:
    limit = app.config["STATUS_CHECKS_PER_PHONE_PER_HOUR"]
    answers = [dial(client, f"3*{ref}", session=f"p{i}", phone=PROBER).text
               for i, ref in enumerate(refs(limit + 3))]
    assert all("Hakuna taarifa" in a for a in answers[:limit])
    assert all("mara nyingi mno" in a and "116" in a for a in answers[limit:])
    assert len(max(answers, key=len)) <= 160
    # Another phone is not affected; the same phone may check again an hour later.
    assert "Hakuna taarifa" in dial(client, f"3*{refs(1)[0]}", session="o",
                                    phone="+255712999001").text
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1), tick=False):
        assert "Hakuna taarifa" in dial(client, f"3*{refs(1)[0]}", session="later",
                                        phone=PROBER).text


def test_inbound_sms_past_the_limit_are_stored_not_acted_on_and_told_once(
        app, run_jobs) -> None:
    app.config["INBOUND_SMS_PER_NUMBER_PER_HOUR"] = 3
    police = responder("police_gcd", ward=KARIAKOO)
    case = report()
    run_jobs()
    for _ in range(3):
        sms_in(police.phone, "MSAADA")
    sms_in(police.phone, f"KUBALI {case.reference}")  # the 4th: stored, not acted on
    sms_in(police.phone, f"KUBALI {case.reference}")
    db.session.expire_all()
    rows = db.session.scalars(sa.select(InboundSms).order_by(InboundSms.id)).all()
    assert len(rows) == 5 and [r.outcome for r in rows][3:] == ["rate_limited"] * 2
    from app.cases.models import Case

    assert db.session.get_one(Case, case.id).lead_responder_id is None
    replies = [m.body for m in sms_to(police.phone, "reply")]
    assert len(replies) == 4 and "saa moja" in replies[-1]  # one notice, not two


def test_limits_fail_open_for_reporters_when_redis_is_down(app, client, monkeypatch) -> None:
    import app.web.limits as limits

    class Down:
        def pipeline(self):
            raise ConnectionError("redis down")

        def set(self, *a, **k):
            raise ConnectionError("redis down")

    monkeypatch.setattr(limits, "connection", lambda: Down())
    limit = app.config["STATUS_CHECKS_PER_PHONE_PER_HOUR"]
    answers = [dial(client, f"3*{ref}", session=f"d{i}", phone=PROBER).text
               for i, ref in enumerate(refs(limit + 2))]
    assert all("Hakuna taarifa" in a for a in answers)


@pytest.fixture(autouse=True)
def _fresh_counters(redis_conn) -> None:
    for key in redis_conn.scan_iter("linda:limit:*"):
        redis_conn.delete(key)
