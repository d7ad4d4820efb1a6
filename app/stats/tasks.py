"""Keep the roll-ups current: the reconciler queues a refresh when the sources changed."""

from __future__ import annotations

from app.extensions import db
from app.stats.rollup import needs_refresh, refresh
from app.worker.queue import enqueue

REFRESH_JOB = "app.stats.tasks.refresh_rollups"


def refresh_rollups() -> None:
    """Job ``stats-rollup``: rewrite the weeks touched since the last refresh."""
    refresh()
    db.session.commit()


def sweep_rollups() -> int:
    """Sweeper ``stats-rollup``: one refresh job when a case, alert or USSD notice changed."""
    if not needs_refresh():
        return 0
    return int(enqueue(REFRESH_JOB, job_id="stats-rollup", job_timeout=600))
