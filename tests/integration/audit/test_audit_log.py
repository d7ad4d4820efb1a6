"""The audit log: filters staff use to answer "who looked at this case", and no way to edit it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import Flask
from sqlalchemy.exc import DBAPIError

from app.audit.services import (
    AuditFilter,
    AuditFilterError,
    AuditLogIsAppendOnlyError,
    entries,
    parse_filter,
)
from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import audit


def seed() -> None:
    with time_machine.travel(datetime(2026, 11, 1, 8, tzinfo=UTC), tick=False):
        audit("staff:1", "cases.show", "case", "1234567")
        audit("staff:2", "cases.show", "case", "7654321")
    with time_machine.travel(datetime(2026, 11, 3, 8, tzinfo=UTC), tick=False):
        audit("staff:1", "cases.export", "case", None, rows=10)
        audit("cli", "responders.import", "responder", None)
    db.session.commit()


def test_filters_narrow_by_actor_action_prefix_target_and_dates(app: Flask) -> None:
    seed()
    assert [e.action for e in entries(AuditFilter())] == [
        "responders.import", "cases.export", "cases.show", "cases.show"]  # newest first
    assert {e.target_id for e in entries(AuditFilter(actor="staff:1"))} == {"1234567", None}
    assert len(entries(AuditFilter(action="cases."))) == 3
    assert len(entries(AuditFilter(action="cases_"))) == 0  # _ is not a wildcard
    assert [e.actor for e in entries(AuditFilter(target_id="7654321"))] == ["staff:2"]
    assert len(entries(AuditFilter(since=date(2026, 11, 2)))) == 2
    assert len(entries(AuditFilter(until=date(2026, 11, 1)))) == 2


def test_pages_continue_after_the_last_entry_shown(app: Flask) -> None:
    seed()
    first = entries(AuditFilter(), limit=3)
    rest = entries(AuditFilter(), before_id=first[-1].id, limit=3)
    assert len(first) == 3 and len(rest) == 1
    assert rest[0].id < first[-1].id


def test_a_bad_date_is_refused_with_the_reason(app: Flask) -> None:
    with pytest.raises(AuditFilterError, match="not a date"):
        parse_filter({"since": "yesterday"})
    with pytest.raises(AuditFilterError, match="before"):
        parse_filter({"since": "2026-11-03", "until": "2026-11-01"})


def test_no_code_path_can_change_or_delete_an_entry(app: Flask) -> None:
    seed()
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    entry.action = "nothing.happened"
    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()

    entry = db.session.scalars(sa.select(AuditEntry)).first()
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.flush()
    db.session.rollback()

    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.execute(sa.update(AuditEntry).values(actor="nobody"))
    with pytest.raises(AuditLogIsAppendOnlyError):
        db.session.execute(sa.delete(AuditEntry))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 4
    assert {e.actor for e in db.session.scalars(sa.select(AuditEntry))} == {"staff:1",
                                                                           "staff:2", "cli"}


def test_postgresql_refuses_changes_from_any_client(app: Flask) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    seed()
    for statement in ("UPDATE audit_log SET actor = 'nobody'", "DELETE FROM audit_log"):
        with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
            conn.execute(sa.text(statement))
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 4
