"""``linda staff create|disable|reset``: accounts operators make from a terminal."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.staff.models import AuditEntry, StaffRole
from app.staff.services import find_staff
from tests.integration.staff.helpers import NEW_PASSWORD, post, sign_in


def staff(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["staff", *args])


def one_time_password(output: str) -> str:
    match = re.search(r"one-time password: (\S+)", output)
    assert match, output
    return match.group(1)


def test_create_prints_a_one_time_password_that_signs_in(app: Flask, client: FlaskClient) -> None:
    res = staff(app, "create", "Amina@Example.org", "--role", "agent", "--region",
                "Dar es Salaam", "--region", "Pwani")
    assert res.exit_code == 0, res.output
    password = one_time_password(res.output)
    user = find_staff("amina@example.org")
    assert user.role is StaffRole.AGENT
    assert {r.name for r in user.regions} == {"Dar es Salaam", "Pwani"}
    signed = post(client, "/staff/signin", {"email": "amina@example.org", "password": password})
    assert signed.location.endswith("/staff/password")


def test_create_refuses_bad_input_with_one_line(app: Flask) -> None:
    for args, words in [
        (["nobody", "--role", "agent", "--region", "Pwani"], "not an email"),
        (["x@example.org", "--role", "boss"], "unknown role"),
        (["x@example.org", "--role", "agent"], "needs at least one --region"),
        (["x@example.org", "--role", "agent", "--region", "Atlantis"], "Atlantis"),
        (["x@example.org", "--role", "viewer", "--region", "Pwani"], "only scopes an agent"),
    ]:
        res = staff(app, "create", *args)
        assert res.exit_code != 0 and words in res.output, (args, res.output)
    assert staff(app, "create", "v@example.org", "--role", "viewer").exit_code == 0
    again = staff(app, "create", "V@example.org", "--role", "viewer")
    assert again.exit_code != 0 and "already has an account" in again.output


def test_disable_ends_the_sessions_and_stops_sign_in(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    res = staff(app, "disable", "agent@example.org")
    assert res.exit_code == 0, res.output
    assert client.get("/staff/").status_code == 302
    again = post(client, "/staff/signin", {"email": "agent@example.org",
                                           "password": NEW_PASSWORD})
    assert again.status_code == 401
    assert staff(app, "disable", "ghost@example.org").exit_code != 0


def test_reset_gives_a_new_one_time_password_and_a_new_enrolment(
        app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "sup@example.org", "supervisor")
    res = staff(app, "reset", "sup@example.org")
    assert res.exit_code == 0, res.output
    password = one_time_password(res.output)
    assert client.get("/staff/").status_code == 302  # the old session ended
    old = post(client, "/staff/signin", {"email": "sup@example.org", "password": NEW_PASSWORD})
    assert old.status_code == 401
    new = post(client, "/staff/signin", {"email": "sup@example.org", "password": password})
    assert new.location.endswith("/staff/password")
    post(client, "/staff/password", {"new_password": NEW_PASSWORD + "!",
                                     "repeat_password": NEW_PASSWORD + "!"})
    assert client.get("/staff/").location.endswith("/staff/totp/enrol")
    db.session.expire_all()
    actions = [a.action for a in db.session.query(AuditEntry)]
    assert "staff.reset" in actions and "staff.create" in actions
