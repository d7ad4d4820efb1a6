"""Running one unit of work in one transaction, committed once, and run again while the
database is busy. For every webhook and job that must not fail because another writer held
the database for a moment.

A unit of work passed here must be safe to replay: on a busy database its transaction is
rolled back and the whole unit runs again from the start.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from app.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Tries of a unit whose database was busy, and the pause before the second (grows per try).
#: With 20 USSD callers at once on SQLite, ~2 in 3 confirming hops met "database is locked" and
#: read the hotline numbers instead of their case number (bench/ussd_hop.py); the embedded
#: worker writing at the same time still can.
BUSY_TRIES = 6
BUSY_PAUSE = 0.02
#: PostgreSQL: serialization failure, deadlock detected, lock not available.
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
_SQLITE_WRITER = threading.Lock()


def committed(work: Callable[[], T], *, what: str) -> T:
    """Run ``work`` and commit; on a busy database roll back and run it again, up to
    ``BUSY_TRIES`` times. Any other failure (or the last busy one) rolls back and is raised.

    ``what`` names the unit in logs ("ussd hop"); never put personal data in it.
    """
    for attempt in range(1, BUSY_TRIES + 1):
        try:
            return _once(work)
        except OperationalError as exc:
            if attempt < BUSY_TRIES and is_busy(exc):
                # Another writer holds the database (SQLite allows one writer; PostgreSQL
                # may pick this one as a deadlock victim).
                log.info("%s: database busy, try %d of %d", what, attempt, BUSY_TRIES)
                time.sleep(random.uniform(0.5, 1.5) * BUSY_PAUSE * attempt)
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _once(work: Callable[[], T]) -> T:
    with one_writer():
        try:
            result = work()
            if db.session().in_transaction() or db.session.info.get("linda_pending_jobs"):
                db.session.commit()  # most USSD hops read and write nothing here: no commit
        except Exception:
            db.session.rollback()
            raise
    return result


def one_writer() -> AbstractContextManager[object]:
    """On SQLite, one unit at a time in this process: SQLite has a single writer, and units
    that wait on this lock wait their turn, where units racing for SQLite's lock fail at once
    ("database is locked") and must be retried. PostgreSQL runs them in parallel."""
    return _SQLITE_WRITER if db.engine.dialect.name == "sqlite" else nullcontext()


def is_busy(exc: OperationalError) -> bool:
    """A failure that goes away when the transaction is simply run again."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in BUSY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text
