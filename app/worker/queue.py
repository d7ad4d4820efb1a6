"""RQ behind a small holder: real Redis when configured, in-process fakeredis otherwise.

Jobs are queued only after the transaction that made them necessary commits (a rollback drops
them), and always under a deterministic id, so the reconciler can re-enqueue anything the
database says is due without ever running the same work twice at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import fakeredis
import redis
from flask import Flask, current_app
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.utils import current_timestamp, now, utcparse
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAMES = ("sms", "default")
#: A job function, or its dotted path (RQ imports it in the worker).
JobFunc = Callable[..., Any] | str
_DONE = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
#: A live RQ scheduler moves a due job onto its queue within about a second. A scheduled job
#: due longer ago than this has no scheduler (its worker was killed holding the lock, which
#: RQ keeps for a minute and retries only at maintenance time): the reconciler moves it.
SCHEDULED_GRACE = timedelta(seconds=5)
#: A running ``linda worker`` refreshes its worker key's ``last_heartbeat`` this often while a
#: job runs (``runner.AppWorker``); RQ itself writes it only between jobs.
WORKER_BEAT = timedelta(seconds=2)
#: A started job whose worker key is gone, or silent this long, has no worker: it was killed
#: mid-job (``kill -9``), and RQ would leave the job "started" until its own cleanup, minutes.
WORKER_GONE_AFTER = timedelta(seconds=10)


class JobQueue:
    """Holds the Redis connection and named queues of one app."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        url = app.config.get("REDIS_URL")
        conn = app.config.get("REDIS_CONNECTION")  # tests may hand one in
        if conn is None:
            if url:
                conn = redis.Redis.from_url(
                    url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
                )
            else:
                conn = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        app.extensions["linda_jobs"] = _State(conn, embedded=not url)


def worker_connection(app: Flask, *, blocking_seconds: int) -> Any:
    """A Redis client of its own for a worker that blocks up to ``blocking_seconds`` waiting
    for a job, with a read timeout longer than that wait.

    The app's client times reads out after 5 s so that a web request never hangs on Redis.
    RQ raises the timeout only for connections opened after the worker starts; one opened
    earlier (by the reconciler) timed out in the middle of every idle wait, and RQ took each
    timeout for a lost Redis and slept 1, 2, 4… up to 60 s before taking the next job. An
    injected connection (tests) or the embedded fakeredis is returned as it is.
    """
    url = app.config.get("REDIS_URL")
    if app.config.get("REDIS_CONNECTION") is not None or not url:
        return app.extensions["linda_jobs"].connection
    return redis.Redis.from_url(url, socket_connect_timeout=2,
                                socket_timeout=blocking_seconds + 10, health_check_interval=30)


class _State:
    def __init__(self, conn: Any, embedded: bool) -> None:
        self.connection = conn
        self.embedded = embedded
        self.queues = {name: Queue(name, connection=conn) for name in QUEUE_NAMES}


def state() -> _State:
    return current_app.extensions["linda_jobs"]  # type: ignore[no-any-return]


def connection() -> Any:
    return state().connection


def enqueue(func: JobFunc, *args: Any, job_id: str, queue: str = "default",
            at: datetime | None = None, **options: Any) -> bool:
    """Queue ``func(*args)`` under ``job_id`` unless the same id is already waiting.

    A finished or failed job of the same id is replaced: the database said the work is due
    again, and the database is right. Returns whether a job was queued. Redis errors are
    logged, not raised: the reconciler will find the work in the database later.
    """
    q = state().queues[queue]
    options.setdefault("result_ttl", 0)
    options.setdefault("failure_ttl", 7 * 86400)
    options.setdefault("job_timeout", 60)
    try:
        return _enqueue_unique(q, func, args, job_id, at, options)
    except redis.RedisError as exc:
        log.warning("queue unavailable, %s left for the reconciler: %s", job_id, type(exc).__name__)
        return False


def _enqueue_unique(q: Queue, func: JobFunc, args: tuple[Any, ...], job_id: str,
                    at: datetime | None, options: dict[str, Any]) -> bool:
    for _ in range(2):
        try:
            if at is None:
                q.enqueue(func, *args, job_id=job_id, unique=True, **options)
            else:
                q.enqueue_at(at, func, *args, job_id=job_id, unique=True, **options)
            return True
        except DuplicateJobError:
            try:
                existing = Job.fetch(job_id, connection=q.connection)
            except NoSuchJobError:
                continue
            status = existing.get_status(refresh=True)
            if status == JobStatus.SCHEDULED:
                return _take_overdue(q, job_id)
            if status == JobStatus.STARTED and _worker_gone(q, existing):
                if not _take_abandoned(q, job_id):
                    return False  # another reconciler requeues it
                continue
            if status not in _DONE:
                return False  # already waiting or running
            existing.delete()
    return False


def _take_overdue(q: Queue, job_id: str, grace: timedelta = SCHEDULED_GRACE) -> bool:
    """Queue a scheduled job now if it is overdue by more than ``grace``; else leave it.

    ``ZREM`` decides who moves it: of a reconciler and a scheduler racing, one wins.
    """
    registry = q.scheduled_job_registry
    score = q.connection.zscore(registry.key, job_id)
    if score is None or score > current_timestamp() - grace.total_seconds():
        return False
    return _move(q, registry, job_id)


def _worker_gone(q: Queue, job: Job) -> bool:
    """Whether the worker named on a started job is dead (key expired or heartbeat stale)."""
    if not job.worker_name:
        return False  # not started by a worker we can check
    beat = q.connection.hget(f"rq:worker:{job.worker_name}", "last_heartbeat")
    if beat is None:
        return True
    try:
        last = utcparse(beat.decode())
    except ValueError:
        return False
    return now() - last > WORKER_GONE_AFTER


def _take_abandoned(q: Queue, job_id: str) -> bool:
    """Take a dead worker's started job off RQ's registry and delete it, so it can be queued.

    ``ZREM`` of its started-registry entry decides who takes it: of two reconcilers, one wins,
    and the job is queued again once. The row's claim in the database makes a run that the
    dead worker had half done harmless to repeat.
    """
    registry = q.started_job_registry
    entries = [e for e in q.connection.zrange(registry.key, 0, -1)
               if e.decode().rsplit(":", 1)[0] == job_id]
    if not entries or not q.connection.zrem(registry.key, *entries):
        return False
    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=q.connection).delete()
    log.warning("job %s was started by a worker that is gone; queueing it again", job_id)
    return True


def _move(q: Queue, registry: ScheduledJobRegistry, job_id: str) -> bool:
    if not q.connection.zrem(registry.key, job_id):
        return False  # the scheduler (or another reconciler) took it first
    try:
        job = Job.fetch(job_id, connection=q.connection)
    except NoSuchJobError:
        return False
    q.enqueue_job(job)
    log.warning("scheduled job %s was overdue with no scheduler; queued it", job_id)
    return True


def release_overdue_scheduled(grace: timedelta = SCHEDULED_GRACE) -> int:
    """Queue every scheduled job due more than ``grace`` ago; returns how many.

    Runs on every reconcile tick, so a retry or deadline waits at most one interval plus
    ``grace`` when no scheduler runs, whatever RQ's lock says.
    """
    moved = 0
    cutoff = int(current_timestamp() - grace.total_seconds())
    try:
        for q in state().queues.values():
            registry = q.scheduled_job_registry
            for job_id in registry.get_jobs_to_schedule(cutoff):
                moved += _move(q, registry, job_id)
    except redis.RedisError as exc:
        log.warning("queue unavailable, overdue scheduled jobs left: %s", type(exc).__name__)
    return moved


def enqueue_after_commit(func: JobFunc, *args: Any, job_id: str,
                         **options: Any) -> None:
    """Register a job to queue when the current transaction commits.

    ``func`` may be a dotted path (``"app.sms.tasks.send_sms"``): services schedule jobs by
    name, so they never import the job modules that call them. A job registered inside a
    savepoint (``begin_nested``) is dropped if that savepoint rolls back, and queued only when
    the whole transaction commits.
    """
    pending = db.session.info.setdefault("linda_pending_jobs", [])
    if not any(p[3] == job_id for p in pending):
        session = db.session()
        innermost = session.get_nested_transaction() or session.get_transaction()
        pending.append((innermost, func, args, job_id, options))


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    # SQLAlchemy also calls this when a savepoint is released; its rows are not visible to a
    # worker until the whole transaction commits (a job queued then found no row, and its
    # work waited for the reconciler).
    if session.in_nested_transaction():
        return
    pending = session.info.pop("linda_pending_jobs", [])
    for _, func, args, job_id, options in pending:
        enqueue(func, *args, job_id=job_id, **options)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop("linda_pending_jobs", None)
        return
    pending = session.info.get("linda_pending_jobs", [])
    pending[:] = [p for p in pending if not _within(p[0], previous_transaction)]


def _within(transaction: Any, ancestor: Any) -> bool:
    """Whether ``transaction`` is ``ancestor`` or was begun inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False
