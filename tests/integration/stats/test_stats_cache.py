"""The statistics page is computed once per roll-up refresh, and never shows figures older
than the roll-ups it names."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utcnow
from app.extensions import db
from app.stats import cache
from app.stats.rollup import refresh
from tests.integration.staff.helpers import sign_in
from tests.integration.stats.stats_helpers import a_case, a_responder


def _total(client: FlaskClient) -> int:
    html = client.get("/staff/stats/?weeks=4").get_data(as_text=True)
    found = re.search(r"kesi (\d+) kwa jumla", html)
    assert found, "the page gives a total"
    return int(found.group(1))


def test_a_refresh_shows_new_cases_and_an_unchanged_page_is_not_recomputed(
        app: Flask, client: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cache.forget()
    responder = a_responder()
    for hours in (5, 6, 7):
        a_case(utcnow() - timedelta(hours=hours), responder=responder)
    db.session.commit()
    refresh()
    db.session.commit()
    sign_in(app, client, "sup@example.org", "supervisor")
    first = _total(client)
    assert first == 3

    built = []
    from app.stats import views

    real = views.build_report
    monkeypatch.setattr(views, "build_report", lambda *a, **k: built.append(1) or real(*a, **k))
    assert _total(client) == first and built == []  # same refresh: computed once

    a_case(utcnow() - timedelta(hours=1), responder=responder)
    db.session.commit()
    assert _total(client) == first  # the roll-ups do not have it yet, nor does the page
    refresh(full=True)  # the helper back-dates updated_at, so a partial refresh would skip it
    db.session.commit()
    assert _total(client) == 4 and built == [1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.table("audit_log"))) >= 3  # every view is still audited
