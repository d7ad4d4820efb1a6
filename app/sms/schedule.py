"""Queueing the SMS jobs by name.

Services schedule jobs here, by dotted path, so they never import ``app.sms.tasks``: the jobs
call the services, never the reverse, and the sweeper computes the same job ids.
"""

from __future__ import annotations

from app.clock import utcnow
from app.sms.models import InboundSms, OutboundSms
from app.worker.queue import enqueue_after_commit

SEND_SMS = "app.sms.tasks.send_sms"
PROCESS_INBOUND = "app.sms.tasks.process_inbound"


def send_job_id(message_id: int, attempts: int) -> str:
    """The job id of the next try: ``sms-7`` first, then ``sms-7-1``, ``sms-7-2``…

    Every try has its own id, so a retry is never mistaken for the job that just failed, and
    the sweeper computes the same id as the scheduler and cannot queue a try twice.
    """
    return f"sms-{message_id}" if attempts == 0 else f"sms-{message_id}-{attempts}"


def inbound_job_id(inbound_id: int) -> str:
    return f"inbound-{inbound_id}"


def schedule_send(msg: OutboundSms) -> None:
    """Queue the next try of ``msg`` after commit, at its ``next_attempt_at`` if later."""
    due = msg.next_attempt_at
    at = due if due is not None and due > utcnow() else None
    enqueue_after_commit(SEND_SMS, msg.id, job_id=send_job_id(msg.id, msg.attempts),
                         queue="sms", at=at)


def schedule_inbound(msg: InboundSms) -> None:
    """Queue the processing of an inbound SMS after commit."""
    enqueue_after_commit(PROCESS_INBOUND, msg.id, job_id=inbound_job_id(msg.id))
