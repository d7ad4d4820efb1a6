"""A real ``linda worker`` killed mid-wave, with Redis flushed, still escalates once back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.clock import utcnow
from tests.integration.referral.referral_helpers import (
    KARIAKOO,
    KISUTU,
    alerts_of,
    report,
    responder,
)
from tests.workers import WorkerProcess, app_env, needs_worker_services, wait_until

FAST = {"ACK_TIMEOUT_URGENT_SECONDS": "3", "RECONCILE_INTERVAL_SECONDS": "1"}


@pytest.mark.slow
@needs_worker_services
def test_a_killed_worker_and_flushed_redis_still_escalate(make_app, redis_conn,
                                                          tmp_path) -> None:
    app = make_app(env=FAST)
    log = tmp_path / "worker.log"
    with app.app_context():
        police = responder("police_gcd", ward=KARIAKOO)
        weo = responder("ward_executive", ward=KISUTU)  # wave 2
        case = report()
        worker = WorkerProcess(app_env(app, **FAST), log)
        try:
            wait_until(lambda: police.id in alerts_of(case), 30, log)
        finally:
            worker.kill()  # mid-wave: the deadline job is waiting in Redis
        redis_conn.flushdb()  # ...and now it is gone
        assert set(alerts_of(case)) == {police.id}
        worker = WorkerProcess(app_env(app, **FAST), log)
        try:
            wait_until(lambda: weo.id in alerts_of(case), 30, log)
        finally:
            worker.kill()
        assert set(alerts_of(case)) == {police.id, weo.id}


@pytest.mark.slow
@needs_worker_services
def test_a_deadline_scheduled_by_a_killed_worker_escalates_in_time(make_app, redis_conn,
                                                                   tmp_path) -> None:
    """Redis kept (not flushed): the deadline job sits in RQ's scheduled registry, and the
    killed worker's scheduler lock keeps the new worker from scheduling for a minute.

    The wave sweeper queues ``wave-check-N``, not the scheduled ``wave-deadline-N``, so this
    passed before the fix of issue 13 too; it guards deadlines against the same stall."""
    env = {"ACK_TIMEOUT_URGENT_SECONDS": "4", "RECONCILE_INTERVAL_SECONDS": "1"}
    app = make_app(env=env)
    log = tmp_path / "worker.log"
    with app.app_context():
        police = responder("police_gcd", ward=KARIAKOO)
        weo = responder("ward_executive", ward=KISUTU)  # wave 2
        case = report()
        worker = WorkerProcess(app_env(app, **env), log)
        try:
            wait_until(lambda: police.id in alerts_of(case), 30, log)
        finally:
            worker.kill()
        deadline = alerts_of(case)[police.id].deadline_at
        listening = log.read_text().count("Listening on")
        worker = WorkerProcess(app_env(app, **env), log)
        try:
            wait_until(lambda: log.read_text().count("Listening on") > listening, 60, log,
                       "the new worker to start")
            up = utcnow()
            wait_until(lambda: weo.id in alerts_of(case), 4 + 1 + 8, log,
                       "the deadline to escalate")
        finally:
            worker.kill()
        escalated = alerts_of(case)[weo.id].created_at
        # Within one reconcile interval (1 s) plus slack of the deadline, or of the restart.
        assert escalated - max(deadline, up) < timedelta(seconds=1 + 8)
