"""The audit log page: admins only, filters, paging, and reading it is itself recorded."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import audit
from tests.integration.staff.helpers import sign_in


def test_admins_filter_the_log_and_their_look_is_recorded(app: Flask,
                                                           client: FlaskClient) -> None:
    audit("staff:9", "case.view", "case", "1234567")
    audit("cli", "responders.import", "responder", None)
    db.session.commit()
    sign_in(app, client, "admin@example.org", "admin")
    html = client.get("/staff/audit/?action=case.").get_data(as_text=True)
    assert "1234567" in html and "responders.import" not in html
    html = client.get("/staff/audit/?actor=cli").get_data(as_text=True)
    assert "responders.import" in html and "1234567" not in html
    looks = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "audit.view"))
    assert [e.detail["filters"] for e in looks] == [{"action": "case."}, {"actor": "cli"}]


def test_older_entries_are_a_link_away(app: Flask, client: FlaskClient) -> None:
    for i in range(60):
        audit("cli", "test.entry", "thing", str(i))
    db.session.commit()
    sign_in(app, client, "admin@example.org", "admin")
    first = client.get("/staff/audit/?action=test.").get_data(as_text=True)
    assert first.count("<code>test.entry</code>") == 50
    link = first.split('class="pager"><a href="')[1].split('"')[0].replace("&amp;", "&")
    rest = client.get(link).get_data(as_text=True)
    assert rest.count("<code>test.entry</code>") == 10


def test_a_bad_date_is_a_400_with_the_reason(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin@example.org", "admin")
    res = client.get("/staff/audit/?since=last-week")
    assert res.status_code == 400 and "not a date" in res.get_data(as_text=True)


def test_nobody_but_admins_reads_the_log(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "sup@example.org", "supervisor")
    assert client.get("/staff/audit/").status_code == 403
    client.post("/staff/signout")
    fresh = app.test_client()
    sign_in(app, fresh, "viewer@example.org", "viewer")
    assert fresh.get("/staff/audit/").status_code == 403
