"""Warnings at the start of ``linda serve`` and ``linda worker`` in production.

Each names a setting of another system that would quietly break a guarantee: Redis dropping
queued jobs (they come back from the database, but late), or two clocks disagreeing about
when a deadline, a retry or an expiry is due.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask

log = logging.getLogger(__name__)

#: More than this between PostgreSQL's clock and ours is worth a warning.
MAX_CLOCK_SKEW_SECONDS = 5.0


def redis_warnings(persistence: Mapping[str, Any], memory: Mapping[str, Any]) -> list[str]:
    """From ``INFO persistence`` and ``INFO memory``: what could lose queued jobs."""
    found = []
    if str(persistence.get("aof_enabled", "0")) != "1":
        found.append("Redis keeps no append-only file (appendonly no): a Redis restart loses "
                     "queued jobs until the reconciler finds them again; set appendonly yes")
    policy = str(memory.get("maxmemory_policy", "noeviction"))
    if policy != "noeviction" and int(memory.get("maxmemory", 0) or 0) > 0:
        found.append(f"Redis may evict keys under memory pressure (maxmemory-policy {policy}):"
                     " it could drop queued jobs; set maxmemory-policy noeviction")
    return found


def clock_warning(database_now: datetime, app_now: datetime) -> str | None:
    """A warning when the two clocks differ by more than ``MAX_CLOCK_SKEW_SECONDS``."""
    skew = (database_now - app_now).total_seconds()
    if abs(skew) <= MAX_CLOCK_SKEW_SECONDS:
        return None
    side = "ahead of" if skew > 0 else "behind"
    return (f"PostgreSQL's clock is {abs(skew):.0f} s {side} this host's: deadlines, retries "
            "and expiry compare both; run NTP on both hosts")


def database_clock_skew_warning(engine: sa.Engine) -> str | None:
    if engine.dialect.name != "postgresql":
        return None  # SQLite is a file on this host: one clock
    with engine.connect() as conn:
        before = time.time()
        database_now = conn.execute(sa.text("SELECT clock_timestamp()")).scalar_one()
        after = time.time()
    return clock_warning(database_now, datetime.fromtimestamp((before + after) / 2, UTC))


def production_warnings(app: Flask) -> list[str]:
    """Every warning that applies to ``app``'s Redis and database; none outside production.

    A check that cannot run (Redis refuses INFO, the database is down) is a warning too,
    never an error: these are advice, the start goes on.
    """
    if app.config["LINDA_ENV"] != "production":
        return []
    from app.extensions import db

    found: list[str] = []
    try:
        conn = app.extensions["linda_jobs"].connection
        found += redis_warnings(conn.info("persistence"), conn.info("memory"))
    except Exception as exc:
        found.append(f"could not check Redis persistence and eviction: {type(exc).__name__}")
    try:
        with app.app_context():
            warning = database_clock_skew_warning(db.engine)
        if warning:
            found.append(warning)
    except Exception as exc:
        found.append(f"could not compare PostgreSQL's clock with ours: {type(exc).__name__}")
    return found


def warn_at_start(app: Flask) -> None:
    for warning in production_warnings(app):
        log.warning("production check: %s", warning)
