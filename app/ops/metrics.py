"""Prometheus metrics: per-process instruments and figures read from the database at scrape.

Counters and histograms live in this process; under several web processes (gunicorn workers)
``PROMETHEUS_MULTIPROC_DIR`` makes prometheus_client write them to files that the scrape adds
up. What the database knows (SMS by status, due work, unanswered alerts) is read at scrape
time instead: it is the truth whichever process serves the scrape, and survives restarts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

from app.clock import utcnow
from app.extensions import db

#: Only AT's callbacks are timed; labelled by endpoint name, never by path (it holds a token).
WEBHOOKS = {"ussd.ussd_hop": "ussd", "ussd.ussd_event": "ussd_events",
            "sms.inbound": "sms_inbound", "sms.delivery": "sms_delivery"}

WEBHOOK_SECONDS = Histogram(
    "linda_webhook_seconds", "Time to answer an Africa's Talking callback",
    ["endpoint"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10))
WEBHOOK_ANSWERS = Counter(
    "linda_webhook_answers", "Callbacks answered, by endpoint and HTTP status class",
    ["endpoint", "code"])
USSD_HOPS = Counter("linda_ussd_hops", "USSD hops answered, by CON (menu goes on) or END",
                    ["kind"])


def observe_webhook(endpoint: str | None, status_code: int, seconds: float,
                    body: bytes | None) -> None:
    name = WEBHOOKS.get(endpoint or "")
    if name is None:
        return
    WEBHOOK_SECONDS.labels(name).observe(seconds)
    WEBHOOK_ANSWERS.labels(name, f"{status_code // 100}xx").inc()
    if name == "ussd" and body is not None:
        USSD_HOPS.labels("end" if body.startswith(b"END") else "con").inc()


class DatabaseCollector:
    """Figures an operator alerts on, computed from rows at each scrape."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        from app.cases.models import Case
        from app.referral.models import Alert, ReferralWave
        from app.referral.status import WAITING
        from app.sms.models import OutboundSms
        from app.sms.status import SmsStatus

        now = utcnow()
        session = db.session
        reports = CounterMetricFamily("linda_reports", "Reports taken (cases), by channel",
                                      labels=["source"])
        for source, n in session.execute(sa.select(Case.source, sa.func.count())
                                         .group_by(Case.source)):
            reports.add_metric([str(getattr(source, "value", source))], n)
        yield reports

        sms = GaugeMetricFamily("linda_sms", "Outbound SMS rows by status", labels=["status"])
        counts = dict(session.execute(sa.select(OutboundSms.status, sa.func.count())
                                      .group_by(OutboundSms.status)).all())
        for status in SmsStatus:
            sms.add_metric([status.value], counts.get(status, 0))
        yield sms

        oldest_due = session.scalar(sa.select(sa.func.min(OutboundSms.next_attempt_at)).where(
            OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at <= now))
        yield _gauge("linda_outbox_oldest_due_seconds",
                     "Age of the oldest queued SMS that is due (0: none)", now, oldest_due)
        oldest_deadline = session.scalar(sa.select(sa.func.min(ReferralWave.deadline_at)).where(
            ReferralWave.closed_at.is_(None), ReferralWave.deadline_at <= now))
        yield _gauge("linda_deadline_oldest_overdue_seconds",
                     "How long the oldest open wave is past its deadline (0: none)", now,
                     oldest_deadline)
        escalations = session.scalar(sa.select(sa.func.count()).select_from(ReferralWave)
                                     .where(ReferralWave.number > 1)) or 0
        yield CounterMetricFamily("linda_escalations", "Further waves sent after a first one",
                                  value=escalations)
        waiting = session.scalar(sa.select(sa.func.count()).select_from(Alert)
                                 .where(Alert.status.in_(WAITING))) or 0
        yield GaugeMetricFamily("linda_alerts_unanswered",
                                "Alerts sent and not yet answered", value=waiting)
        session.rollback()
        yield from self._queues()

    def _queues(self) -> Iterator[Metric]:
        from app.ops.heartbeat import heartbeat_age

        state = self.app.extensions["linda_jobs"]
        depth = GaugeMetricFamily("linda_queue_jobs", "Jobs in Redis by queue and state",
                                  labels=["queue", "state"])
        try:
            for name, q in state.queues.items():
                depth.add_metric([name, "queued"], q.count)
                depth.add_metric([name, "scheduled"], q.scheduled_job_registry.count)
                depth.add_metric([name, "started"], q.started_job_registry.count)
                depth.add_metric([name, "failed"], q.failed_job_registry.count)
            age = heartbeat_age()
        except Exception:  # Redis down: the scrape still answers; readyz names the cause
            return
        yield depth
        yield GaugeMetricFamily("linda_worker_heartbeat_age_seconds",
                                "Seconds since a reconciler last ran (-1: never seen)",
                                value=-1 if age is None else age)


def _gauge(name: str, doc: str, now: Any, since: Any) -> GaugeMetricFamily:
    age = 0.0 if since is None else max((now - since).total_seconds(), 0.0)
    return GaugeMetricFamily(name, doc, value=age)


class _ThisProcess:
    """This process's instruments (no ``PROMETHEUS_MULTIPROC_DIR``: one web process)."""

    def collect(self) -> Iterator[Metric]:
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


def render(app: Any) -> bytes:
    """The exposition text: every web process's instruments, then the database's figures."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())  # type: ignore[arg-type]
    registry.register(DatabaseCollector(app))  # type: ignore[arg-type]
    return generate_latest(registry)
