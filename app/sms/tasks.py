"""SMS jobs. (The sending job and its sweeper are built in the foundation issue.)"""

from __future__ import annotations

from app.sms.models import OutboundSms
from app.worker.queue import enqueue_after_commit


def schedule_send(msg: OutboundSms) -> None:
    """Queue the send job for ``msg`` after commit, under a deterministic id."""
    enqueue_after_commit(send_sms, msg.id, job_id=f"sms-{msg.id}", queue="sms")


def send_sms(message_id: int) -> None:
    """Placeholder until the gateway lands: leaves the row queued for the real job."""
