"""An idle ``linda worker`` waits for jobs on Redis without taking its own wait for an outage.

The app's Redis client times reads out after 5 s, so that a web request never hangs on Redis;
a worker's wait for a job lasts the reconcile interval (at least 5 s). When the worker waited
on a connection the app had already opened, every idle wait ended in "could not connect to
Redis instance: Timeout reading from socket", and RQ slept 1, 2, 4… up to 60 s before
listening again: an alert queued after a quiet minute waited up to a minute for its worker.
Needs a real Redis (fakeredis has no sockets).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from flask import Flask
from rq import Queue
from rq.exceptions import DequeueTimeout

from app.worker.queue import connection
from app.worker.runner import make_worker

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                reason="a wait on a Redis socket needs REDIS_URL")


def test_an_idle_wait_for_a_job_ends_quietly(make_app: Callable[..., Flask]) -> None:
    app = make_app(REDIS_CONNECTION=None, env={"RECONCILE_INTERVAL_SECONDS": "1"})
    with app.app_context():
        connection().ping()  # as the reconciler does before the worker starts listening
        worker = make_worker(app, listening=True)
        assert worker.dequeue_timeout == 5
        # RQ's own wait for a job, to its end: "nothing came" (which the worker takes for a
        # quiet moment and waits again), not a Redis error (which it takes for an outage).
        with pytest.raises(DequeueTimeout):
            Queue.dequeue_any(worker.queues, worker.dequeue_timeout,
                              connection=worker.connection)
