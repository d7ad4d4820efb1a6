"""``kill -9`` of a real ``linda worker`` and a flushed Redis still deliver the SMS, once.

Needs the real services: the worker is another process, so it must share PostgreSQL and Redis
with the test. The SMS goes through the real SDK to the fake AT of this test process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.status import SmsStatus
from tests.workers import WorkerProcess, app_env, needs_worker_services, wait_until

PHONE = "+255712345678"
pytestmark = [pytest.mark.slow, needs_worker_services]


def status_of(msg_id: int) -> OutboundSms:
    db.session.rollback()  # a fresh snapshot of what the worker committed
    return db.session.get_one(OutboundSms, msg_id, populate_existing=True)


@pytest.fixture
def start_worker(app, tmp_path: Path, fake_at) -> Iterator[Callable[[], WorkerProcess]]:
    """Return a function that starts ``linda worker`` (reconciling every second)."""
    env = app_env(app, AT_API_URL=fake_at.url, RECONCILE_INTERVAL_SECONDS="1")
    log = tmp_path / "worker.log"
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        started.append(WorkerProcess(env, log))
        return started[-1]

    start.log = log  # type: ignore[attr-defined]
    yield start
    for worker in started:
        worker.stop()


def test_worker_killed_mid_send_and_redis_flushed_still_sends_once(
        app, fake_at, redis_conn, start_worker):
    log = start_worker.log
    fake_at.modes[PHONE] = "hang"  # the first try reaches "AT" and never gets an answer
    worker = start_worker()
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()

    wait_until(lambda: len(fake_at.requests) == 1, 30, log, "the worker to call AT")
    assert status_of(msg.id).status is SmsStatus.SENDING
    worker.kill()  # kill -9, mid-job
    redis_conn.flushdb()
    del fake_at.modes[PHONE]
    fake_at.release.set()
    # The lease (2 minutes) passes: a worker that held the row for that long is gone.
    db.session.execute(sa.update(OutboundSms).where(OutboundSms.id == msg.id)
                       .values(claimed_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()

    start_worker()
    wait_until(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 30, log,
               "the reconciler to send it again")
    time.sleep(2.5)  # two more reconciler rounds: nothing is sent again
    row = status_of(msg.id)
    assert (row.status, row.attempts) == (SmsStatus.SUBMITTED, 1)
    assert row.possible_duplicate  # the killed try may have reached AT
    assert len(fake_at.accepted) == 1
    assert row.provider_message_id == fake_at.accepted[0]["messageId"]


def test_worker_killed_before_the_send_and_redis_flushed_still_sends_once(
        app, fake_at, redis_conn, start_worker):
    log = start_worker.log
    worker = start_worker()
    time.sleep(1)
    worker.kill()
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()  # the job is in Redis; no worker runs it
    redis_conn.flushdb()  # ...and now it is gone

    start_worker()
    wait_until(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 30, log,
               "the reconciler to send it")
    time.sleep(2.5)
    assert status_of(msg.id).attempts == 0
    assert len(fake_at.requests) == len(fake_at.accepted) == 1


def test_a_retry_scheduled_by_a_killed_worker_runs_once_it_is_due(
        app, fake_at, redis_conn, start_worker):
    """The lost report of issue 13: AT answered 500, the retry became an RQ scheduled job,
    the worker was killed holding RQ's scheduler lock, and the new worker never ran it."""
    log = start_worker.log
    fake_at.modes[PHONE] = "http500"
    worker = start_worker()
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()
    retry = f"sms-{msg.id}-1"
    scheduled = app.extensions["linda_jobs"].queues["sms"].scheduled_job_registry
    wait_until(lambda: retry in scheduled.get_job_ids(), 30, log, "the retry to be scheduled")
    assert (status_of(msg.id).status, status_of(msg.id).attempts) == (SmsStatus.QUEUED, 1)
    worker.kill()  # kill -9 of the worker and of its scheduler, which holds the lock
    del fake_at.modes[PHONE]
    # Its 30 s backoff passes (the lock of the killed scheduler lives on for a minute).
    now = utcnow()
    db.session.execute(sa.update(OutboundSms).where(OutboundSms.id == msg.id)
                       .values(next_attempt_at=now))
    db.session.commit()
    redis_conn.zadd(scheduled.key, {retry: int(now.timestamp())})

    listening = log.read_text().count("Listening on")
    start_worker()
    wait_until(lambda: log.read_text().count("Listening on") > listening, 60, log,
               "the new worker to start")
    started = time.monotonic()
    # Within one reconcile interval (1 s here) plus the grace for a live scheduler, plus slack.
    wait_until(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 12, log,
               "the retry of a killed worker to run")
    assert time.monotonic() - started < 12
    time.sleep(2.5)  # more reconcile rounds: nothing is sent again
    row = status_of(msg.id)
    assert (row.status, row.attempts) == (SmsStatus.SUBMITTED, 1)
    assert len(fake_at.accepted) == 1
    assert scheduled.get_job_ids() == []


def test_a_send_left_started_by_a_killed_worker_is_queued_again_within_seconds(
        app, fake_at, redis_conn, start_worker):
    """Redis kept: RQ still says the killed worker's job is "started", and a sweeper must not
    skip its id as "already running" for long. (With this test's short intervals the new
    worker's RQ maintenance also frees it in time, so this guards the outcome, not which of
    the two requeues it; test_worker_started_orphan.py pins the reconciler's rule.)"""
    log = start_worker.log
    fake_at.modes[PHONE] = "hang"
    worker = start_worker()
    msg = queue_sms(PHONE, "Kesi 1234567: msaada unahitajika", purpose="alert")
    db.session.commit()
    wait_until(lambda: len(fake_at.requests) == 1, 30, log, "the worker to call AT")
    worker.kill()  # kill -9, mid-job; Redis keeps the job as "started"
    del fake_at.modes[PHONE]
    fake_at.release.set()
    db.session.execute(sa.update(OutboundSms).where(OutboundSms.id == msg.id)
                       .values(claimed_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    started_jobs = app.extensions["linda_jobs"].queues["sms"].started_job_registry
    assert f"sms-{msg.id}" in started_jobs.get_job_ids(cleanup=False)

    killed_at = time.monotonic()
    start_worker()
    # The silence after which a worker counts as gone, one reconcile interval, start-up slack.
    wait_until(lambda: status_of(msg.id).status is SmsStatus.SUBMITTED, 30, log,
               "the started job of the killed worker to run again")
    assert time.monotonic() - killed_at < 30  # RQ's own cleanup would take over a minute
    time.sleep(2.5)
    row = status_of(msg.id)
    assert (row.status, row.attempts) == (SmsStatus.SUBMITTED, 1)
    assert len(fake_at.accepted) == 1
