"""``/metrics``: who may read it, and the figures an operator alerts on."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.ops.heartbeat import beat
from app.referral.models import ReferralWave
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from tests.conftest import WEBHOOK_TOKEN
from tests.integration.referral.referral_helpers import KARIAKOO, report, responder

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def sample(text: str, name: str, default: float | None = None, **labels: str) -> float:
    """The value of one sample of the exposition text (labels in any order)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(match[3])
    if default is not None:  # a labelled series appears at its first use
        return default
    raise AssertionError(f"no sample {name} {labels} in:\n{text}")


def hop(client, phone: str = "+255754000111", text: str = "") -> str:
    res = client.post(f"/at/{WEBHOOK_TOKEN}/ussd", data={
        "sessionId": f"s-{phone}-{len(text)}", "serviceCode": "*149*46#",
        "phoneNumber": phone, "networkCode": "63902", "text": text})
    assert res.status_code == 200
    return res.get_data(as_text=True)


def test_loopback_reads_metrics_without_a_token(client) -> None:
    res = client.get("/metrics")
    assert res.status_code == 200
    assert res.mimetype == "text/plain"
    assert "linda_sms{" in res.get_data(as_text=True)


def test_elsewhere_gets_404_without_the_right_token(make_app) -> None:
    app = make_app(env={"METRICS_TOKEN": "m3trics-t0ken-for-tests"})
    client = app.test_client()
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 404
    assert client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": "Bearer m3trics-t0ken-for-tests"}
                      ).status_code == 200
    # A proxy on this host relaying someone else is not "loopback".
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404


def test_without_a_token_configured_elsewhere_always_gets_404(client) -> None:
    assert client.get("/metrics", environ_base=OUTSIDE,
                      headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_show_what_is_due_and_what_waits(app: Flask, client, run_jobs) -> None:
    before = client.get("/metrics").get_data(as_text=True)
    hops_before = sample(before, "linda_ussd_hops_total", 0, kind="con")
    timed_before = sample(before, "linda_webhook_seconds_count", 0, endpoint="ussd")

    responder("police_gcd", ward=KARIAKOO)
    report()
    run_jobs()  # dispatched: one alert waiting for an answer, its SMS sent
    wave = db.session.scalars(sa.select(ReferralWave)).one()
    wave.deadline_at = utcnow() - timedelta(seconds=90)
    late = queue_sms("+255754000222", "Kesi 1234567", purpose="alert")
    db.session.flush()
    late.next_attempt_at = utcnow() - timedelta(seconds=40)
    db.session.commit()
    hop(client)
    hop(client, text="9")

    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "linda_reports_total", source="ussd") == 1
    assert sample(text, "linda_alerts_unanswered") == 1
    by_status = dict(db.session.execute(sa.select(OutboundSms.status, sa.func.count())
                                        .group_by(OutboundSms.status)).all())
    assert sum(by_status.values()) == 2  # the alert, and the late one
    for status in ("queued", "submitted", "failed"):
        assert sample(text, "linda_sms", status=status) == by_status.get(status, 0)
    assert 40 <= sample(text, "linda_outbox_oldest_due_seconds") < 100
    assert 90 <= sample(text, "linda_deadline_oldest_overdue_seconds") < 150
    assert sample(text, "linda_escalations_total") == 0
    assert sample(text, "linda_queue_jobs", queue="sms", state="queued") >= 0
    assert sample(text, "linda_ussd_hops_total", kind="con") - hops_before >= 1
    assert sample(text, "linda_webhook_seconds_count", endpoint="ussd") - timed_before == 2
    assert sample(text, "linda_worker_heartbeat_age_seconds") == -1
    beat()
    text = client.get("/metrics").get_data(as_text=True)
    assert 0 <= sample(text, "linda_worker_heartbeat_age_seconds") < 5


def test_readyz_reports_a_stuck_worker_without_failing(app: Flask, client, redis_conn) -> None:
    body = client.get("/readyz").get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"].startswith("no heartbeat yet")
    beat()
    res = client.get("/readyz")
    assert (res.status_code, res.get_json()["status"], res.get_json()["checks"]["worker"]) == (
        200, "ready", "ok")
    limit = 3 * app.config["RECONCILE_INTERVAL_SECONDS"]
    from app.ops.heartbeat import KEY
    from app.worker.queue import connection

    connection().set(KEY, str(utcnow().timestamp() - limit - 5))
    res = client.get("/readyz")
    assert res.status_code == 200
    assert res.get_json()["status"] == "degraded"
    assert res.get_json()["checks"]["worker"].startswith("stuck: no heartbeat for")
