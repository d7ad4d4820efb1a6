"""Route by route: each role reaches only what it should, checked on the server."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.staff.models import AuditEntry
from tests.integration.referral.referral_helpers import BAGAMOYO, BAGAMOYO_KISUTU, report
from tests.integration.staff.helpers import csrf, post, sign_in

#: Pages open to everyone: the sign-in steps and static files.
PUBLIC = {"staff.signin", "staff.password", "staff.totp", "staff.totp_enrol", "staff.static",
          "staff.signout", "staff.signout_everywhere", "staff.language"}
ROLES = ("admin", "supervisor", "agent", "viewer")
REGIONS = {"agent": ("Dar es Salaam",)}


def _url(rule, reference: str) -> str:  # type: ignore[no-untyped-def]
    values = {arg: reference if arg == "reference" else "1" for arg in rule.arguments}
    if "action" in rule.arguments:
        values["action"] = "note"
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<{arg}>", value).replace(f"<int:{arg}>", value)
    return path


def test_every_dashboard_page_sends_strangers_to_sign_in(app: Flask,
                                                         client: FlaskClient) -> None:
    case = report()
    checked = 0
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if rule.endpoint in PUBLIC or not (rule.rule.startswith("/staff/")
                                           or blueprint in ("stats", "audit", "responders")):
            continue
        path = _url(rule, case.reference)
        if "GET" in rule.methods:
            res = client.get(path)
        else:
            res = client.post(path, data={"csrf_token": csrf(client)})
        assert res.status_code in (302, 401), (rule.rule, res.status_code)
        assert "/staff/signin" in (res.location or res.headers.get("HX-Redirect", "")), rule
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize("role, expected", [
    ("admin", {"queue": 200, "rows": 200, "case": 200, "note": 302, "reveal": 403}),
    ("supervisor", {"queue": 200, "rows": 200, "case": 200, "note": 302, "reveal": 200}),
    ("agent", {"queue": 200, "rows": 200, "case": 200, "note": 302, "reveal": 200}),
    # A viewer's /staff/ is the statistics page (a redirect) now that it exists.
    ("viewer", {"queue": 302, "rows": 403, "case": 403, "note": 403, "reveal": 403}),
])
def test_each_role_reaches_what_it_should(app: Flask, client: FlaskClient, role: str,
                                          expected: dict[str, int]) -> None:
    case = report(consent=True)
    sign_in(app, client, f"{role}@example.org", role, REGIONS.get(role, ()))
    page = f"/staff/cases/{case.reference}"
    got = {
        "queue": client.get("/staff/").status_code,
        "rows": client.get("/staff/queue/rows").status_code,
        "case": client.get(page).status_code,
        "note": post(client, f"{page}/note", {"text": "seen"}, page="/staff/").status_code,
        "reveal": post(client, f"{page}/reveal", {"reason": "call back now"},
                       page="/staff/").status_code,
    }
    assert got == expected


def test_an_agent_cannot_open_or_act_on_a_case_outside_their_regions(
        app: Flask, client: FlaskClient) -> None:
    elsewhere = report(council=BAGAMOYO, ward=BAGAMOYO_KISUTU, consent=True)
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    page = f"/staff/cases/{elsewhere.reference}"
    assert client.get(page).status_code == 404
    for action, data in [("note", {"text": "x"}), ("close", {"outcome": "other"}),
                         ("reveal", {"reason": "call back now"}), ("hoax", {})]:
        res = post(client, f"{page}/{action}", data, page="/staff/")
        assert res.status_code == 404, action
    db.session.expire_all()
    refused = [a for a in db.session.query(AuditEntry) if a.action == "case.view_refused"]
    assert len(refused) == 5
    # A number that does not exist looks exactly the same.
    assert client.get("/staff/cases/0000000").status_code == 404


def test_a_viewer_is_never_shown_the_queue(app: Flask, client: FlaskClient) -> None:
    case = report()
    sign_in(app, client, "viewer@example.org", "viewer")
    link = f"/staff/cases/{case.reference}"
    for path in ("/staff/", f"/staff/?q={case.reference}", "/staff/?status=all"):
        res = client.get(path)
        assert res.status_code in (200, 302)
        assert link not in res.get_data(as_text=True), path
