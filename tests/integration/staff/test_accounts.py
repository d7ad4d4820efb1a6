"""The staff accounts page: admins only, route by route; each action does what the terminal
commands do, ends sessions where it should, and is in the audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.staff.models import AuditEntry, StaffSession
from app.staff.services import find_staff
from app.staff.texts import messages
from tests.integration.staff.helpers import NEW_PASSWORD, csrf, make_staff, post, sign_in

PAGE = "/staff/accounts/"
ONE_TIME = re.compile(r'<code id="one-time-password">([^<]+)</code>')


def _routes(target: int) -> dict[str, tuple[str, str, dict[str, str]]]:
    return {
        "list": ("GET", PAGE, {}),
        "create": ("POST", PAGE, {"email": "new@example.org", "role": "viewer"}),
        "disable": ("POST", f"/staff/accounts/{target}/disable", {}),
        "reset": ("POST", f"/staff/accounts/{target}/reset", {}),
        "signout": ("POST", f"/staff/accounts/{target}/signout", {}),
    }


def actions(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def live_sessions(email: str) -> int:
    user = find_staff(email)
    assert user is not None
    return db.session.scalar(sa.select(sa.func.count(StaffSession.id)).where(
        StaffSession.staff_id == user.id, StaffSession.revoked_at.is_(None))) or 0


@pytest.mark.parametrize("role", ["supervisor", "agent", "viewer"])
def test_only_an_admin_reaches_any_accounts_route(app: Flask, client: FlaskClient,
                                                  role: str) -> None:
    make_staff("target@example.org", "viewer")
    target = find_staff("target@example.org")
    assert target is not None
    sign_in(app, client, f"{role}@example.org", role,
            ("Dar es Salaam",) if role == "agent" else ())
    for name, (method, path, data) in _routes(target.id).items():
        if method == "GET":
            res = client.get(path)
        else:
            res = client.post(path, data={"csrf_token": csrf(client, "/staff/stats/"), **data})
        assert res.status_code == 403, (name, res.status_code)
    db.session.expire_all()
    assert find_staff("new@example.org") is None
    assert find_staff("target@example.org").active  # type: ignore[union-attr]
    assert actions("staff.disable") == [] and actions("staff.reset") == []
    nav = client.get("/staff/stats/").get_data(as_text=True)
    assert PAGE not in nav  # no link either


def test_an_admin_reaches_every_route(app: Flask, client: FlaskClient) -> None:
    make_staff("target@example.org", "viewer")
    target = find_staff("target@example.org")
    assert target is not None
    sign_in(app, client, "admin@example.org", "admin")
    assert PAGE in client.get(PAGE).get_data(as_text=True)  # in the navigation
    got = {}
    for name, (method, path, data) in _routes(target.id).items():
        if method == "GET":
            got[name] = client.get(path).status_code
        else:
            got[name] = post(client, path, data, page=PAGE).status_code
    assert got == {"list": 200, "create": 200, "disable": 302, "reset": 200, "signout": 302}


def test_strangers_are_sent_to_sign_in_and_a_missing_csrf_token_is_refused(
        app: Flask, client: FlaskClient) -> None:
    assert client.get(PAGE).status_code == 302
    sign_in(app, client, "admin@example.org", "admin")
    res = client.post(PAGE, data={"email": "x@example.org", "role": "viewer"})
    assert res.status_code == 400
    assert find_staff("x@example.org") is None


def test_an_account_made_on_the_page_signs_in_with_the_password_shown_once(
        app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    res = post(client, PAGE, {"email": "Wakala@Example.org", "role": "agent",
                              "regions": "Dar es Salaam"})
    assert res.status_code == 200
    match = ONE_TIME.search(res.get_data(as_text=True))
    assert match, "the one-time password is shown"
    one_time = match.group(1)
    listed = client.get(PAGE).get_data(as_text=True)
    assert "wakala@example.org" in listed and "Dar es Salaam" in listed
    assert one_time not in listed  # shown once, never again
    (entry,) = [e for e in actions("staff.create") if e.actor.startswith("staff:")]
    user = find_staff("wakala@example.org")
    assert user is not None and user.must_change_password
    assert entry.actor.startswith("staff:") and entry.target_id == str(user.id)
    assert [r.name for r in user.regions] == ["Dar es Salaam"]
    assert actions("staff.list")

    newcomer = app.test_client()
    res = post(newcomer, "/staff/signin", {"email": "wakala@example.org", "password": one_time})
    assert res.status_code == 302 and res.location.endswith("/staff/password")
    res = post(newcomer, "/staff/password", {"new_password": NEW_PASSWORD,
                                             "repeat_password": NEW_PASSWORD})
    assert res.status_code == 302 and res.location.endswith("/staff/")


@pytest.mark.parametrize("form, code", [
    ({"email": "not-an-email", "role": "viewer"}, "email"),
    ({"email": "a@example.org", "role": "king"}, "role"),
    ({"email": "a@example.org", "role": "agent"}, "agent_region"),
    ({"email": "a@example.org", "role": "viewer", "regions": "Dar es Salaam"}, "region_role"),
    ({"email": "a@example.org", "role": "agent", "regions": "Atlantis"}, "region"),
    ({"email": "admin@example.org", "role": "viewer"}, "taken"),
])
def test_a_bad_form_says_what_is_wrong_in_the_admins_language(
        app: Flask, client: FlaskClient, form: dict[str, str], code: str) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    res = post(client, PAGE, form)
    assert res.status_code == 400
    text = res.get_data(as_text=True)
    assert messages.get("sw", f"staff.accounts.error.{code}") in text
    assert ONE_TIME.search(text) is None and len(actions("staff.create")) == 1  # the admin's


def test_disable_reset_and_sign_out_everywhere_end_the_sessions(
        app: Flask, client: FlaskClient) -> None:
    other = app.test_client()
    sign_in(app, other, "msimamizi@example.org", "supervisor")
    assert other.get("/staff/").status_code == 200
    user = find_staff("msimamizi@example.org")
    assert user is not None
    sign_in(app, client, "admin@example.org", "admin")

    res = post(client, f"/staff/accounts/{user.id}/signout", {}, page=PAGE)
    assert res.status_code == 302
    assert "msimamizi@example.org" in client.get(res.location).get_data(as_text=True)
    assert live_sessions("msimamizi@example.org") == 0
    assert other.get("/staff/").status_code == 302  # back to sign-in
    (entry,) = [e for e in actions("staff.signout_everywhere") if e.target_id == str(user.id)]
    assert entry.actor != f"staff:{user.id}" and entry.detail["sessions"] == 1

    res = post(client, f"/staff/accounts/{user.id}/reset", {}, page=PAGE)
    match = ONE_TIME.search(res.get_data(as_text=True))
    assert res.status_code == 200 and match
    db.session.expire_all()
    user = find_staff("msimamizi@example.org")
    assert user is not None and user.must_change_password and user.totp_secret_enc is None
    assert [e.target_id for e in actions("staff.reset")] == [str(user.id)]

    res = post(client, f"/staff/accounts/{user.id}/disable", {}, page=PAGE)
    assert res.status_code == 302
    db.session.expire_all()
    assert not find_staff("msimamizi@example.org").active  # type: ignore[union-attr]
    assert [e.target_id for e in actions("staff.disable")] == [str(user.id)]
    refused = post(other, "/staff/signin", {"email": "msimamizi@example.org",
                                            "password": match.group(1)})
    assert refused.status_code == 401


def test_an_admin_cannot_disable_or_reset_themselves_but_can_sign_out_everywhere(
        app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    me = find_staff("admin@example.org")
    assert me is not None
    for action in ("disable", "reset"):
        res = post(client, f"/staff/accounts/{me.id}/{action}", {}, page=PAGE)
        assert res.status_code == 409
        assert messages.get("sw", "staff.accounts.error.self") in res.get_data(as_text=True)
    db.session.expire_all()
    assert find_staff("admin@example.org").active  # type: ignore[union-attr]
    res = post(client, f"/staff/accounts/{me.id}/signout", {}, page=PAGE)
    assert res.status_code == 302 and res.location.endswith("/staff/signin")
    assert client.get(PAGE).status_code == 302


def test_an_unknown_account_is_a_404(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    for action in ("disable", "reset", "signout"):
        assert post(client, f"/staff/accounts/9999/{action}", {}, page=PAGE).status_code == 404


def test_the_list_shows_role_regions_state_sign_in_and_totp(app: Flask,
                                                            client: FlaskClient) -> None:
    make_staff("wakala@example.org", "agent", ("Dar es Salaam", "Arusha"))
    make_staff("zamani@example.org", "viewer")
    sign_in(app, client, "admin@example.org", "admin")
    post(client, f"/staff/accounts/{find_staff('zamani@example.org').id}/disable",  # type: ignore[union-attr]
         {}, page=PAGE)
    page = client.get(PAGE).get_data(as_text=True)

    def row(email: str) -> str:
        start = page.index(f'data-email="{email}"')
        return page[start:page.index("</tr>", start)]

    def sw(key: str) -> str:
        return messages.get("sw", key)

    agent = row("wakala@example.org")
    assert "Arusha, Dar es Salaam" in agent and sw("staff.role.agent") in agent
    assert sw("staff.accounts.never") in agent and sw("staff.accounts.totp_not_needed") in agent
    admin = row("admin@example.org")
    assert sw("staff.accounts.totp_yes") in admin and sw("staff.accounts.never") not in admin
    assert sw("staff.accounts.all_regions") in admin
    assert sw("staff.accounts.disabled") in row("zamani@example.org")
