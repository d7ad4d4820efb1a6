"""Signing in: one-time password, new password, TOTP enrolment and codes, lockout, sessions."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utcnow
from app.extensions import db
from app.staff.models import AuditEntry, StaffSession
from app.staff.services import find_staff
from tests.integration.staff.helpers import NEW_PASSWORD, csrf, make_staff, post, sign_in, totp_code


def _audit_actions() -> list[str]:
    return [a.action for a in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_without_a_session_the_dashboard_redirects_to_sign_in(client: FlaskClient) -> None:
    res = client.get("/staff/")
    assert res.status_code == 302
    assert "/staff/signin" in res.location


def test_a_supervisor_changes_the_password_enrols_totp_and_reaches_the_desk(
        app: Flask, client: FlaskClient) -> None:
    one_time = make_staff("sup@example.org", "supervisor")
    res = post(client, "/staff/signin", {"email": "sup@example.org", "password": one_time})
    assert res.location.endswith("/staff/password")
    # Mid-way through sign-in, no page opens.
    assert client.get("/staff/").location.endswith("/staff/password")
    res = post(client, "/staff/password", {"new_password": "short", "repeat_password": "short"})
    assert res.status_code == 400 and "12" in res.get_data(as_text=True)
    res = post(client, "/staff/password", {"new_password": NEW_PASSWORD,
                                           "repeat_password": NEW_PASSWORD})
    assert res.location.endswith("/staff/totp/enrol")
    page = client.get("/staff/totp/enrol").get_data(as_text=True)
    db.session.expire_all()
    secret = find_staff("sup@example.org").totp_secret
    assert "<svg" in page and secret in page
    res = post(client, "/staff/totp/enrol", {"code": "000000"})
    assert res.status_code == 400
    res = post(client, "/staff/totp/enrol", {"code": totp_code("sup@example.org")})
    assert res.location.endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    assert "staff.signin" in _audit_actions()


def test_a_used_totp_code_is_refused_the_second_time(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "sup@example.org", "supervisor")
    used = totp_code("sup@example.org")  # the code enrolment just consumed
    post(client, "/staff/signout", {}, page="/staff/")
    res = post(client, "/staff/signin", {"email": "sup@example.org", "password": NEW_PASSWORD})
    assert res.location.endswith("/staff/totp")
    res = post(client, "/staff/totp", {"code": used})
    assert res.status_code == 401
    assert client.get("/staff/").location.endswith("/staff/totp")
    with time_machine.travel(utcnow() + timedelta(seconds=31)):
        db.session.expire_all()
        res = post(client, "/staff/totp", {"code": totp_code("sup@example.org")})
        assert res.location.endswith("/staff/")


def test_a_form_without_its_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    one_time = make_staff("agent@example.org", "agent", ("Dar es Salaam",))
    res = client.post("/staff/signin", data={"email": "agent@example.org",
                                             "password": one_time})
    assert res.status_code == 400
    assert db.session.query(StaffSession).count() == 0


def test_repeated_failures_lock_the_account_with_back_off(app: Flask, client: FlaskClient) -> None:
    one_time = make_staff("agent@example.org", "agent", ("Dar es Salaam",))
    for _ in range(5):
        res = post(client, "/staff/signin", {"email": "agent@example.org", "password": "nope"})
        assert res.status_code == 401
    # Locked now: even the right password waits.
    res = post(client, "/staff/signin", {"email": "agent@example.org", "password": one_time})
    assert res.status_code == 401
    assert "dakika" in res.get_data(as_text=True)
    with time_machine.travel(utcnow() + timedelta(seconds=31)):
        res = post(client, "/staff/signin", {"email": "agent@example.org", "password": one_time})
        assert res.status_code == 302


def test_sign_in_gives_a_new_session_id(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    rows = db.session.query(StaffSession).all()
    assert len(rows) == 1 and rows[0].stage == "ok"
    before = rows[0].token_hash
    post(client, "/staff/signout", {}, page="/staff/")
    sign_in_again = post(client, "/staff/signin", {"email": "agent@example.org",
                                                   "password": NEW_PASSWORD})
    assert sign_in_again.status_code == 302
    db.session.expire_all()
    live = db.session.query(StaffSession).filter(StaffSession.revoked_at.is_(None)).all()
    assert len(live) == 1 and live[0].token_hash != before


def test_sign_out_everywhere_ends_other_browsers_sessions(app: Flask,
                                                          client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    other = app.test_client()
    res = post(other, "/staff/signin", {"email": "agent@example.org", "password": NEW_PASSWORD})
    assert other.get("/staff/").status_code == 200
    post(client, "/staff/signout/everywhere", {}, page="/staff/")
    assert other.get("/staff/").status_code == 302
    assert client.get("/staff/").status_code == 302
    assert res.status_code == 302


def test_idle_and_absolute_timeouts_end_a_session(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        assert client.get("/staff/").status_code == 302
    sign_in_res = post(client, "/staff/signin", {"email": "agent@example.org",
                                                 "password": NEW_PASSWORD})
    assert sign_in_res.status_code == 302
    start = utcnow()
    for minutes in range(20, 13 * 60, 20):  # active all day, never idle
        with time_machine.travel(start + timedelta(minutes=minutes)):
            if client.get("/staff/").status_code != 200:
                break
    assert minutes <= 12 * 60 + 20


def test_a_disabled_account_is_signed_out_at_once(app: Flask, client: FlaskClient) -> None:
    from app.staff.services import disable_staff

    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    disable_staff("agent@example.org")
    db.session.commit()
    assert client.get("/staff/").status_code == 302


def test_the_language_choice_is_remembered(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    assert 'lang="sw"' in client.get("/staff/").get_data(as_text=True)
    post(client, "/staff/language", {"lang": "en", "next": "/staff/"}, page="/staff/")
    db.session.expire_all()
    assert find_staff("agent@example.org").language == "en"
    other = app.test_client()
    post(other, "/staff/signin", {"email": "agent@example.org", "password": NEW_PASSWORD})
    page = other.get("/staff/").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign out" in page


__all__ = ["csrf"]


def test_many_failures_from_one_address_lock_that_address(app: Flask,
                                                          client: FlaskClient) -> None:
    one_time = make_staff("agent@example.org", "agent", ("Dar es Salaam",))
    for n in range(20):  # guessing across many accounts, never five on one
        res = post(client, "/staff/signin", {"email": f"guess{n}@example.org",
                                             "password": "nope"})
        assert res.status_code == 401
    res = post(client, "/staff/signin", {"email": "agent@example.org", "password": one_time})
    assert res.status_code == 401 and "dakika" in res.get_data(as_text=True)
    other_address = post(client, "/staff/signin", {"email": "agent@example.org",
                                                   "password": one_time},
                         environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_address.status_code == 302
