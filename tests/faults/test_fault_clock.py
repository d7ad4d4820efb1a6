"""The fault suite's compressed clock (``fast_forward``) ends a 429 retry's backoff in both
places it lives: the outbox row and the retry's RQ scheduled job.

Seed 1022 (a 429, then ``kill -9`` of the worker) once failed its 45 s recovery window
because only the row moved: Linda's sweeper rightly left the RQ job of the same try waiting
for its real 30 s, and with the killed worker holding RQ's scheduler lock only the reconciler
could move it, 5 s after that. Runs embedded (fakeredis) and on real Redis.
"""

from __future__ import annotations

import time
from datetime import timedelta

import time_machine
from flask import Flask

from app.clock import utcnow
from app.extensions import db
from app.sms.models import OutboundSms
from app.sms.services import queue_sms
from app.sms.status import SmsStatus
from app.sms.tasks import sweep_sms
from app.worker.queue import SCHEDULED_GRACE, state
from tests.faults.fault_checks import fast_forward
from tests.integration.sms.conftest import FakeAT, app, fake_at  # noqa: F401  (fixtures)

PHONE = "+255712345678"


def sms_jobs() -> tuple[list[str], list[str]]:
    q = state().queues["sms"]
    return q.scheduled_job_registry.get_job_ids(), q.get_job_ids()


def test_a_throttled_retry_is_due_in_rq_once_the_suite_fast_forwards(
        app: Flask, fake_at: FakeAT, run_jobs) -> None:  # noqa: F811
    fake_at.modes[PHONE] = "http429"
    msg = queue_sms(PHONE, "habari")
    run_jobs()
    db.session.expire_all()
    row = db.session.get_one(OutboundSms, msg.id)
    assert (row.status, row.attempts) == (SmsStatus.QUEUED, 1)
    retry = f"sms-{msg.id}-1"
    assert retry in sms_jobs()[0]  # scheduled at +30 s, as the row says

    fake_at.modes[PHONE] = "ok"
    fast_forward()
    registry = state().queues["sms"].scheduled_job_registry
    due_in_rq = registry.connection.zscore(registry.key, retry)
    assert due_in_rq is not None and due_in_rq <= time.time() + 1

    # No scheduler runs here (as after a kill): the sweeper queues the overdue job after its
    # grace, well inside the recovery window instead of 30 s later.
    with time_machine.travel(utcnow() + SCHEDULED_GRACE + timedelta(seconds=2), tick=False):
        sweep_sms()
        assert retry in sms_jobs()[1]
        run_jobs()
    db.session.expire_all()
    assert db.session.get_one(OutboundSms, msg.id).status is SmsStatus.SUBMITTED
