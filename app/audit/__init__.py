"""The audit log page for admins, and the guard that keeps the log append-only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app.audit.views import bp
from app.staff.models import AuditEntry

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from app.audit.services import APPEND_ONLY_DDL, guard

    guard()
    if not getattr(init_app, "ddl_listening", False):
        # Schemas built from the models (tests, benchmarks) get the trigger as well.
        sa.event.listen(AuditEntry.__table__, "after_create",
                        sa.DDL(APPEND_ONLY_DDL).execute_if(dialect="postgresql"))
        init_app.ddl_listening = True  # type: ignore[attr-defined]
