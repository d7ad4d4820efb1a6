"""One-time codes: neighbouring steps accepted, each step once, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask

from app.staff.models import StaffRole, StaffUser
from app.staff.signin import verify_totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 12, 2, 6, 0, 15, tzinfo=UTC)


@pytest.fixture
def user(app: Flask) -> Any:
    u = StaffUser(email="s@example.org", role=StaffRole.SUPERVISOR, password_hash="x")
    u.totp_secret = SECRET
    return u


def code_at(at: datetime) -> str:
    return pyotp.TOTP(SECRET).at(at)


def test_the_current_code_works_once(user: StaffUser) -> None:
    assert verify_totp(user, code_at(NOW), NOW)
    assert not verify_totp(user, code_at(NOW), NOW)
    assert not verify_totp(user, code_at(NOW), NOW + timedelta(seconds=20))


def test_a_code_from_the_step_before_is_accepted_then_not_the_older_one(
        user: StaffUser) -> None:
    assert verify_totp(user, code_at(NOW - timedelta(seconds=30)), NOW)
    # Once a step is used, no earlier step is accepted any more.
    assert not verify_totp(user, code_at(NOW - timedelta(seconds=60)), NOW)
    assert verify_totp(user, code_at(NOW), NOW)


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused(user: StaffUser, code: str) -> None:
    assert not verify_totp(user, code, NOW)


def test_a_code_two_steps_away_is_refused_and_spaces_are_ignored(user: StaffUser) -> None:
    assert not verify_totp(user, code_at(NOW + timedelta(seconds=90)), NOW)
    spaced = code_at(NOW)[:3] + " " + code_at(NOW)[3:]
    assert verify_totp(user, spaced, NOW)
