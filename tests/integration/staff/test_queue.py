"""The queue: cases needing a human first, filters, search, keyset pages, agents' regions."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from flask import Flask
from flask.testing import FlaskClient

from app.cases.models import CaseCategory
from app.clock import utcnow
from app.extensions import db
from app.staff.queries import PAGE_SIZE
from tests.integration.referral.referral_helpers import (
    BAGAMOYO,
    BAGAMOYO_KISUTU,
    report,
    responder,
)
from tests.integration.staff.helpers import sign_in


def refs(html: str) -> list[str]:
    return re.findall(r'data-case="(\d{7})"', html)


def test_cases_needing_a_person_come_first_then_the_rest_by_age(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(hours=5)
    with time_machine.travel(start):
        old_normal = report(urgent=False)
    with time_machine.travel(start + timedelta(hours=1)):
        new_normal = report(urgent=False)
    with time_machine.travel(start + timedelta(hours=2)):
        urgent = report(urgent=True)  # nobody to alert: it needs attention at once
    run_jobs()
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    html = client.get("/staff/").get_data(as_text=True)
    order = refs(html)
    assert order.index(urgent.reference) < order.index(old_normal.reference)
    assert order.index(old_normal.reference) < order.index(new_normal.reference)


def test_an_agent_sees_only_their_regions(app: Flask, client: FlaskClient) -> None:
    mine = report()
    theirs = report(council=BAGAMOYO, ward=BAGAMOYO_KISUTU)
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    html = client.get("/staff/").get_data(as_text=True)
    assert mine.reference in refs(html) and theirs.reference not in refs(html)
    assert client.get(f"/staff/?q={theirs.reference}").status_code == 404
    assert client.get(f"/staff/cases/{theirs.reference}").status_code == 404
    assert client.get(f"/staff/?q={mine.reference}").location.endswith(
        f"/staff/cases/{mine.reference}")


def test_filters_narrow_the_queue(app: Flask, client: FlaskClient) -> None:
    labour = report(urgent=False, category=CaseCategory.FORCED_LABOUR)
    begging = report(urgent=True, category=CaseCategory.BEGGING)
    pwani = report(council=BAGAMOYO, ward=BAGAMOYO_KISUTU, urgent=False)
    sign_in(app, client, "sup@example.org", "supervisor")
    assert refs(client.get("/staff/?category=begging").get_data(as_text=True)) == [
        begging.reference]
    assert refs(client.get("/staff/?urgency=normal&region=TZ-19").get_data(as_text=True)) == [
        pwani.reference]
    assert set(refs(client.get("/staff/?region=TZ-02").get_data(as_text=True))) == {
        labour.reference, begging.reference}
    assert client.get("/staff/?status=bogus").status_code == 400
    assert client.get("/staff/?from=yesterday").status_code == 400
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    assert refs(client.get(f"/staff/?from={tomorrow}").get_data(as_text=True)) == []


def test_keyset_pages_cover_every_case_once(app: Flask, client: FlaskClient) -> None:
    start = utcnow() - timedelta(days=2)
    made = []
    for i in range(PAGE_SIZE + 7):
        with time_machine.travel(start + timedelta(minutes=i)):
            made.append(report(urgent=False, phone=None).reference)
    sign_in(app, client, "sup@example.org", "supervisor")
    first = client.get("/staff/").get_data(as_text=True)
    seen = refs(first)
    nxt = re.search(r'href="([^"]+)" rel="next"', first)
    assert nxt, "no next page link"
    second = client.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    seen += refs(second)
    assert seen == made  # oldest first, each exactly once
    assert 'rel="next"' not in second


def test_the_rows_fragment_polls_and_shows_a_new_report(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "agent@example.org", "agent", ("Dar es Salaam",))
    page = client.get("/staff/").get_data(as_text=True)
    assert 'hx-get="/staff/queue/rows' in page and "every 10s" in page
    new = report()
    rows = client.get("/staff/queue/rows").get_data(as_text=True)
    assert new.reference in refs(rows) and "<html" not in rows


def test_each_row_says_who_was_asked_and_who_accepted(
        app: Flask, client: FlaskClient, run_jobs) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.referral.referral_helpers import sms_in

    police = responder("police_gcd", name="Insp. Amina")
    case = report()
    run_jobs()
    sms_in(police.phone, f"KUBALI {case.reference}")
    sign_in(app, client, "sup@example.org", "supervisor")
    html = client.get("/staff/").get_data(as_text=True)
    row = html[html.index(f'data-case="{case.reference}"'):]
    row = row[:row.index("</tr>")]
    assert "Insp. Amina" in row and "amekubali" in row
    db.session.rollback()
