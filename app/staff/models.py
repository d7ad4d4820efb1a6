"""Hotline staff accounts, their sessions and sign-in throttles, and the audit trail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import Base
from app.privacy import Sealed


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    VIEWER = "viewer"


#: Roles that must sign in with a time-based one-time code as well as a password.
TOTP_ROLES = frozenset({StaffRole.ADMIN, StaffRole.SUPERVISOR})

staff_regions = sa.Table(
    "staff_regions",
    Base.metadata,
    sa.Column("staff_id", sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id"), primary_key=True),
)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[StaffRole]
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(sa.String(2), default="sw", server_default="sw")
    # The TOTP secret is sealed to the account's email; the last accepted time step stops a
    # code from being used twice.
    totp_secret_enc: Mapped[str | None] = mapped_column(sa.Text)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    #: Regions an agent may see; empty for other roles. Read only when used (an agent's
    #: scope, the accounts list), not with every signed-in request.
    regions: Mapped[list[Any]] = relationship("Region", secondary=staff_regions, lazy="select")

    totp_secret = Sealed("email")

    @property
    def region_ids(self) -> set[str]:
        return {r.id for r in self.regions}

    @property
    def needs_totp(self) -> bool:
        return self.role in TOTP_ROLES


class StaffSession(Base):
    """A server-side sign-in. The cookie holds a random token; only its hash is stored here.

    ``stage`` walks ``password`` → ``totp_enrol``/``totp`` → ``ok``; only ``ok`` opens pages.
    Revoking sets ``revoked_at``; nothing ever trusts a session without reading this row.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins per account (``staff:3``) or per address (``addr:<blind index>``)."""

    __tablename__ = "staff_signin_throttles"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]


class StaffNote(Base):
    """Text a staff member typed about a case: a note, or the reason for revealing a number.

    Sealed like every free text; the timeline and the audit log only point at its id.
    """

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(32), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))  # "note" or "reveal"
    at: Mapped[datetime] = mapped_column(default=utcnow)
    text_enc: Mapped[str | None] = mapped_column(sa.Text)  # None: destroyed by retention

    text = Sealed("uid")


class AuditEntry(Base):
    """Who did what to which record, when. Never holds a phone number or free text.

    Append-only: the code has no path that updates or deletes a row.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(sa.String(80))  # "staff:3", "cli", "system"
    action: Mapped[str] = mapped_column(sa.String(60))
    target_kind: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[str | None] = mapped_column(sa.String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
