"""Africa's Talking USSD callbacks: one hop, and the end-of-session notification."""

from __future__ import annotations

import logging
import random
import threading
import time
from contextlib import AbstractContextManager, nullcontext

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.ussd.services import (
    Hop,
    HopError,
    Reply,
    handle_hop,
    unavailable_reply,
)
from app.ussd.sessions import record_session_event
from app.web.security import verify_webhook_token

log = logging.getLogger(__name__)

bp = Blueprint("ussd", __name__)

#: Tries of a hop whose database was busy, and the pause before the second (grows per try).
#: With 20 callers at once on SQLite, ~2 in 3 confirming hops met "database is locked" and
#: read the hotline numbers instead of their case number (bench/ussd_hop.py); the embedded
#: worker writing at the same time still can.
BUSY_TRIES = 6
BUSY_PAUSE = 0.02
#: PostgreSQL: serialization failure, deadlock detected, lock not available.
BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
_SQLITE_HOPS = threading.Lock()


@bp.post("/at/<token>/ussd")
def ussd_hop(token: str) -> Response:
    """One hop of a session: ``CON …`` or ``END …`` as text/plain, never a 500."""
    verify_webhook_token(token)
    try:
        hop = Hop.from_form(request.form, current_app.config["USSD_SERVICE_CODE"])
    except HopError as exc:
        log.info("ussd hop refused: %s", exc)
        return _answer(unavailable_reply())
    for attempt in range(1, BUSY_TRIES + 1):
        try:
            reply = _run(hop)
        except OperationalError as exc:
            if attempt < BUSY_TRIES and is_busy(exc):
                # Another request holds the database (SQLite allows one writer; PostgreSQL
                # may pick this one as a deadlock victim). A hop is safe to replay.
                log.info("ussd hop: database busy, try %d of %d", attempt, BUSY_TRIES)
                time.sleep(random.uniform(0.5, 1.5) * BUSY_PAUSE * attempt)
                continue
            log.exception("ussd hop failed (screen replaced by the hotline numbers)")
            return _answer(_without_database(hop))
        except Exception:
            # A caller in danger must still read the hotline numbers rather than see an error
            # (or, confirming a report, the number it will have: see _without_database).
            log.exception("ussd hop failed (screen replaced by the hotline numbers)")
            return _answer(_without_database(hop))
        _replay_spooled()
        return _answer(reply)
    raise AssertionError("unreachable")  # pragma: no cover


def _without_database(hop: Hop) -> Reply:
    """A confirmation during a database outage still gets its case number (kept on disk and
    written when the database is back); any other hop gets the hotline numbers."""
    from app.ussd.outage import answer_without_database

    try:
        return answer_without_database(hop) or unavailable_reply()
    except Exception:
        log.exception("ussd hop without database failed (screen replaced by the hotline numbers)")
        return unavailable_reply()


def _replay_spooled() -> None:
    """The database answers again: write reports spooled during an outage (rarely any)."""
    from app.ussd.outage import pending, replay_spool

    try:
        if pending():
            replay_spool()
    except Exception:
        db.session.rollback()
        log.exception("spooled reports could not be replayed yet")


def _run(hop: Hop) -> Reply:
    """Answer and commit one hop, or roll it back and raise."""
    with _one_writer():
        try:
            reply = handle_hop(hop)
            db.session.commit()  # the case exists before the caller reads its number
        except Exception:
            db.session.rollback()
            raise
    return reply


def _one_writer() -> AbstractContextManager[object]:
    """On SQLite, one hop at a time in this process: SQLite has a single writer, and hops that
    wait on this lock wait their turn, where hops racing for SQLite's lock fail at once
    ("database is locked") and must be retried. PostgreSQL runs hops in parallel."""
    return _SQLITE_HOPS if db.engine.dialect.name == "sqlite" else nullcontext()


def is_busy(exc: OperationalError) -> bool:
    """A failure that goes away when the transaction is simply run again."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in BUSY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text


@bp.post("/at/<token>/ussd/events")
def ussd_event(token: str) -> Response:
    """AT's end-of-session notification: stored once; always 200 for a valid token."""
    verify_webhook_token(token)
    try:
        record_session_event(request.form)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("ussd session event could not be stored")
    return Response("", status=200, mimetype="text/plain")


def _answer(reply: Reply) -> Response:
    response = Response(reply.text, status=200, mimetype="text/plain")
    response.headers["at-ussd-hop-metadata"] = reply.screen_id
    return response
