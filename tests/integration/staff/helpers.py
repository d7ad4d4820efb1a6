"""Signing staff in through the real forms, as a browser would."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utcnow
from app.extensions import db
from app.staff.services import create_staff, find_staff

NEW_PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: FlaskClient, path: str = "/staff/signin") -> str:
    page = client.get(path, follow_redirects=True)  # a viewer's /staff/ is a redirect
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, str], *, page: str | None = None,
         **kwargs: object):  # type: ignore[no-untyped-def]
    token = csrf(client, page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def make_staff(email: str, role: str, regions: tuple[str, ...] = ()) -> str:
    """Create an account; returns its one-time password."""
    _, password = create_staff(email, role, regions)
    db.session.commit()
    return password


def totp_code(email: str, step_offset: int = 0) -> str:
    user = find_staff(email)
    assert user is not None and user.totp_secret
    now_step = int(utcnow().timestamp()) // 30
    return pyotp.TOTP(str(user.totp_secret)).generate_otp(now_step + step_offset)


def sign_in(app: Flask, client: FlaskClient, email: str, role: str,
            regions: tuple[str, ...] = ()) -> None:
    """Create the account and walk the whole first sign-in: password change, TOTP enrolment."""
    one_time = make_staff(email, role, regions)
    res = post(client, "/staff/signin", {"email": email, "password": one_time})
    assert res.status_code == 302 and res.location.endswith("/staff/password"), res.location
    res = post(client, "/staff/password", {"new_password": NEW_PASSWORD,
                                           "repeat_password": NEW_PASSWORD})
    assert res.status_code == 302
    if role in ("admin", "supervisor"):
        assert res.location.endswith("/staff/totp/enrol")
        token = csrf(client, "/staff/totp/enrol")
        db.session.expire_all()
        res = client.post("/staff/totp/enrol", data={"csrf_token": token,
                                                     "code": totp_code(email)})
        assert res.status_code == 302, res.get_data(as_text=True)
    assert res.location.endswith("/staff/"), res.location
    db.session.expire_all()


__all__ = ["NEW_PASSWORD", "csrf", "make_staff", "post", "sign_in", "timedelta", "totp_code"]
