"""How a send try goes out and is recorded: the requests to AT (kept-alive sessions, several
in flight, one request per text to many numbers) and each row's outcome (submitted, retried
with backoff, failed, expired), for the jobs in ``tasks.py``.

No transaction is open while requests are in flight; outcomes are recorded afterwards, all of a
try's rows in one transaction, each on its own again if that fails.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.sms.gateway import MAX_RECIPIENTS, SendResult, gateway, send_many
from app.sms.models import OutboundSms
from app.sms.schedule import schedule_send
from app.sms.services import apply_delivery_reports, lock_provider_id, set_status
from app.sms.status import MAX_ATTEMPTS, SendDecision, SmsStatus, backoff_seconds

log = logging.getLogger(__name__)

#: Requests in flight per send job (threads; the database is only used between rounds).
SEND_CONCURRENCY = 8


def send_all(rows: list[tuple[int, str, str]]) -> list[tuple[int, SendResult]]:
    """Send ``(id, to, body)`` rows: one request per text and batch of distinct numbers, the
    requests in parallel. Never raises: a bug becomes a retry of the rows concerned."""
    requests_: list[list[tuple[int, str, str]]] = []
    by_body: dict[str, list[list[tuple[int, str, str]]]] = {}
    for row in rows:
        batches = by_body.setdefault(row[2], [])
        batch = next((b for b in batches if len(b) < MAX_RECIPIENTS
                      and all(r[1] != row[1] for r in b)), None)
        if batch is None:
            batch = []
            batches.append(batch)
            requests_.append(batch)
        batch.append(row)
    gw = gateway()
    prepare = getattr(gw, "prepare", None)
    if prepare is not None:
        prepare()  # resolve what needs the app before leaving this thread

    def one(batch: list[tuple[int, str, str]]) -> list[tuple[int, SendResult]]:
        try:
            results = send_many(gw, [r[1] for r in batch], batch[0][2])
        except Exception:  # a bug must not leave rows claimed forever nor loop without limit
            log.exception("SMS %s: the gateway raised; retrying later",
                          ", ".join(str(r[0]) for r in batch))
            results = [SendResult(SendDecision.RETRY, status="internal-error",
                                  reason="internal error while sending")] * len(batch)
        return [(r[0], res) for r, res in zip(batch, results, strict=True)]

    if len(requests_) <= 1 or SEND_CONCURRENCY <= 1:
        return [pair for batch in requests_ for pair in one(batch)]
    return [pair for done in _pool().map(one, requests_) for pair in done]


#: What a try did to one row (``_apply_result``, or expiring it), told whether to notify.
Change = Callable[[OutboundSms, bool], object]

_senders: tuple[int, ThreadPoolExecutor] | None = None
_senders_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """The process's sending threads: kept for its life, so their HTTP connections to AT stay
    open between jobs (a new pool per job would reconnect every time)."""
    global _senders
    with _senders_lock:
        if _senders is None or _senders[0] != os.getpid():
            _senders = (os.getpid(), ThreadPoolExecutor(max_workers=SEND_CONCURRENCY,
                                                        thread_name_prefix="linda-send"))
        return _senders[1]


def finish_all(outcomes: list[tuple[int, Change]], claimed_at: datetime) -> None:
    """Record the outcomes of one try's rows in one transaction (rows locked in id order).

    If anything fails (a receiver of ``sms_status_changed``, a lock), the transaction is
    rolled back and each row is recorded on its own by ``finish``, with its own fallback:
    one row's failure never holds back the others.
    """
    if len(outcomes) > 1:
        ids = sorted(message_id for message_id, _ in outcomes)
        try:
            rows = {m.id: m for m in db.session.scalars(
                sa.select(OutboundSms).where(OutboundSms.id.in_(ids)).order_by(OutboundSms.id)
                .with_for_update().execution_options(populate_existing=True))}
            for message_id, change in sorted(outcomes, key=lambda o: o[0]):
                msg = rows[message_id]
                if msg.status is not SmsStatus.SENDING or msg.claimed_at != claimed_at:
                    log.warning("SMS %s was reclaimed while this try was sending; this try's "
                                "outcome is not recorded", message_id)
                    continue
                change(msg, True)
            db.session.commit()
            return
        except Exception:
            db.session.rollback()
            log.exception("SMS %s: recording the outcomes together failed; recording each "
                          "on its own", ", ".join(map(str, ids)))
    for message_id, change in outcomes:
        finish(message_id, claimed_at, change)


def finish(message_id: int, claimed_at: datetime, change: Change) -> None:
    """Apply ``change`` to the row this try claimed, and commit.

    Receivers of ``sms_status_changed`` run inside this transaction. If one of them fails, the
    change is applied again without telling them (and logged): a row left ``sending`` would be
    sent again after its lease, and again, for every failure of someone else's code.
    """
    for notify in (True, False):
        msg = db.session.execute(
            sa.select(OutboundSms).where(OutboundSms.id == message_id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        if msg.status is not SmsStatus.SENDING or msg.claimed_at != claimed_at:
            log.warning("SMS %s was reclaimed while this try was sending; this try's outcome "
                        "is not recorded", message_id)
            db.session.commit()
            return
        try:
            change(msg, notify)
            db.session.commit()
            return
        except Exception:
            db.session.rollback()
            if not notify:
                raise
            log.exception("SMS %s: a receiver of its status change failed; recording the "
                          "outcome without receivers", message_id)


def apply_result(msg: OutboundSms, result: SendResult, *, notify: bool) -> None:
    if result.decision is SendDecision.ACCEPTED and result.provider_id:
        lock_provider_id(result.provider_id)  # a report for it waits until this commits
    msg.provider_status = result.status
    if result.decision is SendDecision.ACCEPTED:
        msg.provider_message_id = result.provider_id
        msg.failure_reason = None
        set_status(msg, SmsStatus.SUBMITTED, notify=notify)
        apply_delivery_reports(msg, notify=notify)  # a report may have come before this commit
        log.info("SMS %s submitted", msg.id)
    elif result.decision is SendDecision.RETRY:
        msg.possible_duplicate = msg.possible_duplicate or result.maybe_sent
        retry_later(msg, result.reason or "temporary failure", notify=notify)
    else:
        log.warning("SMS %s failed: %s", msg.id, result.reason)
        set_status(msg, SmsStatus.FAILED, reason=result.reason or "refused", notify=notify)


def retry_later(msg: OutboundSms, reason: str, *, at_once: bool = False,
                 notify: bool = True) -> None:
    """Count a failed try; queue the next one after the backoff (or ``at_once``), or give up
    after the last (or when the next would come after ``expires_at``)."""
    msg.attempts += 1
    if msg.attempts >= MAX_ATTEMPTS:
        log.warning("SMS %s failed after %d tries: %s", msg.id, msg.attempts, reason)
        set_status(msg, SmsStatus.FAILED, reason=f"gave up after {msg.attempts} tries: {reason}",
                   notify=notify)
        return
    delay = 0 if at_once else backoff_seconds(msg.attempts)
    next_at = utcnow() + timedelta(seconds=delay)
    if msg.expires_at is not None and next_at >= msg.expires_at:
        log.warning("SMS %s expires before its next try: %s", msg.id, reason)
        set_status(msg, SmsStatus.EXPIRED, reason=f"expired while retrying: {reason}",
                   notify=notify)
        return
    log.info("SMS %s: try %d failed (%s); next in %d s", msg.id, msg.attempts, reason, delay)
    msg.status = SmsStatus.QUEUED
    msg.claimed_at = None
    msg.failure_reason = reason[:200]
    msg.next_attempt_at = next_at
    db.session.flush()
    schedule_send(msg)
