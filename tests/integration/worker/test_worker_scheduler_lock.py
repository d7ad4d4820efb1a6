"""A worker started beside a killed one takes over RQ's scheduler soon after its lock expires.

RQ keeps a killed scheduler's lock for about a minute and, by default, a new worker tries to
take it again only at maintenance time, minutes later. ``linda worker`` tries every reconcile
interval.
"""

from __future__ import annotations

import time

import pytest
from rq.scheduler import RQScheduler

from app.worker.queue import QUEUE_NAMES
from tests.workers import WorkerProcess, app_env, needs_worker_services, wait_until

pytestmark = [pytest.mark.slow, needs_worker_services]


def test_a_new_worker_takes_the_scheduler_lock_of_a_killed_one(app, redis_conn,
                                                               tmp_path) -> None:
    keys = [RQScheduler.get_locking_key(name) for name in QUEUE_NAMES]
    for key in keys:  # what a SIGKILLed worker's scheduler leaves behind
        redis_conn.set(key, "killed-scheduler", ex=60)
    log = tmp_path / "worker.log"
    worker = WorkerProcess(app_env(app, RECONCILE_INTERVAL_SECONDS="1"), log)
    try:
        wait_until(lambda: "Listening on" in log.read_text(), 30, log, "the worker to start")
        time.sleep(1.5)
        assert [redis_conn.get(k) for k in keys] == [b"killed-scheduler"] * len(keys)
        redis_conn.delete(*keys)  # the killed scheduler's lease runs out
        expired = time.monotonic()
        wait_until(lambda: all(redis_conn.get(k) not in (None, b"killed-scheduler")
                               for k in keys), 15, log, "the worker to take the scheduler lock")
        assert time.monotonic() - expired < 15
    finally:
        worker.stop()
