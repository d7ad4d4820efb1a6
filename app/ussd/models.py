"""USSD state kept in the database: what must outlive a session, and sessions without Redis.

Hops keep a session's state in Redis (``app.ussd.store``); these rows hold what must survive
it (a language choice, a resumable draft) and, when Redis fails, the sessions themselves.

No row holds a phone number in clear: phones appear only as the blind index ``phone_hash``,
and a path of answers (which may hold a typed landmark) is sealed with ``app.privacy``.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import vault
from app.ussd.menu import MENU_VERSION


def seal_path(path: tuple[str, ...] | list[str], context: str) -> str:
    """A path of answers sealed for ``context`` (it may hold a typed landmark)."""
    return vault().encrypt(json.dumps(list(path)), context)


def open_path(token: str, context: str) -> list[str]:
    return [str(x) for x in json.loads(vault().decrypt(token, context))]


_seal, _open = seal_path, open_path


def draft_context(phone_hash: str) -> str:
    """What a phone's draft is sealed to: its row, and the menu version its inputs walk."""
    return f"ussd_drafts.path.m{MENU_VERSION}:{phone_hash}"


def session_draft_context(session_id: str) -> str:
    """What a session's pinned draft is sealed to (see ``draft_context``)."""
    return f"ussd_sessions.draft.m{MENU_VERSION}:{session_id}"


class UssdPreference(Base):
    """The language a phone chose, remembered across sessions."""

    __tablename__ = "ussd_preferences"

    phone_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UssdDraft(Base):
    """An unfinished report of one phone: the inputs that lead back to where it stopped."""

    __tablename__ = "ussd_drafts"

    phone_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    path_enc: Mapped[str] = mapped_column(sa.Text)
    session_id: Mapped[str] = mapped_column(sa.String(128))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

    @property
    def path(self) -> list[str]:
        return _open(self.path_enc, draft_context(self.phone_hash))

    @path.setter
    def path(self, value: tuple[str, ...] | list[str]) -> None:
        self.path_enc = _seal(value, draft_context(self.phone_hash))


class UssdSession(Base):
    """One dialled session. ``draft_enc`` pins the draft offered on its first screen, so that
    the same ``(sessionId, text)`` always replays to the same screen."""

    __tablename__ = "ussd_sessions"

    session_id: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    draft_enc: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_hop_at: Mapped[datetime] = mapped_column(default=utcnow)
    hops: Mapped[int] = mapped_column(default=0)
    last_screen: Mapped[str | None] = mapped_column(sa.String(40))

    @property
    def draft(self) -> list[str] | None:
        if self.draft_enc is None:
            return None
        return _open(self.draft_enc, session_draft_context(self.session_id))

    @draft.setter
    def draft(self, value: list[str] | None) -> None:
        self.draft_enc = None if value is None else _seal(
            value, session_draft_context(self.session_id))


class UssdSessionEvent(Base):
    """AT's end-of-session notification, kept so staff can count abandoned reports and where
    they stopped. The phone number AT sends is never stored."""

    __tablename__ = "ussd_session_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(128), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), index=True)  # Success, Incomplete, Failed
    last_screen: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    hops_count: Mapped[int | None]
    duration_ms: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(sa.String(200))
    service_code: Mapped[str | None] = mapped_column(sa.String(32))
    network_code: Mapped[str | None] = mapped_column(sa.String(16))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
