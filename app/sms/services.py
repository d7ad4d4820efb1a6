"""The outbox: every SMS Linda sends starts as a row written with the change that caused it.

Also what the AT callbacks change: inbound messages stored once, delivery reports applied
forward only. Services flush; callers commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.gsm import to_gsm7
from app.privacy import mask_phone
from app.sms.models import DeliveryReport, InboundSms, OutboundSms
from app.sms.schedule import schedule_inbound, schedule_send
from app.sms.signals import sms_status_changed
from app.sms.status import SmsStatus, can_move, map_delivery_status

log = logging.getLogger(__name__)


def queue_sms(to: str, body: str, *, purpose: str = "reply", ref_kind: str | None = None,
              ref_id: int | None = None, expires_at: datetime | None = None,
              not_before: datetime | None = None) -> OutboundSms:
    """Add an SMS to the outbox in the caller's transaction; it is sent after commit.

    Args:
        to: E.164 number; it is stored encrypted and never logged.
        body: the text, folded to GSM-7 so it costs one segment per 160 characters.
        purpose: a short label for staff and statistics ("alert", "reply", "confirm"…).
        ref_kind, ref_id: what the message is about (e.g. "alert", 12), for delivery reports.
        expires_at: after this the message is expired instead of sent late; by default
            ``ALERT_MAX_AGE_SECONDS`` after it is due.
        not_before: send no earlier than this.
    """
    msg = compose_sms(to, body, purpose=purpose, ref_kind=ref_kind, ref_id=ref_id,
                      expires_at=expires_at, not_before=not_before)
    queue_composed([msg])
    return msg


def compose_sms(to: str, body: str, *, purpose: str = "reply", ref_kind: str | None = None,
                ref_id: int | None = None, expires_at: datetime | None = None,
                not_before: datetime | None = None) -> OutboundSms:
    """An outbox row as ``queue_sms`` writes it (same arguments), not yet added: give several
    to ``queue_composed`` to write them in one statement."""
    if expires_at is None:
        max_age = timedelta(seconds=current_app.config["ALERT_MAX_AGE_SECONDS"])
        expires_at = (not_before or utcnow()) + max_age
    fields: dict[str, object] = {"purpose": purpose, "ref_kind": ref_kind, "ref_id": ref_id,
                                 "expires_at": expires_at, "status": SmsStatus.QUEUED}
    if not_before is not None:
        fields["next_attempt_at"] = not_before
    return OutboundSms.compose(to, to_gsm7(body), **fields)


def queue_composed(messages: Sequence[OutboundSms]) -> None:
    """Add rows from ``compose_sms`` to the outbox (one flush for all); each is sent after
    commit, as with ``queue_sms``."""
    db.session.add_all(messages)
    db.session.flush()
    for msg in messages:
        schedule_send(msg)


def set_status(msg: OutboundSms, new: SmsStatus, *, reason: str | None = None,
               notify: bool = True) -> bool:
    """Move ``msg`` to ``new`` and (unless ``notify`` is false) send ``sms_status_changed``.

    Returns False, changing nothing, if that would move it backwards or off a final status.
    """
    old = msg.status
    if not can_move(old, new):
        return False
    now = utcnow()
    msg.status = new
    if reason is not None:
        msg.failure_reason = reason[:200]
    if new is SmsStatus.SUBMITTED:
        msg.submitted_at = now
    elif new is SmsStatus.DELIVERED:
        msg.delivered_at = now
    db.session.flush()
    if notify:
        sms_status_changed.send(msg, old=old, new=new)
    return True


def find_inbound(provider_id: str) -> InboundSms | None:
    return db.session.scalar(sa.select(InboundSms).where(InboundSms.provider_id == provider_id))


def receive_inbound(provider_id: str, sender: str, text: str, *, to: str | None = None,
                    date: str | None = None, link_id: str | None = None) -> InboundSms | None:
    """Store an incoming SMS and queue its processing; None if this ``id`` was stored before.

    AT re-posts an incoming message every minute until it gets a 200, so the provider id is
    the key. A concurrent duplicate loses at the unique constraint when the caller commits.
    """
    if find_inbound(provider_id) is not None:
        return None
    msg = InboundSms.compose(provider_id, sender, text, to=to, provider_date=date,
                             link_id=link_id)
    db.session.add(msg)
    db.session.flush()
    schedule_inbound(msg)
    log.info("inbound SMS %s stored (from %s)", msg.id, mask_phone(sender))
    return msg


def record_delivery_report(provider_id: str, status: str, *, failure_reason: str | None = None,
                           network_code: str | None = None) -> OutboundSms | None:
    """Keep a delivery report and apply it to its message, if we know the message yet.

    Returns the message, or None when no message has this provider id (yet). The same report
    twice is stored once; a report never moves a message backwards.

    Raises:
        UnknownDeliveryStatusError: ``status`` is not one AT documents.
    """
    map_delivery_status(status)  # reject before storing anything
    lock_provider_id(provider_id)
    exists = db.session.scalar(sa.select(DeliveryReport.id).where(
        DeliveryReport.provider_id == provider_id, DeliveryReport.status == status))
    if exists is None:
        db.session.add(DeliveryReport(provider_id=provider_id, status=status,
                                      failure_reason=failure_reason, network_code=network_code,
                                      received_at=utcnow()))
        db.session.flush()
    msg = db.session.scalar(
        sa.select(OutboundSms).where(OutboundSms.provider_message_id == provider_id)
        .with_for_update())
    if msg is None:
        log.warning("delivery report %s for an unknown message id; kept until it is known",
                    status)
        return None
    apply_delivery_reports(msg)
    return msg


def lock_provider_id(provider_id: str) -> None:
    """Hold AT's message id until the transaction ends; the send job and the report webhook
    both take it before they look at each other's rows.

    Without it, a report could arrive in another process while the send job was committing
    the id: the webhook found no message yet, the job had already looked for reports, and
    once both committed the report was stored but never applied (the SMS stayed
    ``submitted``). PostgreSQL only: SQLite lets one writer at a time in, which serialises the
    two already.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(
        sa.func.hashtextextended(provider_id, 0))))


def apply_delivery_reports(msg: OutboundSms, *, notify: bool = True) -> None:
    """Apply every stored, unapplied report for ``msg`` (the caller holds the row lock)."""
    reports = db.session.scalars(
        sa.select(DeliveryReport)
        .where(DeliveryReport.provider_id == msg.provider_message_id,
               DeliveryReport.applied_at.is_(None))
        .order_by(DeliveryReport.id)).all()
    for report in reports:
        report.applied_at = utcnow()
        new = map_delivery_status(report.status)
        if not can_move(msg.status, new):
            log.info("SMS %s: late report %s ignored (already %s)", msg.id, report.status,
                     msg.status.value)
            continue
        msg.provider_status = report.status
        reason = None
        if new is SmsStatus.FAILED:
            reason = f"{report.status}: {report.failure_reason or 'no reason given'}"
        set_status(msg, new, reason=reason, notify=notify)
    db.session.flush()
