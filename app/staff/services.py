"""Staff accounts and the audit log."""

from __future__ import annotations

import getpass
import re
import secrets
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher

from app.clock import utcnow
from app.extensions import db
from app.staff.models import AuditEntry, StaffRole, StaffUser

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class StaffInputError(ValueError):
    """A staff account request is malformed or conflicts with an existing account."""


def audit(actor: str, action: str, target_kind: str | None = None,
          target_id: object | None = None, **detail: Any) -> AuditEntry:
    """Append to the audit log in the caller's transaction."""
    entry = AuditEntry(at=utcnow(), actor=actor, action=action, target_kind=target_kind,
                       target_id=None if target_id is None else str(target_id), detail=detail)
    db.session.add(entry)
    return entry


def cli_actor() -> str:
    """``cli:<os user>``: who ran a command, as the operating system knows them."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "unknown"
    return f"cli:{user}"[:80]


def create_staff(email: str, role: str, *, actor: str = "cli") -> tuple[StaffUser, str]:
    """Create a dashboard user; returns it with a one-time password to hand over.

    Raises:
        StaffInputError: bad email, unknown role, or the email is taken.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise StaffInputError(f"{email!r} is not an email address")
    try:
        staff_role = StaffRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in StaffRole)
        raise StaffInputError(f"unknown role {role!r}: use one of {roles}") from None
    if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)):
        raise StaffInputError(f"{email} already has an account")
    password = secrets.token_urlsafe(12)
    user = StaffUser(email=email, role=staff_role, password_hash=_hasher.hash(password),
                     must_change_password=True)
    db.session.add(user)
    db.session.flush()
    audit(actor, "staff.create", "staff_user", user.id, role=staff_role.value)
    return user, password
