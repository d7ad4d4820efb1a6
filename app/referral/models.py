"""Responders, the waves a case is sent out in, and one alert per case and responder."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed
from app.referral.roles import ResponderRole
from app.referral.status import AlertStatus


class Responder(Base):
    """A person who can act on a case. The number is sealed; ``phone_hash`` finds them."""

    __tablename__ = "responders"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)  # the seal's row anchor
    name: Mapped[str] = mapped_column(sa.String(120))
    phone_enc: Mapped[str] = mapped_column(sa.Text)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    role: Mapped[ResponderRole] = mapped_column(index=True)
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    council_id: Mapped[str | None] = mapped_column(sa.ForeignKey("councils.id"), index=True)
    ward_id: Mapped[str | None] = mapped_column(sa.ForeignKey("wards.id"), index=True)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    languages: Mapped[str] = mapped_column(sa.String(8), default="sw")  # "sw", "en", "sw;en"
    language: Mapped[str] = mapped_column(sa.String(2), default="sw")  # the one we write in
    on_duty: Mapped[bool] = mapped_column(default=True)
    confirmed_at: Mapped[datetime | None]  # set by the ANZA/START reply from this number
    confirm_sms_id: Mapped[int | None]  # the one confirmation request sent
    last_verified_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Bound to this row's random uid: a number moved to another row (with or without its
    # blind index) fails to open instead of sending one responder's alerts to another.
    phone = Sealed("uid", hash_to="phone_hash", new_anchor=lambda: uuid.uuid4().hex)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def can_receive_alerts(self) -> bool:
        return self.on_duty and self.confirmed


class ReferralWave(Base):
    """One round of alerts for a case; its deadline is this row, not a timer."""

    __tablename__ = "referral_waves"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "number"),
        # The sweep's question, "which open waves are due?", among millions of closed ones.
        sa.Index("ix_referral_waves_open_deadline", "deadline_at",
                 postgresql_where=sa.text("closed_at IS NULL"),
                 sqlite_where=sa.text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    number: Mapped[int]  # 1, 2, 3… in the order the case's waves went out
    step: Mapped[int]  # 1-based position in the case's rule (a reopened case starts again)
    roles: Mapped[list[Any]] = mapped_column(sa.JSON)
    size: Mapped[int]  # responders wanted at once
    reach: Mapped[str] = mapped_column(sa.String(16))
    #: Both are asked together ("open and past its deadline"): one partial index above, not
    #: one per column, which the planner preferred and then filtered every open wave.
    deadline_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """A case sent to one responder. At most one per case and responder, ever."""

    __tablename__ = "alerts"
    __table_args__ = (sa.UniqueConstraint("case_id", "responder_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("responders.id"), index=True)
    wave_id: Mapped[int] = mapped_column(sa.ForeignKey("referral_waves.id"), index=True)
    status: Mapped[AlertStatus] = mapped_column(default=AlertStatus.PENDING, index=True)
    sms_id: Mapped[int | None] = mapped_column(index=True)  # the sweep: alerts of failed SMS
    deadline_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]  # the lead's follow-up reminder
    reason_enc: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)

    # A decline reason is typed by a responder (names, numbers were seen there): sealed.
    reason = Sealed("created_at", new_anchor=utcnow)
