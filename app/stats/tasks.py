"""Keep the roll-ups current: the reconciler queues a refresh when the sources changed."""

from __future__ import annotations

from app.extensions import db
from app.stats.rollup import needs_refresh, refresh
from app.worker.queue import enqueue
from app.worker.reconcile import sweeper


def refresh_rollups() -> None:
    """Job ``stats-rollup``: rewrite the weeks touched since the last refresh."""
    refresh()
    db.session.commit()


@sweeper("stats-rollup")
def sweep_rollups() -> int:
    if not needs_refresh():
        return 0
    return int(enqueue(refresh_rollups, job_id="stats-rollup", job_timeout=600))
