"""Staff accounts and the audit log. Services flush; the caller commits."""

from __future__ import annotations

import getpass
import re
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.extensions import db
from app.gazetteer.services import UnknownPlaceError, require_region
from app.staff.models import AuditEntry, StaffRole, StaffSession, StaffUser

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current parameters
#: A new password must be at least this long; length beats composition rules.
MIN_PASSWORD_LENGTH = 12


class StaffInputError(ValueError):
    """A staff account request is malformed or conflicts with an existing account.

    The message is for the terminal; ``code`` names the problem for a page to say in the
    reader's language.
    """

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code or message


def audit(actor: str, action: str, target_kind: str | None = None,
          target_id: object | None = None, **detail: Any) -> AuditEntry:
    """Append to the audit log in the caller's transaction. Never pass personal data."""
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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: StaffUser, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(
        sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))


def require_staff(email: str) -> StaffUser:
    """Raises: StaffInputError: no account has that email."""
    user = find_staff(email)
    if user is None:
        raise StaffInputError(f"no staff account for {email.strip().lower()}: "
                              f"create it with `linda staff create`", "unknown")
    return user


def create_staff(email: str, role: str, regions: Sequence[str] = (), *,
                 actor: str = "cli") -> tuple[StaffUser, str]:
    """Create a dashboard user; returns it with a one-time password to hand over.

    Raises:
        StaffInputError: bad email, unknown role or region, an agent without a region, a
            region for another role, or the email is taken.
    """
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise StaffInputError(f"{email!r} is not an email address", "email")
    try:
        staff_role = StaffRole(role.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in StaffRole)
        raise StaffInputError(f"unknown role {role!r}: use one of {roles}", "role") from None
    if staff_role is StaffRole.AGENT and not regions:
        raise StaffInputError("an agent needs at least one --region (the cases they may see)",
                              "agent_region")
    if regions and staff_role is not StaffRole.AGENT:
        raise StaffInputError(f"--region only scopes an agent; a {staff_role} sees all regions",
                              "region_role")
    places = []
    for name in regions:
        try:
            places.append(require_region(name))
        except UnknownPlaceError as exc:
            raise StaffInputError(str(exc), "region") from None
    if find_staff(email) is not None:
        raise StaffInputError(f"{email} already has an account", "taken")
    password = _one_time_password()
    user = StaffUser(email=email, role=staff_role, password_hash=hash_password(password),
                     must_change_password=True, regions=places)
    db.session.add(user)
    db.session.flush()
    audit(actor, "staff.create", "staff_user", user.id, role=staff_role.value,
          regions=sorted(r.id for r in places))
    return user, password


def disable_staff(email: str, *, actor: str = "cli") -> StaffUser:
    """Stop an account and end every session it has.

    Raises:
        StaffInputError: no such account.
    """
    user = require_staff(email)
    user.active = False
    revoke_sessions(user)
    audit(actor, "staff.disable", "staff_user", user.id)
    return user


def reset_staff(email: str, *, actor: str = "cli") -> tuple[StaffUser, str]:
    """A new one-time password (changed at next sign-in); sessions and the TOTP enrolment end.

    A reset is what a staff member who lost their phone asks for, so the authenticator is
    enrolled again too.

    Raises:
        StaffInputError: no such account.
    """
    user = require_staff(email)
    password = _one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.active = True
    user.totp_secret = None
    user.totp_last_step = None
    revoke_sessions(user)
    audit(actor, "staff.reset", "staff_user", user.id)
    return user, password


def change_password(user: StaffUser, new: str, *, actor: str) -> None:
    """Raises: StaffInputError: the password is too short or is the one-time password."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise StaffInputError("too_short")
    if password_matches(user, new):
        raise StaffInputError("same")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    audit(actor, "staff.password_change", "staff_user", user.id)


def sign_out_everywhere(user: StaffUser, *, actor: str) -> int:
    """End every session of ``user`` (asked by themselves or by an admin); audited."""
    ended = revoke_sessions(user)
    audit(actor, "staff.signout_everywhere", "staff_user", user.id, sessions=ended)
    return ended


def list_staff() -> list[StaffUser]:
    """Every account, enabled ones first, then by email (regions come with them)."""
    return list(db.session.scalars(
        sa.select(StaffUser).options(selectinload(StaffUser.regions))
        .order_by(StaffUser.active.desc(), StaffUser.email)))


def revoke_sessions(user: StaffUser, *, keep: StaffSession | None = None) -> int:
    """End every live session of ``user`` (but ``keep``); returns how many ended."""
    query = sa.update(StaffSession).where(
        StaffSession.staff_id == user.id, StaffSession.revoked_at.is_(None))
    if keep is not None:
        query = query.where(StaffSession.id != keep.id)
    result = db.session.execute(query.values(revoked_at=utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _one_time_password() -> str:
    return secrets.token_urlsafe(12)
