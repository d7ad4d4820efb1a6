"""Virtual phones and the SMS they exchange with Linda, numbers and text sealed at rest."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed
from app.sandbox.at import PhoneMode


class SandboxPhone(Base):
    """A virtual phone: every number the sandbox sent to, and numbers added on the page."""

    __tablename__ = "sandbox_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)
    number_enc: Mapped[str] = mapped_column(sa.Text)
    number_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    mode: Mapped[PhoneMode] = mapped_column(default=PhoneMode.NORMAL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    number = Sealed("uid", hash_to="number_hash")

    @classmethod
    def compose(cls, number: str) -> SandboxPhone:
        now = utcnow()
        phone = cls(uid=uuid.uuid4().hex, created_at=now, last_activity_at=now)
        phone.number = number
        return phone


class Direction(enum.StrEnum):
    TO_PHONE = "to_phone"  # Linda sent it through the messaging API
    FROM_PHONE = "from_phone"  # typed on the page, posted to Linda's inbound webhook


class SandboxMessage(Base):
    """One SMS to or from a virtual phone, and the callback the sandbox made to Linda about it.

    For a message to a phone, the callback is its delivery report (due at ``callback_due_at``
    when AT accepted it); for a reply, it is the inbound-SMS post.
    """

    __tablename__ = "sandbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    phone_enc: Mapped[str] = mapped_column(sa.Text)
    text_enc: Mapped[str] = mapped_column(sa.Text)
    direction: Mapped[Direction]
    sender: Mapped[str | None] = mapped_column(sa.String(40))  # sender id or shortcode
    status_code: Mapped[int | None]  # AT's per-recipient code; 429 for a throttled attempt
    status: Mapped[str] = mapped_column(sa.String(40))
    parts: Mapped[int] = mapped_column(default=1)
    delivery: Mapped[str | None] = mapped_column(sa.String(20))  # Success / Failed
    failure_reason: Mapped[str | None] = mapped_column(sa.String(60))
    callback_base_url: Mapped[str | None] = mapped_column(sa.String(300))
    callback_due_at: Mapped[datetime | None] = mapped_column(index=True)
    callback_done_at: Mapped[datetime | None]
    callback_attempts: Mapped[int] = mapped_column(default=0)
    callback_result: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @property
    def provider_id(self) -> str:
        """AT's ``messageId`` (and the ``id`` of the delivery report or inbound post)."""
        return f"ATXid_{self.uid}"

    phone = Sealed("uid", hash_to="phone_hash")
    text = Sealed("uid")

    @classmethod
    def compose(cls, phone: str, text: str, **fields: object) -> SandboxMessage:
        msg = cls(uid=uuid.uuid4().hex, created_at=utcnow(), **fields)
        msg.phone, msg.text = phone, text
        return msg
