"""Retention run by the reconciler, like the USSD draft purge: cheap when nothing is due."""

from __future__ import annotations

from app.retention.services import run
from app.worker.reconcile import sweeper


@sweeper("retention")
def enforce_retention() -> int:
    """Apply the retention rules; the reconciler commits."""
    return sum(run().values())
