"""Queueing the sandbox's delivery-report job by name, so its services never import its jobs."""

from __future__ import annotations

from app.clock import utcnow
from app.sandbox.models import SandboxMessage
from app.worker.queue import enqueue_after_commit

POST_DELIVERY_REPORT = "app.sandbox.tasks.post_delivery_report"


def delivery_report_job_id(message_id: int) -> str:
    return f"sandbox-dlr-{message_id}"


def schedule_delivery_report(msg: SandboxMessage) -> None:
    """Queue the delivery report of ``msg`` after commit, at its due time."""
    due = msg.callback_due_at
    at_time = due if due is not None and due > utcnow() else None
    enqueue_after_commit(POST_DELIVERY_REPORT, msg.id, job_id=delivery_report_job_id(msg.id),
                         queue="default", at=at_time)
