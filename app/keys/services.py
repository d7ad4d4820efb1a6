"""Re-seal sealed values under the current data key version, a batch at a time.

Each batch is one transaction, so a crash or a kill leaves every row either wholly old or
wholly new, and both open while the old key is still listed in ``LINDA_DATA_KEY``. Running
again picks up the rows still sealed under an older version: the database is the progress
record. On PostgreSQL, rows locked by the running service are skipped and found next round.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import Base, db
from app.privacy import DecryptionError, Sealed, key_version, vault

#: Unfinished USSD reports: sealed to the menu version too, so one made before an upgrade that
#: renumbered the menu no longer opens; rotation forgets it, as the menu itself would.
UNFINISHED = frozenset({"ussd_sessions", "ussd_drafts"})
#: Sealed values that are not ``Sealed`` descriptors: their property re-seals on assignment.
PROPERTY_FACES = {"ussd_drafts": {"path_enc": "path"}, "ussd_sessions": {"draft_enc": "draft"}}


@dataclass(frozen=True)
class SealedTable:
    model: type
    faces: dict[str, str]  # "<column>_enc" -> attribute that reads and writes it


def sealed_tables() -> list[SealedTable]:
    found = []
    for mapper in Base.registry.mappers:
        model = mapper.class_
        faces = {f"{v.column}_enc": name for klass in reversed(model.__mro__)
                 for name, v in vars(klass).items() if isinstance(v, Sealed)}
        faces.update(PROPERTY_FACES.get(model.__tablename__, {}))
        if faces:
            found.append(SealedTable(model, faces))
    return sorted(found, key=lambda t: t.model.__tablename__)


def _stale(table: SealedTable, current: int) -> sa.ColumnElement[bool]:
    prefix = f"v{current}:"
    columns = [getattr(table.model, c) for c in table.faces]
    return sa.or_(*(sa.and_(c.is_not(None), ~c.startswith(prefix, autoescape=True))
                    for c in columns))


def remaining() -> dict[str, int]:
    """Rows per table with a value sealed under an older key version."""
    current = vault().current
    counts = {}
    for table in sealed_tables():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(table.model)
                              .where(_stale(table, current))) or 0
        if n:
            counts[table.model.__tablename__] = n
    return counts


def rotate_batch(table: SealedTable, size: int) -> int:
    """Re-seal up to ``size`` stale rows of ``table`` and commit; returns how many."""
    current = vault().current
    query = sa.select(table.model).where(_stale(table, current)).limit(size)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(db.session.scalars(query))
    for row in rows:
        for column, face in table.faces.items():
            token = getattr(row, column)
            if token is not None and key_version(token) != current:
                try:
                    setattr(row, face, getattr(row, face))  # opens with the old key, seals anew
                except DecryptionError:
                    if table.model.__tablename__ not in UNFINISHED:
                        raise
                    if table.model.__tablename__ == "ussd_drafts":
                        db.session.delete(row)  # an unfinished report of an older menu
                    else:
                        setattr(row, column, None)
    db.session.commit()
    return len(rows)


def rotate(size: int) -> Iterator[tuple[str, int]]:
    """Yield ``(table, rows re-sealed)`` per batch until no stale row is left."""
    for table in sealed_tables():
        while (done := rotate_batch(table, size)):
            yield table.model.__tablename__, done
