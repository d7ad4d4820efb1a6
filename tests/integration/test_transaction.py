"""One unit of work, committed once, run again while the database is busy (app.transaction)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import OperationalError

from app import transaction
from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import audit


def _count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) or 0)


def _locked() -> OperationalError:
    return OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transaction, "BUSY_PAUSE", 0.001)


def test_a_unit_that_met_a_busy_database_is_replayed_and_committed_once(app: Flask) -> None:
    tries: list[int] = []

    def work() -> str:
        tries.append(1)
        audit("test", "unit")
        db.session.flush()
        if len(tries) < 3:
            raise _locked()
        return "done"

    assert transaction.committed(work, what="test unit") == "done"
    assert len(tries) == 3
    db.session.rollback()
    assert _count() == 1  # the two failed tries were rolled back


def test_any_other_failure_rolls_back_and_is_raised_at_once(app: Flask) -> None:
    tries: list[int] = []

    def work() -> None:
        tries.append(1)
        audit("test", "unit")
        db.session.flush()
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        transaction.committed(work, what="test unit")
    assert len(tries) == 1
    assert _count() == 0


def test_postgres_deadlocks_and_serialization_failures_count_as_busy() -> None:
    class DeadlockError(Exception):
        sqlstate = "40P01"

    class SyntaxFailureError(Exception):
        sqlstate = "42601"

    assert transaction.is_busy(OperationalError("…", {}, DeadlockError("deadlock detected")))
    assert not transaction.is_busy(OperationalError("…", {}, SyntaxFailureError("syntax error")))
    assert not transaction.is_busy(OperationalError("…", {}, sqlite3.OperationalError(
        "no such table: cases")))
