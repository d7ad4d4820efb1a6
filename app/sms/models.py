"""Outbound SMS (the outbox) and inbound SMS, both with numbers and text sealed at rest."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed
from app.sms.status import SmsStatus


class OutboundSms(Base):
    """One message to one phone. The row is the job: a worker only ever moves it forward."""

    __tablename__ = "outbound_sms"
    #: The referral sweep looks for messages that failed lately, never at every failure ever.
    __table_args__ = (sa.Index("ix_outbound_sms_status_updated_at", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_enc: Mapped[str] = mapped_column(sa.Text)
    to_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    body_enc: Mapped[str] = mapped_column(sa.Text)
    purpose: Mapped[str] = mapped_column(sa.String(32), default="reply")
    ref_kind: Mapped[str | None] = mapped_column(sa.String(32))  # e.g. "alert"
    ref_id: Mapped[int | None]
    status: Mapped[SmsStatus] = mapped_column(default=SmsStatus.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    provider_status: Mapped[str | None] = mapped_column(sa.String(40))
    failure_reason: Mapped[str | None] = mapped_column(sa.String(200))
    #: A try whose outcome was lost after it may have reached AT (a read timeout, a worker
    #: killed mid-send): the phone may get this message twice. Never reset.
    possible_duplicate: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # The id is not known before flush, so the seal binds the creation instant instead.
    to = Sealed("created_at", hash_to="to_hash")
    body = Sealed("created_at")

    @classmethod
    def compose(cls, to: str, body: str, **fields: object) -> OutboundSms:
        msg = cls(created_at=utcnow(), **fields)
        msg.to, msg.body = to, body
        return msg


class InboundSms(Base):
    """One SMS received, stored once per provider id whatever AT retries."""

    __tablename__ = "inbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    from_enc: Mapped[str] = mapped_column(sa.Text)
    from_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    to: Mapped[str | None] = mapped_column(sa.String(32))  # our shortcode, not personal
    text_enc: Mapped[str] = mapped_column(sa.Text)
    link_id: Mapped[str | None] = mapped_column(sa.String(100))
    provider_date: Mapped[str | None] = mapped_column(sa.String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
    outcome: Mapped[str | None] = mapped_column(sa.String(60))

    sender = Sealed("provider_id", column="from", hash_to="from_hash")
    text = Sealed("provider_id")

    @classmethod
    def compose(cls, provider_id: str, sender: str, text: str, **fields: object) -> InboundSms:
        msg = cls(provider_id=provider_id, received_at=utcnow(), **fields)
        msg.sender, msg.text = sender, text
        return msg


class DeliveryReport(Base):
    """One delivery report as AT sent it, kept once per (message id, status).

    Reports are stored before they are applied, so one that arrives before the send job has
    committed the provider id (AT can be that fast) is applied when the job commits, instead
    of being lost. ``applied_at`` stays empty for ids we never sent (other apps on the account).
    """

    __tablename__ = "sms_delivery_reports"
    __table_args__ = (sa.UniqueConstraint("provider_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(sa.String(100), index=True)
    status: Mapped[str] = mapped_column(sa.String(40))  # AT's word, e.g. "Success"
    failure_reason: Mapped[str | None] = mapped_column(sa.String(200))
    network_code: Mapped[str | None] = mapped_column(sa.String(10))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_at: Mapped[datetime | None]
