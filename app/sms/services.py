"""The outbox: every SMS Linda sends starts as a row written with the change that caused it."""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.gsm import to_gsm7
from app.sms.models import OutboundSms
from app.sms.status import SmsStatus


def queue_sms(to: str, body: str, *, purpose: str = "reply", ref_kind: str | None = None,
              ref_id: int | None = None, expires_at: datetime | None = None,
              not_before: datetime | None = None) -> OutboundSms:
    """Add an SMS to the outbox in the caller's transaction; it is sent after commit.

    Args:
        to: E.164 number; it is stored encrypted and never logged.
        body: the text, folded to GSM-7 so it costs one segment per 160 characters.
        purpose: a short label for staff and statistics ("alert", "reply", "confirm"…).
        ref_kind, ref_id: what the message is about (e.g. "alert", 12), for delivery reports.
        expires_at: after this the message is expired instead of sent late.
        not_before: send no earlier than this.
    """
    from app.sms.tasks import schedule_send

    fields: dict[str, object] = {"purpose": purpose, "ref_kind": ref_kind, "ref_id": ref_id,
                                 "expires_at": expires_at, "status": SmsStatus.QUEUED}
    if not_before is not None:
        fields["next_attempt_at"] = not_before
    msg = OutboundSms.compose(to, to_gsm7(body), **fields)
    db.session.add(msg)
    db.session.flush()
    schedule_send(msg)
    return msg
