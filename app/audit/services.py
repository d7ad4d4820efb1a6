"""Reading the audit log, and keeping it append-only.

The log answers "who viewed, changed or exported what, and when". No code path updates or
deletes a row: the ORM refuses to flush a change to one (``guard``), and on PostgreSQL a
trigger refuses UPDATE and DELETE from any client (``APPEND_ONLY_DDL``, also in the migration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.staff.models import AuditEntry

PAGE_SIZE: Final = 50

APPEND_ONLY_DDL: Final = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
"""


class AuditLogIsAppendOnlyError(RuntimeError):
    """Code tried to change or remove an audit entry."""


class AuditFilterError(ValueError):
    """A filter of the audit page is malformed."""


def guard() -> None:
    """Refuse, in this process, every ORM update or delete of an audit entry."""
    if getattr(guard, "installed", False):
        return

    @event.listens_for(Session, "before_flush")
    def _no_changes(session: Session, *_: Any) -> None:
        for obj in (*session.dirty, *session.deleted):
            if isinstance(obj, AuditEntry) and (obj in session.deleted
                                                or session.is_modified(obj)):
                raise AuditLogIsAppendOnlyError("audit entries are never changed or deleted")

    @event.listens_for(Session, "do_orm_execute")
    def _no_bulk_changes(state: Any) -> None:
        if (state.is_update or state.is_delete) and any(
                m.class_ is AuditEntry for m in state.all_mappers):
            raise AuditLogIsAppendOnlyError("audit entries are never changed or deleted")

    guard.installed = True  # type: ignore[attr-defined]


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None  # a prefix: "cases." matches cases.list, cases.show…
    target_kind: str | None = None
    target_id: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


def parse_filter(args: dict[str, str]) -> AuditFilter:
    """Read the filter form.

    Raises:
        AuditFilterError: a date is malformed, or ``until`` comes before ``since``.
    """
    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value[:80] or None

    def day(name: str) -> date | None:
        raw = text(name)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise AuditFilterError(f"{name} {raw!r} is not a date (YYYY-MM-DD)") from None

    f = AuditFilter(text("actor"), text("action"), text("target_kind"), text("target_id"),
                    day("since"), day("until"))
    if f.since and f.until and f.until < f.since:
        raise AuditFilterError("until comes before since")
    return f


def entries(f: AuditFilter, *, before_id: int | None = None,
            limit: int = PAGE_SIZE) -> list[AuditEntry]:
    """Newest first, ``limit`` at a time; pass the last id shown as ``before_id`` for more."""
    query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if f.actor:
        query = query.where(AuditEntry.actor == f.actor)
    if f.action:
        query = query.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.target_kind:
        query = query.where(AuditEntry.target_kind == f.target_kind)
    if f.target_id:
        query = query.where(AuditEntry.target_id == f.target_id)
    if f.since:
        query = query.where(AuditEntry.at >= datetime.combine(f.since, time(), tzinfo=UTC))
    if f.until:
        end = datetime.combine(f.until, time(), tzinfo=UTC) + timedelta(days=1)
        query = query.where(AuditEntry.at < end)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(db.session.scalars(query))
