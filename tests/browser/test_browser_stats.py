"""The statistics page in a real browser, as a partner (viewer) and a supervisor see it.

Weeks of cases in several regions are written, the roll-ups refreshed, and the page opened
after a first sign-in: charts and the map are drawn from Linda's own server (no request leaves
it, no script runs on the page but Linda's files), small counts are hidden with a note for the
viewer, and the page fits a 360 px phone. ``LINDA_UPDATE_SCREENSHOTS=1`` refreshes
docs/screenshots/staff-stats-*.png, shown in the README.
"""

from __future__ import annotations

import os
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.cases.models import CaseCategory
from app.clock import utcnow
from app.extensions import db
from app.staff.services import create_staff
from app.stats.rollup import refresh
from app.stats.texts import messages
from tests.integration.staff.helpers import NEW_PASSWORD
from tests.integration.stats.stats_helpers import a_case, a_notice, a_responder

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: (region, council) pairs across the country, with how many cases each gets per week.
PLACES = [("TZ-02", "TZ-02-C053", 9), ("TZ-02", "TZ-02-C054", 6), ("TZ-19", "TZ-19-C043", 3),
          ("TZ-01", None, 5), ("TZ-18", None, 7), ("TZ-26", None, 2), ("TZ-06", None, 4)]


def seed() -> None:
    """Eight weeks of cases (fixed seed), some accepted, some escalated, and USSD notices."""
    import sqlalchemy as sa

    from app.gazetteer.models import Council

    rng = random.Random(9)
    now = utcnow()
    responder = a_responder()
    for region, council, weekly in PLACES:
        council = council or db.session.scalars(
            sa.select(Council.id).where(Council.region_id == region).order_by(Council.id)).first()
        for week in range(8):
            for _ in range(max(0, weekly + rng.randint(-2, 2))):
                created = now - timedelta(weeks=week, hours=rng.randint(1, 150))
                accepted = rng.random() < 0.8
                a_case(created, council=council, region=region,
                       category=rng.choice(list(CaseCategory)), urgent=rng.random() < 0.3,
                       accepted_after=timedelta(minutes=rng.randint(2, 90)) if accepted else None,
                       delivered_after=timedelta(seconds=rng.randint(4, 80)),
                       escalated=not accepted and rng.random() < 0.5, responder=responder)
    for screen, n in [("ussd.location.ward", 23), ("ussd.landmark", 11), ("ussd.category", 6),
                      ("ussd.urgent", 3)]:
        for i in range(n):
            a_notice(now - timedelta(days=i % 40), screen)
    db.session.commit()
    refresh()
    db.session.commit()


def sign_in(page: Any, url: str, email: str, role: str) -> None:
    _user, one_time = create_staff(email, role)
    db.session.commit()
    page.goto(url + "/staff/signin")
    page.fill("#email", email)
    page.fill("#password", one_time)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/staff/password")
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#repeat_password", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sw", "en"])
def test_a_partner_sees_charts_a_map_and_protected_counts(live_app, chromium,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path, lang: str) -> None:
    _app, server = live_app
    shots = DOCS if os.environ.get("LINDA_UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    seed()

    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(20_000)
    hosts, scripts = set(), []
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    sign_in(page, server.url, f"partner-{lang}@example.org", "viewer")
    page.wait_for_url("**/staff/stats/")  # a viewer's dashboard is the statistics page
    if lang == "en":
        page.select_option("#lang-pick", "en")
        page.wait_for_function("document.documentElement.lang === 'en'")

    def _(key: str, **params: Any) -> str:
        return messages.get(lang, key, **params)

    page.get_by_role("heading", name=_("stats.title"), exact=True).wait_for()
    assert page.locator("#small-cells").inner_text() == _("stats.suppressed_note")
    assert page.locator("svg.chart").count() >= 4
    assert page.locator("svg.chart.map path").count() >= 2  # mainland and islands
    assert page.locator("svg.chart.map circle").count() == 31  # every region
    assert page.get_by_text("<5").count() > 0  # TZ-26 had 0–4 cases a week
    assert page.get_by_role("link", name=_("stats.export_stats")).count() == 0
    page.screenshot(path=str(shots / f"staff-stats-{lang}.png"), full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(tmp_path / f"stats-360-{lang}.png"))

    assert hosts == {f"127.0.0.1:{server.port}"}, hosts  # nothing from another host
    assert all("/staff/static/" in s for s in scripts), scripts
    assert not failed, failed  # every asset the page asked for was there
