"""The system health page: what an admin sees when a worker is stuck or SMS fail."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utcnow
from app.extensions import db
from app.health.services import snapshot
from app.referral.inbound import NOTICE_WITHDRAWN
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus
from app.staff.models import AuditEntry
from app.worker.queue import enqueue
from app.worker.reconcile import reconcile
from app.worker.runner import drain
from tests.integration.staff.helpers import csrf, sign_in

RUNS: list[int] = []


def explode() -> None:
    raise RuntimeError("boom for +255712345678")  # the message must never reach the page


def count_run() -> None:
    RUNS.append(1)


def test_a_failed_job_is_listed_without_its_message_and_can_be_retried(
        app: Flask, client: FlaskClient) -> None:
    enqueue(explode, job_id="explode-1")
    drain(app)
    sign_in(app, client, "admin@example.org", "admin")
    html = client.get("/staff/health/").get_data(as_text=True)
    assert "explode-1" in html and "RuntimeError" in html
    assert "255712345678" not in html

    token = csrf(client, "/staff/health/")
    res = client.post("/staff/health/jobs/explode-1/retry", data={"csrf_token": token})
    assert res.status_code == 302 and "retried=explode-1" in res.location
    assert [q.waiting for q in snapshot().queues if q.name == "default"] == [1]
    retry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "health.retry_job")).one()
    assert retry.target_id == "explode-1"

    again = client.post("/staff/health/jobs/explode-1/retry", data={"csrf_token": token})
    assert again.status_code == 404  # no longer failed: says so instead of pretending
    assert client.post("/staff/health/jobs/explode-1/retry").status_code == 400  # no CSRF


def test_due_sms_overdue_deadlines_and_gateway_errors_show(app: Flask,
                                                           client: FlaskClient) -> None:
    old = OutboundSms.compose("+255712000111", "x", next_attempt_at=utcnow() - timedelta(
        minutes=20))
    failed = OutboundSms.compose("+255712000112", "y", status=SmsStatus.FAILED,
                                 failure_reason="InsufficientBalance")
    withdrawn = OutboundSms.compose("+255712000113", "z", status=SmsStatus.EXPIRED,
                                    failure_reason=NOTICE_WITHDRAWN)
    db.session.add_all([old, failed, withdrawn])
    db.session.commit()
    sign_in(app, client, "admin@example.org", "admin")
    html = client.get("/staff/health/").get_data(as_text=True)
    due = re.search(r'id="due-sms">([^<]*)<', html)
    assert due and due.group(1).startswith("1") and "dak 20" in due.group(1)  # Swahili first
    assert "InsufficientBalance" in html
    assert "said the same" not in html  # a notice withdrawn as pointless is no gateway error


def test_a_silent_worker_is_flagged_until_the_reconciler_beats(app: Flask,
                                                               client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    assert 'id="worker-stale"' in client.get("/staff/health/").get_data(as_text=True)
    reconcile()
    assert 'id="worker-stale"' not in client.get("/staff/health/").get_data(as_text=True)


def test_only_admins_see_system_health(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "sup@example.org", "supervisor")
    assert client.get("/staff/health/").status_code == 403
    token = csrf(client, "/staff/stats/")
    assert client.post("/staff/health/jobs/x/retry",
                       data={"csrf_token": token}).status_code == 403
