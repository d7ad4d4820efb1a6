"""Coordination messages to responders, each person's copy, and the replies they sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed


class Broadcast(Base):
    """One message written by staff in Swahili and English for chosen places and roles.

    The texts are staff-typed free text: meant as announcements (a training, a by-law), but
    nothing stops a name or a number being typed, so they are sealed like every typed text.
    The audience is stored as ids so the figures shown before sending can be checked afterwards.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_sw_enc: Mapped[str | None] = mapped_column(sa.Text)  # None: emptied by retention
    text_en_enc: Mapped[str | None] = mapped_column(sa.Text)
    roles: Mapped[list[Any]] = mapped_column(sa.JSON)
    region_ids: Mapped[list[Any]] = mapped_column(sa.JSON)
    council_ids: Mapped[list[Any]] = mapped_column(sa.JSON)
    ward_ids: Mapped[list[Any]] = mapped_column(sa.JSON)
    actor: Mapped[str] = mapped_column(sa.String(80))
    recipients: Mapped[int]
    segments: Mapped[int]  # billed SMS in all
    skipped_off_duty: Mapped[int] = mapped_column(default=0)
    skipped_unconfirmed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    text_sw = Sealed("created_at", new_anchor=utcnow)
    text_en = Sealed("created_at", new_anchor=utcnow)


class BroadcastRecipient(Base):
    """One responder's copy: their language, its cost and its outbox row (delivery)."""

    __tablename__ = "broadcast_recipients"
    __table_args__ = (sa.UniqueConstraint("broadcast_id", "responder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(sa.ForeignKey("broadcasts.id"), index=True)
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("responders.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    segments: Mapped[int]
    sms_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BroadcastReply(Base):
    """A responder's answer to a coordination message ("I will attend"). The words stay
    sealed in ``inbound_sms``; this row ties them to the message."""

    __tablename__ = "broadcast_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(sa.ForeignKey("broadcasts.id"), index=True)
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("responders.id"))
    inbound_sms_id: Mapped[int] = mapped_column(sa.ForeignKey("inbound_sms.id"), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
