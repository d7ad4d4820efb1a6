"""The dispatch job sends its first wave itself, right after committing it; the outbox rows
and their own send jobs stay the safety net (at-least-once, never twice at once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask import Flask

from app.cases.status import CaseStatus
from app.clock import utcnow
from app.referral.tasks import dispatch_case
from app.sms import tasks as sms_tasks
from app.sms.gateway import SendResult
from app.sms.models import OutboundSms
from app.sms.status import SendDecision, SmsStatus
from app.sms.tasks import LEASE
from app.worker.runner import drain
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    fresh,
    report,
    responder,
    sms_to,
)


class Gateway:
    """Accepts every SMS (or, with ``down``, asks for a retry) and keeps what it accepted."""

    app: Flask  # the test app using it

    def __init__(self) -> None:
        self.down = False
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> SendResult:
        if self.down:
            return SendResult(SendDecision.RETRY, status="503", reason="try again later")
        self.sent.append((to, text))
        return SendResult(SendDecision.ACCEPTED, provider_id=f"ATXid_{len(self.sent)}",
                          status="Success")


@pytest.fixture
def gw(make_app):
    gateway = Gateway()
    app = gateway.app = make_app(SMS_GATEWAY=gateway)
    with app.app_context():
        yield gateway


def first_alerts() -> tuple[list[OutboundSms], list[str]]:
    police = responder("police_gcd", ward=KARIAKOO)
    swo = responder("social_welfare")
    case = report()  # queues dispatch_case, which these tests run by hand instead
    phones = [police.phone, swo.phone]
    dispatch_case(case.id)
    assert fresh(case).status is CaseStatus.REFERRED
    return [m for p in phones for m in sms_to(p, "alert")], phones


def test_the_dispatch_job_alone_submits_the_first_wave(gw) -> None:
    alerts, phones = first_alerts()
    assert len(alerts) == 2
    assert all(m.status is SmsStatus.SUBMITTED and m.provider_message_id for m in alerts)
    assert sorted(to for to, _ in gw.sent) == sorted(phones)

    # Their own send jobs were queued too (the safety net): they find nothing left to send.
    drain(gw.app)
    assert len(gw.sent) == 2


def test_a_failed_send_in_the_dispatch_job_leaves_the_rows_to_retry(gw) -> None:
    gw.down = True
    alerts, phones = first_alerts()
    assert [(m.status, m.attempts) for m in alerts] == [(SmsStatus.QUEUED, 1)] * 2
    assert all(m.failure_reason == "try again later" for m in alerts)
    assert gw.sent == []

    gw.down = False
    with time_machine.travel(max(m.next_attempt_at for m in alerts) + timedelta(seconds=1),
                             tick=False):
        drain(gw.app)
    assert all(m.status is SmsStatus.SUBMITTED for m in sms_to(phones[0], "alert")
               + sms_to(phones[1], "alert"))
    assert sorted(to for to, _ in gw.sent) == sorted(phones)


def test_the_first_wave_is_sent_even_if_the_dispatch_job_fails_to_send(
        gw, monkeypatch, reconcile) -> None:
    def broken(claimed, now):
        raise RuntimeError("the worker lost its database while sending")

    with monkeypatch.context() as patch:
        patch.setattr(sms_tasks, "_send_claimed", broken)
        alerts, phones = first_alerts()  # the job logs the failure; the case is referred
    assert [m.status for m in alerts] == [SmsStatus.SENDING] * 2  # claimed, outcome lost
    assert gw.sent == []

    # As for a worker killed mid-send: after the lease the sweeper queues them again.
    with time_machine.travel(utcnow() + LEASE + timedelta(seconds=1), tick=False):
        reconcile()
        drain(gw.app)
    sent = sms_to(phones[0], "alert") + sms_to(phones[1], "alert")
    assert all(m.status is SmsStatus.SUBMITTED and m.possible_duplicate for m in sent)
    assert sorted(to for to, _ in gw.sent) == sorted(phones)
