"""Abuse limits: counters per phone in Redis, in fixed windows.

Keys hold the phone's blind index (a keyed hash), never a number. Redis is transport, not the
source of truth: when it is unreachable a limit fails open, because a reporter must never be
turned away for our outage. Staff sign-in is not throttled here: its throttle is in the
database (``app.staff.signin``), so it holds when Redis does not.
"""

from __future__ import annotations

import logging

from app.clock import utcnow
from app.worker.queue import connection

log = logging.getLogger(__name__)


def _key(kind: str, subject_hash: str, window_seconds: int) -> tuple[str, int]:
    window = int(utcnow().timestamp()) // window_seconds
    return f"linda:limit:{kind}:{subject_hash[:32]}:{window}", window_seconds * 2


def allow(kind: str, subject_hash: str, limit: int, window_seconds: int) -> bool:
    """Count one more use in this window; False once the count passes ``limit``."""
    key, ttl = _key(kind, subject_hash, window_seconds)
    try:
        pipe = connection().pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        count, _ = pipe.execute()
    except Exception as exc:
        log.warning("limit %s not checked, Redis unavailable (%s): allowed",
                    kind, type(exc).__name__)
        return True
    return int(count) <= limit


def first_notice(kind: str, subject_hash: str, window_seconds: int) -> bool:
    """True once per window: whether to tell the person they hit the limit."""
    key, ttl = _key(f"{kind}:told", subject_hash, window_seconds)
    try:
        return bool(connection().set(key, "1", nx=True, ex=ttl))
    except Exception as exc:
        log.warning("limit notice %s not checked (%s)", kind, type(exc).__name__)
        return True
