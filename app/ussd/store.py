"""Where USSD session state lives: Redis with a TTL, the database only when it must survive.

A session is short-lived state (a few minutes, a dozen hops), read and rewritten on every hop;
the database keeps only what must outlive it: the confirmed report (``cases``), the language
a phone chose (``ussd_preferences``) and an unfinished report that the caller may resume
(``ussd_drafts``, written when AT says the session ended, see ``sessions.py``). A hop that is
not the confirming one therefore costs Redis round trips and at most one database statement
(the language and draft of a phone on its first hop, when Redis does not know them).

When Redis fails, every read and write falls back to the database rows of before
(``ussd_sessions``, ``ussd_drafts``), and Redis is left alone for ``REDIS_PAUSE`` seconds: a
report still goes through, only slower. Keys hold no phone number: a session is keyed by AT's
opaque session id, a phone by its keyed blind index; paths of answers stay sealed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.extensions import db
from app.ussd.models import UssdDraft, UssdPreference, UssdSession

log = logging.getLogger(__name__)

DRAFT_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(days=1)
#: AT ends a USSD session after ~3 minutes; its end-of-session notice comes soon after.
STATE_TTL = timedelta(hours=1)
#: A phone's language, cached in Redis (the database row is the truth).
LANGUAGE_TTL = timedelta(days=1)
#: After a Redis error, how long hops use the database only.
REDIS_PAUSE = 5.0
NO_LANGUAGE = "-"


@dataclass
class SessionState:
    """One session between hops. ``draft`` is the sealed path pinned on its first screen
    (sealed to ``session_draft_context``), so the same ``(sessionId, text)`` replays alike;
    ``has_draft`` says whether the phone has a draft now (None: not known)."""

    session_id: str
    phone_hash: str
    language: str
    draft: str | None = None
    hops: int = 0
    last_screen: str | None = None
    started_at: float = 0.0
    has_draft: bool | None = None


@dataclass(frozen=True)
class Draft:
    """An unfinished report: its sealed path (sealed to ``draft_context``)."""

    path_enc: str
    session_id: str
    expires_at: float  # epoch seconds


_paused_until = 0.0
_pause_lock = threading.Lock()


def _key(kind: str, ident: str) -> str:
    return f"linda:ussd:{kind}:{ident}"


def _redis() -> Any | None:
    """The Redis connection, or None while it is paused after an error."""
    from app.worker.queue import connection

    return None if time.monotonic() < _paused_until else connection()


def _failed(exc: Exception) -> None:
    global _paused_until
    with _pause_lock:
        _paused_until = time.monotonic() + REDIS_PAUSE
    log.warning("redis unavailable for ussd sessions (%s); using the database for %.0f s",
                type(exc).__name__, REDIS_PAUSE)


def _try(action: Callable[[Any], Any]) -> tuple[bool, Any]:
    conn = _redis()
    if conn is None:
        return False, None
    try:
        return True, action(conn)
    except redis.RedisError as exc:
        _failed(exc)
        return False, None


def load(session_id: str) -> SessionState | None:
    """The state of a session seen before, or None on its first hop."""
    ok, raw = _try(lambda r: r.get(_key("s", session_id)))
    if ok:
        return None if raw is None else SessionState(**json.loads(raw))
    return _load_from_db(session_id)


def open_session(session_id: str, phone_hash: str, now: datetime
                 ) -> tuple[SessionState | None, tuple[str | None, Draft | None] | None]:
    """A session's first hop: its state if AT sent this hop before, else the phone's language
    and draft (as ``first_hop``), asked of Redis in one round trip instead of two or three."""
    ok, raw = _try(lambda r: r.mget(_key("s", session_id), _key("lang", phone_hash),
                                    _key("draft", phone_hash)))
    if not ok:
        state = _load_from_db(session_id)
        return (state, None) if state is not None else (None, first_hop(phone_hash, now))
    if raw[0] is not None:
        return SessionState(**json.loads(raw[0])), None
    if raw[1] is None:
        return None, first_hop(phone_hash, now, known=False)
    return None, _known_phone(raw[1], raw[2], now)


def _load_from_db(session_id: str) -> SessionState | None:
    row = db.session.get(UssdSession, session_id)
    if row is None:
        return None
    return SessionState(row.session_id, row.phone_hash, row.language, row.draft_enc, row.hops,
                        row.last_screen, row.started_at.timestamp(), None)


def first_hop(phone_hash: str, now: datetime, *, known: bool | None = None
              ) -> tuple[str | None, Draft | None]:
    """The language a phone chose (None: never chose) and its live draft, if any.

    Redis answers when it knows the phone; otherwise one database statement reads both, and
    the language is cached for the next session. ``known=False``: Redis was just asked.
    """
    ok = True
    if known is None:
        ok, raw = _try(lambda r: r.mget(_key("lang", phone_hash), _key("draft", phone_hash)))
        if ok and raw[0] is not None:
            return _known_phone(raw[0], raw[1], now)
    pref = sa.select(UssdPreference.language).where(UssdPreference.phone_hash == phone_hash)
    live = sa.select(UssdDraft).where(UssdDraft.phone_hash == phone_hash,
                                      UssdDraft.expires_at > now)
    row = db.session.execute(
        sa.select(pref.scalar_subquery(),
                  live.with_only_columns(UssdDraft.path_enc).scalar_subquery(),
                  live.with_only_columns(UssdDraft.session_id).scalar_subquery(),
                  live.with_only_columns(UssdDraft.expires_at).scalar_subquery())).one()
    language, path_enc, session_id, expires_at = row
    draft = None if path_enc is None else Draft(path_enc, session_id, _epoch(expires_at))
    if ok:
        _try(lambda r: r.set(_key("lang", phone_hash), language or NO_LANGUAGE,
                             ex=LANGUAGE_TTL))
    return language, draft


def _known_phone(lang: Any, draft_raw: Any, now: datetime) -> tuple[str | None, Draft | None]:
    language = lang.decode() if isinstance(lang, bytes) else str(lang)
    draft = Draft(**json.loads(draft_raw)) if draft_raw is not None else None
    if draft is not None and draft.expires_at <= now.timestamp():
        draft = None
    return (None if language == NO_LANGUAGE else language), draft


def _epoch(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def save(state: SessionState, now: datetime, *, keep_draft: str | None = None,
         drop_draft: bool = False, new_language: str | None = None) -> None:
    """Write what this hop changed: the session state, the draft, the chosen language.

    ``keep_draft`` is the sealed path of the unfinished report; ``drop_draft`` forgets it
    (finished, cancelled, started afresh), also in the database, where an ended session may
    have left it. A language choice is written to the database, which outlives Redis. The
    database statements run now, in the hop's transaction; Redis is written by
    ``write_pending`` once that transaction committed, so a hop that fails and is run again
    finds the state it started from.
    """
    draft = None if keep_draft is None else Draft(
        keep_draft, state.session_id, (now + DRAFT_TTL).timestamp())
    if new_language is not None:
        _upsert_language(state.phone_hash, new_language)
    if drop_draft:
        db.session.execute(sa.delete(UssdDraft).where(UssdDraft.phone_hash == state.phone_hash))
    db.session.info[_PENDING] = (state, now, draft, drop_draft, new_language)


_PENDING = "linda_ussd_pending"


def write_pending() -> None:
    """After the hop's commit: write its session state to Redis (or, failing that, to the
    database, and commit again)."""
    pending = db.session.info.pop(_PENDING, None)
    if pending is None:
        return
    state, now, draft, drop_draft, new_language = pending

    def write(r: Any) -> None:
        pipe = r.pipeline(transaction=False)
        pipe.set(_key("s", state.session_id), json.dumps(vars(state)), ex=STATE_TTL)
        if draft is not None:
            pipe.set(_key("draft", state.phone_hash), json.dumps(asdict(draft)), ex=DRAFT_TTL)
        elif drop_draft:
            pipe.delete(_key("draft", state.phone_hash))
        if new_language is not None:
            pipe.set(_key("lang", state.phone_hash), new_language, ex=LANGUAGE_TTL)
        pipe.execute()

    ok, _ = _try(write)
    if not ok:
        _save_in_db(state, now, draft)
        db.session.commit()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _save_in_db(state: SessionState, now: datetime, draft: Draft | None) -> None:
    """Without Redis: the rows of before, so a report still goes through."""
    row = db.session.get(UssdSession, state.session_id)
    if row is None:
        row = UssdSession(session_id=state.session_id, phone_hash=state.phone_hash,
                          started_at=datetime.fromtimestamp(state.started_at, UTC))
        db.session.add(row)
    row.language, row.draft_enc = state.language, state.draft
    row.hops, row.last_screen, row.last_hop_at = state.hops, state.last_screen, now
    if draft is not None:
        persist_draft(state.phone_hash, draft)


def persist_draft(phone_hash: str, draft: Draft) -> None:
    """Write a draft to the database, where it outlives Redis and the session."""
    values = {"phone_hash": phone_hash, "path_enc": draft.path_enc,
              "session_id": draft.session_id,
              "updated_at": datetime.now(UTC),
              "expires_at": datetime.fromtimestamp(draft.expires_at, UTC)}
    _upsert(UssdDraft, values, "phone_hash")


def draft_of_session(state: SessionState) -> Draft | None:
    """The phone's draft in Redis if this session made it (for the end-of-session notice)."""
    ok, raw = _try(lambda r: r.get(_key("draft", state.phone_hash)))
    if not ok or raw is None:
        return None
    draft = Draft(**json.loads(raw))
    return draft if draft.session_id == state.session_id else None


def _upsert_language(phone_hash: str, language: str) -> None:
    _upsert(UssdPreference, {"phone_hash": phone_hash, "language": language,
                             "updated_at": datetime.now(UTC)}, "phone_hash")


def _upsert(model: type[Any], values: dict[str, Any], key: str) -> None:
    """One INSERT … ON CONFLICT DO UPDATE statement (PostgreSQL and SQLite)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model.__table__).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=[key],
                                      set_={k: stmt.excluded[k] for k in values if k != key})
    db.session.execute(stmt)
