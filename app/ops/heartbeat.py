"""The reconciler's heartbeat: a worker that stopped reconciling is visible from the web."""

from __future__ import annotations

import time

from app.worker.queue import connection

KEY = "linda:reconciler:heartbeat"


def beat() -> None:
    """Record that a reconciler finished a round now (any worker's round counts)."""
    connection().set(KEY, f"{time.time():.3f}", ex=86400)


def heartbeat_age() -> float | None:
    """Seconds since the last round of any reconciler, or None if none was ever seen."""
    raw = connection().get(KEY)
    if raw is None:
        return None
    return max(time.time() - float(raw), 0.0)
