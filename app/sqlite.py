"""SQLite on a laptop, made to keep the promises PostgreSQL keeps in production.

Python's sqlite3 driver opens a transaction only before its first write, and never before a
SAVEPOINT. A nested block (``begin_nested``) that came first in a transaction therefore ran
outside any transaction, and releasing it committed its rows at once: a USSD hop that failed
afterwards could not roll them back. Here a real ``BEGIN`` is issued before the first
SAVEPOINT of a transaction. Everything else keeps the driver's lazy begin, which lets readers
and the one writer coexist without "database is locked" deadlocks between a read transaction
upgrading to write and another writer. Foreign keys are enforced, as PostgreSQL does, writers
wait for each other up to the busy timeout, and WAL lets pages be read while the worker writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

BUSY_TIMEOUT_MS = 15_000


@event.listens_for(Engine, "connect")
def _configure(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "savepoint")
def _begin_before_savepoint(conn: Connection, name: str) -> None:
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        raw.execute("BEGIN")
