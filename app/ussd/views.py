"""Africa's Talking USSD callbacks: one hop, and the end-of-session notification."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request

from app.extensions import db
from app.transaction import committed
from app.ussd import store
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


@bp.post("/at/<token>/ussd")
def ussd_hop(token: str) -> Response:
    """One hop of a session: ``CON …`` or ``END …`` as text/plain, never a 500.

    A hop is safe to replay, so a busy database runs it again; the case exists (committed)
    before the caller reads its number.
    """
    verify_webhook_token(token, check_fields=False)  # a caller always gets a screen instead
    try:
        hop = Hop.from_form(request.form, current_app.config["USSD_SERVICE_CODE"])
    except HopError as exc:
        log.info("ussd hop refused: %s", exc)
        return _answer(unavailable_reply())
    try:
        reply = committed(lambda: handle_hop(hop), what="ussd hop")
    except Exception:
        # A caller in danger must still read the hotline numbers rather than see an error
        # (or, confirming a report, the number it will have: see _without_database).
        log.exception("ussd hop failed (screen replaced by the hotline numbers)")
        return _answer(_without_database(hop))
    _keep_session()
    _replay_spooled()
    return _answer(reply)


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
    from app.ussd.outage import anything_spooled, replay_spool

    try:
        if anything_spooled():
            replay_spool()
    except Exception:
        db.session.rollback()
        log.exception("spooled reports could not be replayed yet")


def _keep_session() -> None:
    """The session's state, once its hop is committed. A failure here costs the caller at
    most a replayed screen, never the answer already committed (e.g. their case number)."""
    try:
        store.write_pending()
    except Exception:
        db.session.rollback()
        log.exception("ussd session state could not be kept")


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
