"""Sign-in mechanics: server-side sessions, throttles with back-off, and one-time codes.

The cookie carries only a random token; the row it hashes to says who is signed in, how far
the sign-in got and whether it was revoked, so "sign out everywhere" and a disabled account
take effect on the very next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app

from app.clock import utcnow
from app.extensions import db
from app.privacy import vault
from app.staff.models import SignInThrottle, StaffSession, StaffUser

#: Failures allowed before back-off starts, per account and per address.
FREE_FAILURES = {"staff": 5, "addr": 20}
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
#: Failures older than this are forgotten.
FAILURE_MEMORY = timedelta(hours=1)
#: last_seen_at is written at most this often, so browsing is not a stream of UPDATEs.
TOUCH_EVERY = timedelta(seconds=60)
TOTP_STEP_SECONDS = 30


# -- sessions ----------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: StaffUser, stage: str) -> tuple[StaffSession, str]:
    """A new session (a new id: never one the browser brought) at ``stage``."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = StaffSession(token_hash=_token_hash(token), staff_id=user.id, stage=stage,
                       created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    return row, token


def advance_session(row: StaffSession, stage: str) -> str:
    """Move a session to its next stage under a new token; the old token stops working."""
    token = secrets.token_urlsafe(32)
    row.token_hash = _token_hash(token)
    row.stage = stage
    row.last_seen_at = utcnow()
    return token


def load_session(token: str | None) -> StaffSession | None:
    """The live session for ``token``; expired sessions are revoked on the way."""
    if not token:
        return None
    row = db.session.scalar(sa.select(StaffSession).where(
        StaffSession.token_hash == _token_hash(token), StaffSession.revoked_at.is_(None)))
    if row is None:
        return None
    now = utcnow()
    idle = timedelta(seconds=current_app.config["STAFF_IDLE_TIMEOUT_SECONDS"])
    absolute = timedelta(seconds=current_app.config["STAFF_SESSION_MAX_SECONDS"])
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.revoked_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return row


def end_session(row: StaffSession) -> None:
    row.revoked_at = utcnow()


# -- throttles ---------------------------------------------------------------------------------

def throttle_keys(user: StaffUser | None, address: str | None) -> list[str]:
    """Keys for an attempt: the account (when the email exists) and the address, hashed."""
    keys = [f"addr:{vault().blind_index(address or 'unknown', kind='address')[:60]}"]
    if user is not None:
        keys.append(f"staff:{user.id}")
    return keys


def locked_for(keys: list[str]) -> int:
    """Seconds until every key may try again; 0 when none is locked."""
    now = utcnow()
    rows = db.session.scalars(sa.select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    waits = [(r.locked_until - now).total_seconds() for r in rows
             if r.locked_until is not None and r.locked_until > now]
    return int(max(waits, default=0)) + (1 if waits else 0)


def record_failure(keys: list[str]) -> None:
    """Count a failure on each key; past the free allowance, lock it for a doubling time."""
    now = utcnow()
    for key in keys:
        row = db.session.get(SignInThrottle, key)
        if row is None:
            row = SignInThrottle(key=key, failures=0)
            db.session.add(row)
        if row.last_failure_at is not None and now - row.last_failure_at > FAILURE_MEMORY:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        over = row.failures - FREE_FAILURES[key.split(":", 1)[0]]
        if over >= 0:
            wait = min(BACKOFF_BASE_SECONDS * 2 ** min(over, 16), BACKOFF_MAX_SECONDS)
            row.locked_until = now + timedelta(seconds=wait)


def clear_failures(user: StaffUser) -> None:
    db.session.execute(sa.delete(SignInThrottle).where(SignInThrottle.key == f"staff:{user.id}"))


# -- one-time codes ----------------------------------------------------------------------------

def ensure_totp_secret(user: StaffUser) -> str:
    """The secret being enrolled; kept across page reloads until a code confirms it."""
    secret = user.totp_secret
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = secret
    return str(secret)


def totp_enrolled(user: StaffUser) -> bool:
    return user.totp_secret_enc is not None and user.totp_last_step is not None


def provisioning_uri(user: StaffUser) -> str:
    return pyotp.TOTP(ensure_totp_secret(user)).provisioning_uri(
        name=user.email, issuer_name="Linda")


def verify_totp(user: StaffUser, code: str, at: datetime | None = None) -> bool:
    """Accept a code of this or a neighbouring 30 s step, once: a used step is refused."""
    code = "".join(code.split())
    secret = user.totp_secret
    if secret is None or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(str(secret))
    now_step = int((at or utcnow()).timestamp()) // TOTP_STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False
