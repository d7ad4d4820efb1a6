"""Pages cost a fixed number of SQL statements, however many rows they show.

A page that runs one query per row is fast with five cases and slow with a million: the
statement count, not a stopwatch, is what a test can check for certain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from tests.integration.referral.referral_helpers import report, responder, sms_in
from tests.integration.staff.helpers import post, sign_in


@contextmanager
def counted() -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def statements(client: FlaskClient, path: str) -> list[str]:
    db.session.expire_all()
    with counted() as seen:
        res = client.get(path)
    assert res.status_code == 200, res.status_code
    return seen


def rows_on(client: FlaskClient, path: str) -> int:
    return len(re.findall(r'data-case="\d{7}"', client.get(path).get_data(as_text=True)))


def add_cases(n: int, run_jobs: Any) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        report(urgent=i % 3 == 0, phone=None)
    run_jobs()  # dispatch: every case gets its alerts, some accepted below


def test_the_queue_costs_the_same_statements_for_50_rows_as_for_5(
        app: Flask, client: FlaskClient, run_jobs,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The process's gazetteer copy is read on first use and its version checked every few
    # seconds: both would count here or not depending on timing, so it is warmed and kept.
    monkeypatch.setattr("app.gazetteer.cache.RECHECK_SECONDS", 3600.0)
    police = responder("police_gcd", name="Insp. Amina")
    responder("social_welfare", name="Bi. Neema")
    add_cases(5, run_jobs)
    sign_in(app, client, "sup@example.org", "supervisor")
    client.get("/staff/")
    few = statements(client, "/staff/")
    few_rows = statements(client, "/staff/queue/rows")
    assert rows_on(client, "/staff/") == 5
    add_cases(45, run_jobs)
    first = db.session.scalars(sa.text("select reference from cases order by id limit 3")).all()
    for reference in first:
        sms_in(police.phone, f"KUBALI {reference}")
    many = statements(client, "/staff/")
    many_rows = statements(client, "/staff/queue/rows")
    assert rows_on(client, "/staff/") == 50
    assert len(many) == len(few), "\n".join(many)
    assert len(many_rows) == len(few_rows), "\n".join(many_rows)
    assert len(many) <= 20


def test_the_case_page_costs_the_same_statements_with_many_alerts_and_events(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    responder("police_gcd", name="Insp. Amina")
    quiet = report(phone=None)
    run_jobs()
    sign_in(app, client, "sup@example.org", "supervisor")
    few = statements(client, f"/staff/cases/{quiet.reference}")
    for i in range(6):
        responder("social_welfare", name=f"Afisa {i}")
    busy = report(phone=None)
    run_jobs()
    for i in range(5):
        post(client, f"/staff/cases/{busy.reference}/note", {"text": f"Simu {i}"},
             page=f"/staff/cases/{busy.reference}")
    many = statements(client, f"/staff/cases/{busy.reference}")
    html = client.get(f"/staff/cases/{busy.reference}").get_data(as_text=True)
    assert html.count("Afisa ") >= 6 and "Simu 4" in html
    assert len(many) == len(few), "\n".join(many)
    live_few = statements(client, f"/staff/cases/{quiet.reference}/live")
    live_many = statements(client, f"/staff/cases/{busy.reference}/live")
    assert len(live_many) == len(live_few), "\n".join(live_many)
