"""Queueing the referral jobs by name, with the ids the sweepers use too.

Services and receivers schedule jobs here, by dotted path, so they never import
``app.referral.tasks``: the jobs call the services, never the reverse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.worker.queue import enqueue_after_commit

DISPATCH_CASE = "app.referral.tasks.dispatch_case"
CHECK_WAVE = "app.referral.tasks.check_wave"
REMIND_LEAD = "app.referral.tasks.remind_lead"
REOFFER_FOR_RESPONDER = "app.referral.tasks.rescue_for_responder"


def dispatch_job_id(case_id: int) -> str:
    return f"dispatch-{case_id}"


def wave_check_job_id(wave_id: int) -> str:
    return f"wave-check-{wave_id}"


def remind_job_id(alert_id: int) -> str:
    return f"remind-{alert_id}"


def retry_job_id(case_id: int) -> str:
    return f"rescue-case-{case_id}"


def _whole_second_after(moment: datetime) -> datetime:
    """RQ keeps whole seconds: round up so a job never wakes before it is due."""
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def schedule_dispatch(case_id: int) -> None:
    """Send the first wave of a new, released or reopened case after commit."""
    enqueue_after_commit(DISPATCH_CASE, case_id, job_id=dispatch_job_id(case_id))


def schedule_wave_deadline(wave_id: int, deadline_at: datetime) -> None:
    """Look at a wave again when its deadline passes."""
    enqueue_after_commit(CHECK_WAVE, wave_id, job_id=f"wave-deadline-{wave_id}",
                         at=_whole_second_after(deadline_at))


def request_check(wave_id: int) -> None:
    """Look at a wave again right after commit (a slot failed or was declined)."""
    enqueue_after_commit(CHECK_WAVE, wave_id, job_id=wave_check_job_id(wave_id))


def schedule_reminder(alert_id: int, due: datetime) -> None:
    """Remind the lead of an accepted case once ``due`` has passed."""
    enqueue_after_commit(REMIND_LEAD, alert_id, job_id=remind_job_id(alert_id),
                         at=_whole_second_after(due))


def schedule_reoffer(responder_id: int, since: datetime) -> None:
    """Re-offer unhandled cases to a responder who became able to receive alerts at ``since``."""
    enqueue_after_commit(REOFFER_FOR_RESPONDER, responder_id, since.isoformat(),
                         job_id=f"rescue-responder-{responder_id}-{int(since.timestamp())}")
