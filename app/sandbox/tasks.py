"""Sandbox jobs: post each accepted message's delivery report to Linda, like AT does."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.sandbox import at
from app.sandbox.callbacks import post_form
from app.sandbox.models import SandboxMessage
from app.sandbox.schedule import delivery_report_job_id
from app.worker.queue import enqueue

log = logging.getLogger(__name__)

#: A report Linda refuses with a 5xx or never answers is tried this often, then given up.
MAX_ATTEMPTS = 5


def post_delivery_report(message_id: int) -> None:
    """POST the delivery report of one message to ``/at/<token>/sms/delivery``.

    At-least-once, like AT: a report Linda answered with 2xx or 4xx is never posted again (a 4xx
    is Linda's final word and is shown on the page); a network error or 5xx leaves it due for
    the reconciler, up to ``MAX_ATTEMPTS``. No transaction is open during the HTTP call.
    """
    msg = db.session.get(SandboxMessage, message_id)
    if (msg is None or msg.callback_due_at is None or msg.callback_done_at is not None
            or msg.callback_attempts >= MAX_ATTEMPTS or msg.delivery is None):
        db.session.rollback()
        return
    form = at.delivery_report_form(msg.provider_id, msg.phone, msg.delivery, msg.failure_reason)
    base_url = msg.callback_base_url or ""
    db.session.rollback()  # end the read transaction before calling Linda

    result = post_form(base_url, "sms/delivery", form)

    msg = db.session.get(SandboxMessage, message_id)
    if msg is None:  # pragma: no cover - the sandbox was emptied meanwhile
        return
    msg.callback_attempts += 1
    msg.callback_result = result.summary()[:300]
    if result.status is not None and result.status < 500:
        msg.callback_done_at = utcnow()
    else:
        log.warning("sandbox delivery report %s not taken: %s", message_id, result.summary())
    db.session.commit()


def sweep_delivery_reports() -> int:
    """Re-enqueue every delivery report that is due and not yet taken."""
    ids = db.session.scalars(sa.select(SandboxMessage.id).where(
        SandboxMessage.callback_due_at <= utcnow(),
        SandboxMessage.callback_done_at.is_(None),
        SandboxMessage.callback_attempts < MAX_ATTEMPTS).limit(500)).all()
    return sum(enqueue(post_delivery_report, i, job_id=delivery_report_job_id(i)) for i in ids)
