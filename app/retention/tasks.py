"""Retention run by the reconciler (registered in ``app.retention.init_app``), like the USSD
draft purge: cheap when nothing is due."""

from __future__ import annotations

from app.retention.services import run


def enforce_retention() -> int:
    """Apply the retention rules; the reconciler commits."""
    return sum(run().values())
