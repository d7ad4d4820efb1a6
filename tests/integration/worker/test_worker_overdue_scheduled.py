"""The reconciler rule for scheduled jobs: long overdue means nobody will run it, so queue it.

RQ's scheduler moves a due job onto its queue within a second. When the worker that held the
scheduler lock was killed, nothing moves it for minutes, and a sweeper computing the same job
id used to take the scheduled job for "already waiting". Runs on fakeredis and real Redis.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.clock import utcnow
from app.worker.queue import SCHEDULED_GRACE, enqueue, state
from app.worker.reconcile import reconcile
from tests.integration.test_queue import CALLS, record_call

MINE = ("later-", "due-", "retry-", "deadline-")  # other features schedule their own jobs


def scheduled_ids() -> list[str]:
    ids = state().queues["default"].scheduled_job_registry.get_job_ids()
    return [i for i in ids if i.startswith(MINE)]


def queued_ids() -> list[str]:
    return [i for i in state().queues["default"].get_job_ids() if i.startswith(MINE)]


def test_a_job_scheduled_in_the_future_is_left_waiting(app: Flask) -> None:
    assert enqueue(record_call, "x", job_id="later-1", at=utcnow() + timedelta(minutes=5))
    assert not enqueue(record_call, "x", job_id="later-1")
    reconcile()
    assert scheduled_ids() == ["later-1"]
    assert queued_ids() == []


def test_a_job_just_due_is_left_to_the_scheduler(app: Flask) -> None:
    assert enqueue(record_call, "x", job_id="due-1", at=utcnow() - timedelta(seconds=1))
    assert not enqueue(record_call, "x", job_id="due-1")
    reconcile()
    assert scheduled_ids() == ["due-1"]


def test_the_sweepers_enqueue_queues_a_long_overdue_scheduled_job(app: Flask,
                                                                   run_jobs) -> None:
    CALLS.clear()
    overdue = utcnow() - SCHEDULED_GRACE - timedelta(seconds=3)
    assert enqueue(record_call, "retry", job_id="retry-1", at=overdue)
    assert enqueue(record_call, "retry", job_id="retry-1")  # what a sweeper does
    assert (scheduled_ids(), queued_ids()) == ([], ["retry-1"])
    assert not enqueue(record_call, "retry", job_id="retry-1")  # now it is waiting, once
    assert run_jobs() == 1
    assert CALLS == ["retry"]


def test_each_reconcile_tick_queues_every_long_overdue_scheduled_job(app: Flask,
                                                                     run_jobs) -> None:
    CALLS.clear()
    overdue = utcnow() - SCHEDULED_GRACE - timedelta(seconds=3)
    for n in range(3):
        assert enqueue(record_call, f"d{n}", job_id=f"deadline-{n}", at=overdue)
    assert enqueue(record_call, "later", job_id="deadline-later",
                   at=utcnow() + timedelta(minutes=5))
    assert reconcile()["overdue-scheduled"] >= 3
    assert scheduled_ids() == ["deadline-later"]
    assert sorted(queued_ids()) == ["deadline-0", "deadline-1", "deadline-2"]
    reconcile()
    assert sorted(queued_ids()) == ["deadline-0", "deadline-1", "deadline-2"]  # once, not twice
    run_jobs()
    assert sorted(CALLS) == ["d0", "d1", "d2"]
