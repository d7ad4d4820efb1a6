"""The statistics page and its exports, role by role, in both languages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.staff.models import AuditEntry
from tests.integration.staff.helpers import post, sign_in
from tests.integration.stats.test_stats_report import seed

QUERY = "?start=2026-11-02&weeks=3"


def test_viewers_see_protected_figures_and_cannot_export(app: Flask, client: FlaskClient) -> None:
    seed()
    sign_in(app, client, "partner@example.org", "viewer")
    page = client.get(f"/staff/stats/{QUERY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="small-cells"' in html and "&lt;5" in html
    assert "<svg" in html and "<script" not in html.split("</head>")[1]
    assert "export.csv" not in html
    assert client.get(f"/staff/stats/export.csv{QUERY}").status_code == 403
    assert client.get(f"/staff/stats/cases.csv{QUERY}").status_code == 403
    views = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "stats.view"))
    assert [v.detail["protected"] for v in views] == [True]


def test_supervisors_see_exact_figures_and_export_audited_csv(app: Flask,
                                                              client: FlaskClient) -> None:
    seed()
    sign_in(app, client, "sup@example.org", "supervisor")
    html = client.get(f"/staff/stats/{QUERY}").get_data(as_text=True)
    assert 'id="small-cells"' not in html
    assert "Temeke" in html
    protected = client.get(f"/staff/stats/{QUERY}&protected=1").get_data(as_text=True)
    assert 'id="small-cells"' in protected

    stats = client.get(f"/staff/stats/export.csv{QUERY}")
    assert stats.status_code == 200 and stats.mimetype == "text/csv"
    assert "<5" in stats.get_data(as_text=True)  # exports are protected whoever asks
    cases = client.get(f"/staff/stats/cases.csv{QUERY}")
    assert cases.get_data(as_text=True).count("\n") == 10
    actions = [e.action for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.actor.like("staff:%")).order_by(AuditEntry.id))]
    assert actions[-2:] == ["stats.export", "cases.export"]


def test_agents_have_no_statistics(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("TZ-02",))
    assert client.get("/staff/stats/").status_code == 403
    assert client.get(f"/staff/stats/cases.csv{QUERY}").status_code == 403


def test_nobody_signed_in_is_sent_to_sign_in(client: FlaskClient) -> None:
    for path in ("/staff/stats/", "/staff/stats/export.csv", "/staff/stats/cases.csv"):
        res = client.get(path)
        assert res.status_code == 302 and "/staff/signin" in res.location


def test_a_bad_filter_is_a_400_with_the_reason(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "sup@example.org", "supervisor")
    page = client.get("/staff/stats/?weeks=500")
    assert page.status_code == 400
    assert "between 1 and 156" in page.get_data(as_text=True)
    assert client.get("/staff/stats/export.csv?start=nope").status_code == 400


def test_the_page_speaks_swahili_and_english(app: Flask, client: FlaskClient) -> None:
    seed()
    sign_in(app, client, "sup@example.org", "supervisor")
    post(client, "/staff/language", {"lang": "sw", "next": "/staff/stats/"},
         page="/staff/stats/")
    assert "Kesi kwa wiki, kwa aina" in client.get(f"/staff/stats/{QUERY}").get_data(as_text=True)
    post(client, "/staff/language", {"lang": "en", "next": "/staff/stats/"},
         page="/staff/stats/")
    assert "Cases per week by category" in client.get(f"/staff/stats/{QUERY}").get_data(
        as_text=True)
