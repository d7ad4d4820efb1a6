"""What a fault run must show once the faults are over: the suite's compressed clock, and the
checks of every report, alert, deadline and outbox row, with what to print when one fails.

Every check reads the private database of the run (``World``), never the machine's shared one.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import redis
import sqlalchemy as sa
from rq.utils import current_timestamp

from app.cases.models import Case
from app.clock import utcnow
from app.extensions import db
from app.referral.models import Alert, ReferralWave
from app.sandbox.at import ACCEPTED_CODES
from app.sandbox.models import Direction, SandboxMessage
from app.sms.models import OutboundSms
from app.sms.schedule import send_job_id
from app.sms.status import RANK, SmsStatus
from app.worker.queue import state
from tests.faults.fault_world import RECONCILE, World

SENT = (SmsStatus.SUBMITTED, SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED)
#: What a message stays in when the provider took it and no delivery report ever comes.
UNREPORTED = (SmsStatus.SUBMITTED, SmsStatus.SENT)
#: Seconds after recovery within which every first alert must be sent and nothing be stuck.
RECOVERY_WINDOW = 45
#: Seconds a send may take (two rounds of 1 s read timeouts and the database between).
IN_FLIGHT = 15


@dataclass
class Verdict:
    """What one run showed: the summary line's figures and the reasons it failed, if any."""

    lost: int = 0
    late: int = 0
    duplicates: int = 0
    ambiguous: int = 0
    silent: int = 0  # alerts the provider took without ever reporting on them
    problems: list[str] = field(default_factory=list)


def fast_forward() -> None:
    """Time passes: backoffs end, and the lease of a try lost to a fault (a killed worker, a
    database gone between claim and outcome: claimed over 15 s ago) runs out, as it would
    after its 2 minutes.

    A backoff lives in two places: the row's ``next_attempt_at`` and the RQ scheduled job of
    that try (``sms-N-k``, due at the same moment). Both move, or the sweeper finds the job
    still waiting for its real 30-120 s and leaves it, as it must (seed 1022).
    """
    now = utcnow()
    waiting = db.session.execute(sa.select(OutboundSms.id, OutboundSms.attempts).where(
        OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at > now)).all()
    db.session.execute(sa.update(OutboundSms).where(
        OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at > now)
        .values(next_attempt_at=now))
    if waiting:
        with contextlib.suppress(redis.RedisError):  # Redis may be restarting: next poll
            registry = state().queues["sms"].scheduled_job_registry
            for message_id, attempts in waiting:
                registry.connection.zadd(registry.key, {
                    send_job_id(message_id, attempts): current_timestamp()}, xx=True)
    db.session.execute(sa.update(OutboundSms).where(  # a send takes a few seconds at most
        OutboundSms.status == SmsStatus.SENDING,
        OutboundSms.claimed_at < now - timedelta(seconds=15),
        OutboundSms.claimed_at > now - timedelta(seconds=125))
        .values(claimed_at=now - timedelta(seconds=125)))
    db.session.commit()


def check(world: World, taken: dict[int, str]) -> Verdict:
    """Wait up to the recovery window for the run to settle, then judge it."""
    assert world.app is not None
    verdict = Verdict()
    with world.app.app_context():
        ranks: dict[int, int] = {}
        end = time.monotonic() + RECOVERY_WINDOW
        while time.monotonic() < end:
            world.ensure_worker()  # a supervisor (systemd Restart=always) restarts a dead one
            try:
                db.session.rollback()
                fast_forward()
                backwards = _statuses_forward(ranks)
                if backwards:
                    verdict.problems.append(backwards)
                    break
                if settled(taken):
                    break
            except Exception:  # the database is still starting
                db.session.rollback()
            time.sleep(0.5)
        time.sleep(1)  # late delivery reports
        db.session.rollback()
        _judge(world, taken, verdict)
        db.session.remove()
    return verdict


def _statuses_forward(ranks: dict[int, int]) -> str | None:
    """queued <-> sending is a retry; once the provider took a message, only forward."""
    for row_id, status in db.session.execute(sa.select(OutboundSms.id, OutboundSms.status)):
        before = ranks.get(row_id)
        if before is not None and before >= RANK[SmsStatus.SUBMITTED] and RANK[status] < before:
            return f"SMS {row_id} moved back to {status}"
        ranks[row_id] = RANK[status]
    return None


def _judge(world: World, taken: dict[int, str], verdict: Verdict) -> None:
    refs = list(taken.values())
    verdict.lost = sum(1 for ref in refs if not case_exists(ref))
    late_rows = [describe_first_alert(ref) for ref in refs
                 if case_exists(ref) and not first_alert_sent(ref)]
    verdict.late = len(late_rows)
    verdict.duplicates, verdict.ambiguous = count_duplicates()
    verdict.silent, untracked = check_unreported()
    # A try claimed moments ago is in flight (a send takes a few seconds at most), not stuck:
    # seed 1032 once caught a send claimed 80 ms before this count, under a load of 15.
    stuck = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms).where(
        OutboundSms.status == SmsStatus.SENDING,
        OutboundSms.claimed_at < utcnow() - timedelta(seconds=IN_FLIGHT)))
    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(ReferralWave).where(
        ReferralWave.closed_at.is_(None),
        ReferralWave.deadline_at < utcnow() - timedelta(seconds=RECONCILE + 8)))
    log_tail = run_log(world)
    if stuck:
        verdict.problems.append(f"{stuck} SMS still claimed by a worker after recovery")
    if overdue:
        open_waves = [(w.id, w.case_id, w.number, w.deadline_at.isoformat())
                      for w in db.session.scalars(
                          sa.select(ReferralWave).where(ReferralWave.closed_at.is_(None)))]
        verdict.problems.append(f"{overdue} wave(s) past deadline + one reconcile interval "
                                f"after recovery: {open_waves}")
    if untracked:
        verdict.problems.append(f"alerts the provider took without a report, not tracked: "
                                f"{untracked}")
    if late_rows:  # what the next person needs to diagnose it: the rows, RQ, the processes
        verdict.problems.append(f"{verdict.late} first alert(s) not sent within the recovery "
                                f"window: {late_rows}; RQ: {registries()}")
    if verdict.problems:
        print(f"now {utcnow().isoformat()}; process log:\n" + "\n".join(log_tail))


def run_log(world: World) -> list[str]:
    """This run's process log for a failure report: every line but the worker's routine
    job lines (so the timeline of faults, warnings and restarts shows whole), then the last
    40 lines as they are."""
    lines = world.run_log()
    timeline = [line for line in lines if " INFO rq.worker " not in line][-300:]
    return [*timeline, "-- last lines, as they are:", *lines[-40:]]


def describe_first_alert(reference: str) -> dict[str, object]:
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    assert case is not None
    first = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id)
                              .order_by(Alert.id).limit(1))
    sms = db.session.get(OutboundSms, first.sms_id) if first and first.sms_id else None
    if sms is None:
        return {"case": case.id, "alert": first.id if first else None, "sms": None}
    return {"case": case.id, "alert": first.id, "sms": sms.id, "status": sms.status.value,
            "attempts": sms.attempts, "next_attempt_at": sms.next_attempt_at.isoformat(),
            "claimed_at": sms.claimed_at.isoformat() if sms.claimed_at else None,
            "provider_status": sms.provider_status, "reason": sms.failure_reason}


def registries() -> dict[str, object]:
    """Job ids in each RQ registry of the private Redis (never personal data: ids only)."""
    try:
        out: dict[str, object] = {}
        for name, q in state().queues.items():
            out[name] = {"queued": q.get_job_ids(),
                         "scheduled": q.scheduled_job_registry.get_job_ids(),
                         "started": q.started_job_registry.get_job_ids(),
                         "failed": q.failed_job_registry.get_job_ids()}
        return out
    except redis.RedisError as exc:
        return {"error": type(exc).__name__}


def case_exists(reference: str) -> bool:
    return db.session.scalar(sa.select(Case.id).where(Case.reference == reference)) is not None


def settled(taken: dict[int, str]) -> bool:
    if not all(first_alert_sent(ref) for ref in taken.values()):
        return False
    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(ReferralWave).where(
        ReferralWave.closed_at.is_(None),
        ReferralWave.deadline_at < utcnow() - timedelta(seconds=RECONCILE + 2)))
    sending = db.session.scalar(sa.select(sa.func.count()).select_from(OutboundSms)
                                .where(OutboundSms.status == SmsStatus.SENDING))
    return overdue == 0 and sending == 0


def first_alert_sent(reference: str) -> bool:
    case = db.session.scalar(sa.select(Case).where(Case.reference == reference))
    if case is None:
        return False
    first = db.session.scalar(sa.select(Alert).where(Alert.case_id == case.id)
                              .order_by(Alert.id).limit(1))
    if first is None or first.sms_id is None:
        return False
    sms = db.session.get(OutboundSms, first.sms_id)
    return sms is not None and sms.submitted_at is not None and sms.status in SENT


def _accepted() -> sa.ColumnElement[bool]:
    return sa.and_(SandboxMessage.direction == Direction.TO_PHONE,
                   SandboxMessage.status_code.in_(sorted(ACCEPTED_CODES)))


def count_duplicates() -> tuple[int, int]:
    """Alerts the sandbox accepted more often than Linda submitted them: outside the
    ambiguous window unless a row of that message is marked ``possible_duplicate``."""
    accepted = Counter((m.phone_hash, m.text)
                       for m in db.session.scalars(sa.select(SandboxMessage).where(_accepted())))
    rows: dict[tuple[str, str], list[OutboundSms]] = {}
    for row in db.session.scalars(sa.select(OutboundSms).where(OutboundSms.purpose == "alert")):
        rows.setdefault((row.to_hash, row.body), []).append(row)
    duplicates = ambiguous = 0
    for key, group in rows.items():
        extra = accepted[key] - sum(1 for r in group if r.submitted_at is not None)
        if extra > 0:
            if any(r.possible_duplicate for r in group):
                ambiguous += extra
            else:
                duplicates += extra
    return duplicates, ambiguous


def check_unreported() -> tuple[int, list[int]]:
    """Alerts the provider accepted and never reported on (the sandbox's ``silent`` mode) are
    still tracked: the row that got that message id stays submitted or sent, neither delivered
    nor failed nor sent again, and nothing depends on a report that will never come.

    Returns how many such alerts there were, and the sandbox message ids of those whose
    outbox row is missing or moved on as if a report had come.
    """
    silent = db.session.scalars(sa.select(SandboxMessage).where(
        _accepted(), SandboxMessage.delivery.is_(None))).all()
    untracked = []
    for msg in silent:
        row = db.session.scalar(sa.select(OutboundSms).where(
            OutboundSms.provider_message_id == msg.provider_id))
        if row is None:  # sent again after its answer was lost: a marked possible duplicate
            row = next((r for r in db.session.scalars(sa.select(OutboundSms).where(
                OutboundSms.to_hash == msg.phone_hash)) if r.body == msg.text), None)
            if row is None or row.submitted_at is None or not row.possible_duplicate:
                untracked.append(msg.id)
        elif row.status not in UNREPORTED or row.submitted_at is None:
            untracked.append(msg.id)
    alerts = sum(1 for m in silent if db.session.scalar(sa.select(OutboundSms.purpose).where(
        OutboundSms.provider_message_id == m.provider_id)) == "alert")
    return alerts, untracked
