"""A job left "started" by a worker killed mid-job is queued again by the next reconcile.

RQ keeps such a job in its started registry until its own cleanup, minutes later, and a
sweeper computing the same job id used to take it for "already running". Here a worker takes
a job exactly as RQ does, then dies (its key is removed, or its heartbeat goes silent).
Runs on fakeredis and real Redis.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from rq.job import Job, JobStatus
from rq.utils import now, utcformat

from app.worker.queue import WORKER_GONE_AFTER, enqueue, state
from app.worker.runner import make_worker
from tests.integration.test_queue import CALLS, record_call


def start_in_worker(app: Flask, job_id: str) -> str:
    """Queue ``job_id`` and let a worker take it as RQ does; returns the worker's key."""
    assert enqueue(record_call, "x", job_id=job_id)
    q = state().queues["default"]
    worker = make_worker(app)
    worker.register_birth()
    job, _ = q.dequeue_any([q], None, connection=q.connection)
    assert job.id == job_id
    worker.prepare_execution(job)
    worker.prepare_job_execution(job)
    assert Job.fetch(job_id, connection=q.connection).get_status() == JobStatus.STARTED
    assert q.get_job_ids() == []
    return worker.key


def test_a_started_job_of_a_live_worker_is_left_running(app: Flask) -> None:
    start_in_worker(app, "orphan-live")
    assert not enqueue(record_call, "x", job_id="orphan-live")
    assert state().queues["default"].get_job_ids() == []


def test_a_started_job_whose_worker_key_is_gone_is_queued_once(app: Flask, run_jobs) -> None:
    CALLS.clear()
    key = start_in_worker(app, "orphan-killed")
    state().connection.delete(key)  # kill -9: no more heartbeats, the key expires
    assert enqueue(record_call, "x", job_id="orphan-killed")  # what a sweeper does
    assert state().queues["default"].get_job_ids() == ["orphan-killed"]
    assert not enqueue(record_call, "x", job_id="orphan-killed")  # the next tick: waiting
    assert state().queues["default"].get_job_ids() == ["orphan-killed"]
    assert run_jobs() == 1
    assert CALLS == ["x"]


def test_a_started_job_whose_worker_went_silent_is_queued(app: Flask) -> None:
    key = start_in_worker(app, "orphan-silent")
    stale = now() - WORKER_GONE_AFTER - timedelta(seconds=2)
    state().connection.hset(key, "last_heartbeat", utcformat(stale))
    assert enqueue(record_call, "x", job_id="orphan-silent")
    assert not enqueue(record_call, "x", job_id="orphan-silent")
    assert state().queues["default"].get_job_ids() == ["orphan-silent"]
    assert state().queues["default"].started_job_registry.get_job_ids() == []


def test_a_long_job_keeps_its_worker_alive(app: Flask, run_jobs) -> None:
    """While a job runs, the worker refreshes its heartbeat, so it is not taken for dead."""
    CALLS.clear()
    assert enqueue("tests.integration.worker.test_worker_started_orphan.beats_seen",
                   job_id="orphan-long")
    run_jobs()
    assert CALLS == ["beat refreshed"]


def beats_seen() -> None:
    import time

    from rq import get_current_job

    job = get_current_job()
    conn = job.connection
    key = f"rq:worker:{job.worker_name}"
    first = conn.hget(key, "last_heartbeat")
    time.sleep(2.6)
    CALLS.append("beat refreshed" if conn.hget(key, "last_heartbeat") != first else "silent")
