"""USSD housekeeping run by the reconciler."""

from __future__ import annotations

from app.ussd.sessions import purge_expired
from app.worker.reconcile import sweeper


@sweeper("ussd-drafts")
def purge_ussd_drafts() -> int:
    """Delete unfinished-report drafts older than 15 minutes; safe to run any time."""
    return purge_expired()


@sweeper("ussd-spool")
def replay_spooled_reports() -> int:
    """Write reports confirmed while the database was down (kept under instance/spool/)."""
    from app.ussd.outage import replay_spool

    return replay_spool()
