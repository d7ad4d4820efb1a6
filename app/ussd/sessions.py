"""What happens around hops: AT's end-of-session notices, and forgetting unfinished reports."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.clock import utcnow
from app.extensions import db
from app.ussd import store
from app.ussd.models import UssdDraft, UssdSession, UssdSessionEvent
from app.ussd.store import DRAFT_TTL, SESSION_TTL

log = logging.getLogger(__name__)


def record_session_event(form: Mapping[str, str]) -> UssdSessionEvent | None:
    """Store AT's end-of-session notification once per session; odd values are kept as None."""
    session_id = (form.get("sessionId") or "").strip()[:128]
    if not session_id:
        log.warning("ussd session event without sessionId ignored")
        return None
    existing = db.session.scalar(
        sa.select(UssdSessionEvent).where(UssdSessionEvent.session_id == session_id))
    if existing is not None:
        return existing
    hops = [h for h in (form.get("hopsMetadata") or "").split("|") if h.strip()]
    last_screen = hops[-1].strip()[:40] if hops else None
    state = store.load(session_id)
    if last_screen is None:
        last_screen = state.last_screen if state else None
    if state is not None and (form.get("status") or "").strip() != "Success":
        # The caller hung up (or was cut off) mid-report: now the draft must outlive Redis.
        draft = store.draft_of_session(state)
        if draft is not None:
            store.persist_draft(state.phone_hash, draft)
    event = UssdSessionEvent(
        session_id=session_id,
        status=(form.get("status") or "unknown").strip()[:20],
        last_screen=last_screen,
        hops_count=_int(form.get("hopsCount")),
        duration_ms=_int(form.get("durationInMillis")),
        error_message=(form.get("errorMessage") or None) and form["errorMessage"][:200],
        service_code=(form.get("serviceCode") or None) and form["serviceCode"][:32],
        network_code=(form.get("networkCode") or None) and form["networkCode"][:16],
        received_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(event)
    except IntegrityError:
        return None  # the same notification arrived twice at once
    return event


def abandoned_by_screen(since: datetime | None = None) -> list[tuple[str, int]]:
    """How many sessions AT reported as abandoned (``Incomplete``) at each screen, most first.

    For staff statistics: where callers give up is where the menu needs work.
    """
    screen = sa.func.coalesce(UssdSessionEvent.last_screen, "unknown")
    count = sa.func.count(UssdSessionEvent.id)
    query = (sa.select(screen, count).where(UssdSessionEvent.status == "Incomplete")
             .group_by(screen).order_by(count.desc(), screen))
    if since is not None:
        query = query.where(UssdSessionEvent.received_at >= since)
    return [(str(name), int(n)) for name, n in db.session.execute(query)]


def _int(raw: str | None) -> int | None:
    try:
        return int(str(raw).strip()) if raw not in (None, "") else None
    except ValueError:
        return None


def purge_expired(now: datetime | None = None) -> int:
    """Forget unfinished reports: drafts past their 15 minutes, the drafts pinned to sessions
    older than that, and session rows older than a day (AT never retries that late).

    Returns the number of drafts and sessions deleted.
    """
    now = now or utcnow()
    removed = db.session.execute(
        sa.delete(UssdDraft).where(UssdDraft.expires_at <= now)).rowcount or 0
    db.session.execute(
        sa.update(UssdSession)
        .where(UssdSession.draft_enc.is_not(None), UssdSession.last_hop_at <= now - DRAFT_TTL)
        .values(draft_enc=None))
    removed += db.session.execute(
        sa.delete(UssdSession).where(UssdSession.last_hop_at <= now - SESSION_TTL)).rowcount or 0
    return removed
