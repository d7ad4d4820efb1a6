"""One reporting conversation by SMS: the answers so far, sealed, keyed by a blind index."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed


class SmsReport(Base):
    """A report being made by SMS. ``path`` replays to the question asked last (like a USSD
    draft); ``details`` is the first free text the reporter sent, kept for the case."""

    __tablename__ = "sms_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    language: Mapped[str] = mapped_column(sa.String(2), default="sw")
    path_enc: Mapped[str | None] = mapped_column(sa.Text)
    details_enc: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: "open", "sent" (a case was made), "stopped" (ACHA/STOP), "cancelled", "expired"
    state: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))

    path_json = Sealed("started_at", column="path")
    details = Sealed("started_at")

    @property
    def path(self) -> list[str]:
        raw = self.path_json
        return [] if not raw else [str(x) for x in json.loads(str(raw))]

    @path.setter
    def path(self, value: list[str]) -> None:
        self.path_json = json.dumps(list(value))
