"""The reconciler: re-enqueue whatever the database says is due.

Each feature registers its sweepers in its ``init_app``; a sweeper selects its due rows and
enqueues their jobs under the same deterministic ids the services use. Losing Redis, a worker
or a job therefore delays work by at most one interval and never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, current_app

from app.extensions import db

log = logging.getLogger(__name__)

Sweeper = Callable[[], int]


def register_sweeper(app: Flask, name: str, func: Sweeper) -> None:
    """Run ``func`` (it enqueues due work and returns how many jobs it queued) every round."""
    app.extensions.setdefault("linda_sweepers", {})[name] = func


def sweepers() -> dict[str, Sweeper]:
    """The sweepers of the current app, in registration (feature) order."""
    return dict(current_app.extensions.get("linda_sweepers", {}))


def reconcile() -> dict[str, int]:
    """Run every sweeper once; a failing sweeper is logged and the others still run.

    First, scheduled jobs long overdue are queued: a sweeper finding a job id still in RQ's
    scheduled registry takes it for "already waiting", and without a scheduler it never runs.
    """
    from app.worker.queue import release_overdue_scheduled

    counts: dict[str, int] = {"overdue-scheduled": release_overdue_scheduled()}
    for name, func in sweepers().items():
        try:
            counts[name] = func()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("sweeper %s failed", name)
            counts[name] = -1
    return counts
