"""Running jobs: the ``linda worker`` process, and the in-process worker of embedded mode.

Both use the same RQ queues, job functions and reconciler; embedded mode only swaps the
process for a thread and real Redis for fakeredis.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Flask
from rq import Queue, SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty
from rq.utils import now, utcformat

from app.ops.heartbeat import beat
from app.worker.queue import QUEUE_NAMES, WORKER_BEAT, worker_connection
from app.worker.reconcile import reconcile

log = logging.getLogger(__name__)


class AppWorker(SimpleWorker):
    """Runs each job inside a fresh application context, so jobs use ``db.session`` safely."""

    flask_app: Flask
    jobs_run: int = 0

    def perform_job(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> bool:
        self.jobs_run += 1
        done = threading.Event()
        beating = threading.Thread(target=self._beat_until, args=(done,), daemon=True,
                                   name="linda-worker-heartbeat")
        beating.start()
        try:
            with self.flask_app.app_context():
                return bool(super().perform_job(job, queue, *args, **kwargs))
        finally:
            done.set()
            beating.join(timeout=5)

    def _beat_until(self, done: threading.Event) -> None:
        """Say "alive" while a job runs, so a reconciler can tell a long job from a dead worker.

        RQ's simple worker writes its heartbeat only between jobs; after ``kill -9`` mid-job,
        the job would look "started" until RQ's cleanup, minutes later (see ``queue.py``).
        """
        key = self.key
        while not done.wait(WORKER_BEAT.total_seconds()):
            try:
                self.connection.hset(key, "last_heartbeat", utcformat(now()))
            except Exception as exc:  # Redis down: the job goes on, the reconciler waits
                log.debug("worker heartbeat failed: %s", type(exc).__name__)


class _ThreadWorker(AppWorker):
    """Off the main thread there are no signals: no handlers, and timers for job timeouts."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def make_worker(app: Flask, *, threaded: bool = False, listening: bool = False) -> AppWorker:
    """A worker over every queue of ``app``, bound to it.

    RQ retries taking the scheduler lock only at maintenance time, and an idle worker reaches
    that only between two waits for a job (``worker_ttl`` − 15 s): both default to minutes.
    A worker started beside a killed one (whose lock lives on for a minute) would run without
    a scheduler that long, so both follow the reconcile interval here.

    ``listening`` (``linda worker``): the worker waits for jobs on its own Redis connection,
    whose read timeout outlasts that wait (see ``worker_connection``).
    """
    state = app.extensions["linda_jobs"]
    cls = _ThreadWorker if threaded else AppWorker
    interval = int(app.config["RECONCILE_INTERVAL_SECONDS"])
    worker_ttl = max(interval, 5) + 15
    conn = (worker_connection(app, blocking_seconds=worker_ttl - 15) if listening
            else state.connection)
    queues = ([state.queues[n] for n in QUEUE_NAMES] if conn is state.connection
              else [Queue(n, connection=conn) for n in QUEUE_NAMES])
    worker = cls(queues, connection=conn,
                 maintenance_interval=max(interval, 1), worker_ttl=worker_ttl)
    worker.flask_app = app
    return worker


def run_due_scheduled(app: Flask) -> None:
    """Move scheduled jobs whose time has come onto their queues (embedded mode and tests)."""
    state = app.extensions["linda_jobs"]
    # Its "Acquired scheduler lock" INFO line would print twice a second in `linda serve`.
    scheduler = RQScheduler(list(QUEUE_NAMES), connection=state.connection,
                            logging_level=logging.WARNING)
    scheduler.acquire_locks()
    try:
        scheduler.enqueue_scheduled_jobs()
    finally:
        scheduler.release_locks()


def drain(app: Flask, *, rounds: int = 50) -> int:
    """Run every due job until the queues stay empty; returns how many jobs ran.

    Jobs that queue further jobs are followed, up to ``rounds`` passes.
    """
    threaded = threading.current_thread() is not threading.main_thread()
    ran = 0
    for _ in range(rounds):
        run_due_scheduled(app)
        worker = make_worker(app, threaded=threaded)
        if threaded:
            worker.work(burst=True, logging_level="WARNING")
        else:
            with _signal_handlers_kept():  # RQ installs its own and never gives them back
                worker.work(burst=True, logging_level="WARNING")
        ran += worker.jobs_run
        if worker.jobs_run == 0:
            break
    return ran


@contextlib.contextmanager
def _signal_handlers_kept() -> Iterator[None]:
    """Put SIGINT and SIGTERM back as they were after a burst worker in the main thread.

    Left installed, RQ's handlers would turn a later Ctrl-C or SIGTERM into ``StopRequested``
    raised in whatever code runs then, long after the burst ended.
    """
    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in kept.items():
            signal.signal(sig, handler)


class EmbeddedRunner(threading.Thread):
    """The worker, scheduler and reconciler of ``linda serve`` when no Redis is configured."""

    def __init__(self, app: Flask, poll_seconds: float = 0.5) -> None:
        super().__init__(name="linda-embedded-worker", daemon=True)
        self.app = app
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = self.app.config["RECONCILE_INTERVAL_SECONDS"]
        next_reconcile = 0.0
        while not self.stopping.is_set():
            try:
                if time.monotonic() >= next_reconcile:
                    with self.app.app_context():
                        reconcile()
                        beat()
                    next_reconcile = time.monotonic() + interval
                drain(self.app)
            except Exception:
                log.exception("embedded worker round failed; retrying")
            self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()


class ReconcilerThread(threading.Thread):
    """The reconciler beside a ``linda worker`` process."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="linda-reconciler", daemon=True)
        self.app = app
        self.stopping = threading.Event()

    def run(self) -> None:
        interval = self.app.config["RECONCILE_INTERVAL_SECONDS"]
        while not self.stopping.is_set():
            try:
                with self.app.app_context():
                    counts = reconcile()
                    beat()
                if any(counts.values()):
                    log.info("reconciler queued %s", counts)
            except Exception:
                log.exception("reconciler round failed; retrying")
            self.stopping.wait(interval)
