"""What an admin needs to see a stuck worker or a broken SMS account within minutes.

Reads Redis (queues, failed jobs, heartbeats) and the database (outbox, wave deadlines, SMS
errors). Redis being down is itself a finding: the snapshot says so instead of failing.
Nothing here shows a phone number or an SMS text: jobs carry ids only, errors are the
provider's reason strings, and exceptions are reduced to their type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import redis
import sqlalchemy as sa
from flask import current_app
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from app.clock import utcnow
from app.extensions import db
from app.referral.models import ReferralWave
from app.sms.models import OutboundSms
from app.sms.status import WITHDRAWN, SmsStatus
from app.staff.services import audit
from app.worker.queue import QUEUE_NAMES, connection, state

HEARTBEAT_KEY = "linda:heartbeat:reconciler"
FAILED_SHOWN = 50


class JobNotFoundError(LookupError):
    """The failed job to retry is no longer in the failed registry."""


@dataclass
class QueueDepth:
    name: str
    waiting: int
    scheduled: int
    running: int
    failed: int


@dataclass
class FailedJob:
    job_id: str
    queue: str
    function: str
    failed_at: datetime | None
    error: str  # the exception's type only


@dataclass
class Snapshot:
    now: datetime
    redis_error: str | None = None
    queues: list[QueueDepth] = field(default_factory=list)
    failed: list[FailedJob] = field(default_factory=list)
    oldest_due_sms_at: datetime | None = None
    due_sms: int = 0
    oldest_due_deadline_at: datetime | None = None
    due_deadlines: int = 0
    sms_errors: list[tuple[str, int]] = field(default_factory=list)
    reconciler_at: datetime | None = None
    workers: int = 0
    worker_heartbeat_at: datetime | None = None
    stale_after: timedelta = timedelta(minutes=2)

    @property
    def worker_stale(self) -> bool:
        beats = [t for t in (self.reconciler_at, self.worker_heartbeat_at) if t is not None]
        return not beats or self.now - max(beats) > self.stale_after


def record_heartbeat() -> None:
    """Called by the reconciler every round (worker process or embedded runner)."""
    connection().set(HEARTBEAT_KEY, utcnow().isoformat(), ex=86400)


def snapshot() -> Snapshot:
    now = utcnow()
    snap = Snapshot(now=now, stale_after=timedelta(
        seconds=3 * int(current_app.config["RECONCILE_INTERVAL_SECONDS"]) + 30))
    _database_part(snap)
    try:
        _redis_part(snap)
    except redis.RedisError as exc:
        snap.redis_error = type(exc).__name__
    return snap


def _database_part(snap: Snapshot) -> None:
    now = snap.now
    due = sa.and_(OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at <= now)
    snap.oldest_due_sms_at, snap.due_sms = db.session.execute(
        sa.select(sa.func.min(OutboundSms.next_attempt_at), sa.func.count(OutboundSms.id))
        .where(due)).one()
    overdue = sa.and_(ReferralWave.closed_at.is_(None), ReferralWave.deadline_at <= now)
    snap.oldest_due_deadline_at, snap.due_deadlines = db.session.execute(
        sa.select(sa.func.min(ReferralWave.deadline_at), sa.func.count(ReferralWave.id))
        .where(overdue)).one()
    reason = sa.func.substr(OutboundSms.failure_reason, 1, 80)
    snap.sms_errors = [(str(r), int(n)) for r, n in db.session.execute(
        sa.select(reason, sa.func.count(OutboundSms.id))
        .where(OutboundSms.failure_reason.is_not(None),
               ~OutboundSms.failure_reason.startswith(WITHDRAWN, autoescape=True),
               OutboundSms.status.in_([SmsStatus.QUEUED, SmsStatus.FAILED, SmsStatus.EXPIRED]),
               OutboundSms.updated_at >= now - timedelta(hours=1))
        .group_by(reason).order_by(sa.func.count(OutboundSms.id).desc()).limit(20))]


def _redis_part(snap: Snapshot) -> None:
    conn = connection()
    for name in QUEUE_NAMES:
        q = state().queues[name]
        failed = FailedJobRegistry(queue=q)
        snap.queues.append(QueueDepth(name, q.count, ScheduledJobRegistry(queue=q).count,
                                      StartedJobRegistry(queue=q).count, failed.count))
        for job_id in failed.get_job_ids(0, FAILED_SHOWN - 1):
            snap.failed.append(_failed_job(job_id, name, conn))
    beat = conn.get(HEARTBEAT_KEY)
    if beat:
        snap.reconciler_at = datetime.fromisoformat(beat.decode())
    workers = Worker.all(connection=conn)
    snap.workers = len(workers)
    beats = [w.last_heartbeat for w in workers if w.last_heartbeat is not None]
    if beats:
        latest = max(beats)
        snap.worker_heartbeat_at = latest if latest.tzinfo else latest.replace(
            tzinfo=snap.now.tzinfo)


def _failed_job(job_id: str, queue: str, conn: redis.Redis) -> FailedJob:
    try:
        job = Job.fetch(job_id, connection=conn)
    except NoSuchJobError:
        return FailedJob(job_id, queue, "?", None, "job data expired")
    error = "?"
    result = job.latest_result()
    info = (result.exc_string if result is not None else None) or ""
    lines = [ln for ln in info.strip().splitlines() if ln.strip()]
    if lines:
        error = lines[-1].split(":", 1)[0].strip()[:80]  # the type; the message may hold data
    ended = job.ended_at
    if ended is not None and ended.tzinfo is None:
        ended = ended.replace(tzinfo=utcnow().tzinfo)
    return FailedJob(job_id, queue, (job.func_name or "?").rsplit(".", 1)[-1], ended, error)


def retry_failed(job_id: str, *, actor: str) -> None:
    """Put a failed job back on its queue; audited. Flushes; the caller commits.

    Raises:
        JobNotFoundError: no failed job has that id (already retried, or expired).
    """
    for name in QUEUE_NAMES:
        registry = FailedJobRegistry(queue=state().queues[name])
        if job_id in registry.get_job_ids():
            registry.requeue(job_id)
            audit(actor, "health.retry_job", "job", job_id[:40], queue=name)
            return
    raise JobNotFoundError(f"no failed job {job_id!r}: it was retried or has expired")
