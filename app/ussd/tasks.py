"""USSD housekeeping run by the reconciler (registered in ``app.ussd.init_app``)."""

from __future__ import annotations

from app.ussd.sessions import purge_expired


def purge_ussd_drafts() -> int:
    """Delete unfinished-report drafts older than 15 minutes; safe to run any time."""
    return purge_expired()


def replay_spooled_reports() -> int:
    """Write reports confirmed while the database was down (kept under instance/spool/)."""
    from app.ussd.outage import replay_spool

    return replay_spool()
