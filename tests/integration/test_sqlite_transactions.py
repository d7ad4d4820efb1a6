"""A nested block must roll back with its transaction on the embedded database too."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import audit


def test_rows_of_a_released_savepoint_roll_back_with_the_transaction(app: Flask) -> None:
    with db.session.begin_nested():  # the first statement of the transaction
        audit("test", "inside-savepoint")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0


def test_foreign_keys_are_enforced(app: Flask) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.cases.models import CaseEventRecord

    db.session.add(CaseEventRecord(case_id=999_999, kind="orphan", detail={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
