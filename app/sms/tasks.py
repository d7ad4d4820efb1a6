"""SMS jobs: send one outbox row, process one inbound SMS, and the sweeper behind both.

Delivery guarantee of ``send_sms``: **at-least-once**. The row is the job; Redis only nudges.
A job claims its row (queued and due → sending) in its own transaction, calls AT, then records
the outcome in a second one. If the worker dies between the two, the row stays ``sending``;
after ``LEASE`` the sweeper puts it back in the queue (counting the lost try), and it is sent
again. AT may then deliver it twice, which for an alert about a child in danger is better than
not at all; the alert text carries the case number, so a duplicate is recognisable.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.sms.gateway import SendResult
from app.sms.models import InboundSms, OutboundSms
from app.sms.schedule import inbound_job_id, send_job_id
from app.sms.sending import (
    Change,
    apply_result,
    finish_all,
    retry_later,
    send_all,
)
from app.sms.services import set_status
from app.sms.signals import inbound_sms_received
from app.sms.status import SendDecision, SmsStatus
from app.worker.queue import enqueue

log = logging.getLogger(__name__)

#: A row ``sending`` for longer than this lost its worker (a send takes at most ~13 s, and a
#: job is killed after 60 s).
LEASE = timedelta(seconds=120)
#: Rows handled per sweep and kind, so one sweep stays short after a long outage.
SWEEP_BATCH = 500
#: Rows one send job claims: its own and up to this many minus one others that are due.
#: With ``sending.SEND_CONCURRENCY`` requests in flight, even rows that all time out (13 s each)
#: finish in two rounds, well inside the job timeout (60 s) and the ``LEASE``.
SEND_BATCH = 16


def send_sms(message_id: int) -> None:
    """Send one outbox row if it is queued and due, with other due rows beside it; safe to
    run twice (at-least-once).

    The job claims its own row and up to ``SEND_BATCH - 1`` other queued, due rows (their own
    jobs then find nothing to do), exactly as each would claim itself: same lease, same
    ``finish``; a job whose own row was taken still sends the others it claimed. Rows with
    the same text go in one request to several numbers; different texts go in parallel
    requests, at most ``SEND_CONCURRENCY`` at once. No transaction is open during the HTTP
    calls. Expired rows are marked expired instead of sent. Each row's outcome is submitted
    (with AT's message id), queued again with backoff, or failed with the reason.
    """
    now = utcnow()
    claimed = _claim(message_id, now)
    db.session.commit()
    if not claimed:
        log.debug("SMS %s not queued and due; nothing to do", message_id)
        return
    _send_claimed(claimed, now)


def send_now(message_ids: Collection[int]) -> int:
    """Send these outbox rows at once, those still queued and due, exactly as their own
    ``send_sms`` jobs would (same claim, lease and ``finish``); returns how many it claimed.

    For a job that has just committed rows that should leave without waiting their turn in
    the queue (a case's first alerts). Their ``send_sms`` jobs stay queued: they find the rows
    claimed and do nothing, or send them if this job died before claiming them. A row another
    worker is claiming is left to it (``SKIP LOCKED``), so no row is ever sent twice at once.
    """
    if not message_ids:
        return 0
    now = utcnow()
    free = list(db.session.scalars(
        sa.select(OutboundSms.id).where(OutboundSms.id.in_(list(message_ids)), *_due(now))
        .with_for_update(skip_locked=True)))
    claimed = _mark_sending(free, now)
    db.session.commit()
    if claimed:
        _send_claimed(claimed, now)
    return len(claimed)


def _send_claimed(claimed: list[int], now: datetime) -> None:
    """Send rows this try claimed at ``now`` (expired ones are marked expired instead), and
    record each outcome with ``finish``."""
    rows = db.session.scalars(
        sa.select(OutboundSms).where(OutboundSms.id.in_(claimed)).order_by(OutboundSms.id)
        .execution_options(populate_existing=True)).all()
    expired = [m for m in rows if m.expires_at is not None and m.expires_at <= now]
    to_send, unreadable = [], []
    for m in rows:
        if m in expired:
            continue
        try:
            to_send.append((m.id, m.to, m.body))
        except Exception:  # e.g. sealed with another key: this row only, not its batch
            log.exception("SMS %s could not be read; retrying later", m.id)
            unreadable.append((m.id, SendResult(SendDecision.RETRY, status="internal-error",
                                                reason="internal error while sending")))
    reasons = {m.id: m.failure_reason for m in expired}
    db.session.commit()  # no transaction open during the HTTP calls
    outcomes: list[tuple[int, Change]] = []
    for expired_id, last in reasons.items():
        log.info("SMS %s expired before it could be sent", expired_id)
        reason = "too old to send" + (f"; last try: {last}" if last else "")
        outcomes.append((expired_id, lambda m, notify, reason=reason: set_status(
            m, SmsStatus.EXPIRED, reason=reason, notify=notify)))
    for sent_id, result in [*unreadable, *send_all(to_send)]:
        outcomes.append((sent_id, lambda m, notify, result=result: apply_result(
            m, result, notify=notify)))
    finish_all(outcomes, now)


def _claim(message_id: int, now: datetime) -> list[int]:
    """Claim ``message_id`` and up to ``SEND_BATCH - 1`` other due rows (queued → sending).

    Every row is locked before it is updated, and rows another worker holds are skipped
    rather than waited for (PostgreSQL's ``SKIP LOCKED``): two workers claiming at once never
    wait on each other, so they cannot deadlock. On every database the ``status`` condition
    lets each row be claimed once.
    """
    due = _due(now)
    ids = list(db.session.scalars(
        sa.select(OutboundSms.id).where(OutboundSms.id == message_id, *due)
        .with_for_update(skip_locked=True)))
    if SEND_BATCH > 1:
        ids += db.session.scalars(
            sa.select(OutboundSms.id).where(OutboundSms.id != message_id, *due)
            .order_by(OutboundSms.next_attempt_at, OutboundSms.id).limit(SEND_BATCH - 1)
            .with_for_update(skip_locked=True)).all()
    return _mark_sending(ids, now)


def _due(now: datetime) -> tuple[sa.ColumnElement[bool], ...]:
    return OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at <= now


def _mark_sending(ids: list[int], now: datetime) -> list[int]:
    """Claim the locked rows ``ids`` that are still queued and due (queued → sending, leased
    from ``now``); the ``status`` condition lets each row be claimed once on every database."""
    if not ids:
        return []
    return list(db.session.scalars(
        sa.update(OutboundSms).where(OutboundSms.id.in_(ids), *_due(now))
        .values(status=SmsStatus.SENDING, claimed_at=now, updated_at=now)
        .returning(OutboundSms.id)
        .execution_options(synchronize_session=False)).all())


def process_inbound(inbound_id: int) -> None:
    """Hand one inbound SMS to the receivers of ``inbound_sms_received``; safe to run twice.

    Receivers run in this job's transaction: their replies and changes commit together with
    ``handled_at``, or not at all (and the sweeper runs the job again). A message no receiver
    took is marked ``unhandled`` and logged, never silently dropped.
    """
    msg = db.session.execute(
        sa.select(InboundSms).where(InboundSms.id == inbound_id).with_for_update()
    ).scalar_one_or_none()
    if msg is None or msg.handled_at is not None:
        db.session.commit()
        return
    inbound_sms_received.send(msg)
    if msg.handled_at is None:
        log.warning("inbound SMS %s: no receiver handled it", inbound_id)
        msg.handled_at = utcnow()
        msg.outcome = msg.outcome or "unhandled"
    db.session.commit()


def sweep_sms() -> int:
    """Re-queue what the database says is due; returns how many jobs were queued.

    Rows ``sending`` past their lease go back to ``queued`` first (the lost try counts), then
    every queued row that is due gets its job, then every inbound SMS not yet handled.
    """
    now = utcnow()
    stuck = db.session.scalars(
        sa.select(OutboundSms.id)
        .where(OutboundSms.status == SmsStatus.SENDING, OutboundSms.claimed_at < now - LEASE)
        .limit(SWEEP_BATCH)).all()
    for message_id in stuck:
        _reclaim(message_id, now)

    count = 0
    due = db.session.execute(
        sa.select(OutboundSms.id, OutboundSms.attempts)
        .where(OutboundSms.status == SmsStatus.QUEUED, OutboundSms.next_attempt_at <= now)
        .order_by(OutboundSms.next_attempt_at).limit(SWEEP_BATCH)).all()
    for message_id, attempts in due:
        count += enqueue(send_sms, message_id, job_id=send_job_id(message_id, attempts),
                         queue="sms")
    waiting = db.session.scalars(
        sa.select(InboundSms.id).where(InboundSms.handled_at.is_(None))
        .order_by(InboundSms.id).limit(SWEEP_BATCH)).all()
    for inbound_id in waiting:
        count += enqueue(process_inbound, inbound_id, job_id=inbound_job_id(inbound_id))
    return count


def _reclaim(message_id: int, now: datetime) -> None:
    msg = db.session.execute(
        sa.select(OutboundSms).where(OutboundSms.id == message_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if msg.status is SmsStatus.SENDING and msg.claimed_at and msg.claimed_at < now - LEASE:
        log.warning("SMS %s: its worker stopped while sending; queueing it again", message_id)
        msg.possible_duplicate = True
        retry_later(msg, "the worker stopped while sending; it may arrive twice",
                     at_once=True)
    db.session.commit()
