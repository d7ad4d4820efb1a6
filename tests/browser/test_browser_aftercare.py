"""The after-referral pages in a real browser: an admin writes a coordination message, sees who
it reaches and what it costs before confirming, then looks at centres and follow-ups.
``LINDA_UPDATE_SCREENSHOTS=1`` refreshes docs/screenshots/aftercare-*.png."""

from __future__ import annotations

import os
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from app.broadcast.models import Broadcast
from app.broadcast.sms import messages as broadcast_texts
from app.centres.texts import messages as centre_texts
from app.extensions import db
from app.staff.services import create_staff
from app.staff.texts import messages as staff_texts
from tests.integration.centres.centre_helpers import centre
from tests.integration.referral.referral_helpers import PWANI, responder, sms_to
from tests.integration.staff.helpers import NEW_PASSWORD

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL = "admin@example.org"


@pytest.mark.browser
def test_an_admin_previews_the_cost_then_sends_and_sees_centres(
        live_app, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _app, server = live_app
    shots = DOCS if os.environ.get("LINDA_UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    sw = responder("social_welfare", name="Bi. Rehema Said")
    en = responder("social_welfare", name="Ms. Salma Juma", region=PWANI, council=None,
                   language="en")
    responder("police_gcd", name="Insp. Neema Mushi")
    centre("Kituo cha Matumaini", beds=6, taken=2)
    _user, one_time = create_staff(EMAIL, "admin")
    db.session.commit()

    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(20_000)
    page.goto(server.url + "/staff/signin")
    page.fill("#email", EMAIL)
    page.fill("#password", one_time)
    page.get_by_role("button", name=staff_texts.get("sw", "staff.signin.submit")).click()
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#repeat_password", NEW_PASSWORD)
    page.get_by_role("button", name=staff_texts.get("sw", "staff.password.submit")).click()
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name=staff_texts.get("sw", "staff.totp.submit")).click()
    page.get_by_role("heading", name=staff_texts.get("sw", "staff.queue.title")).wait_for()

    # The navigation leads to the message page; the cost comes before any sending.
    page.get_by_role("link", name=staff_texts.get("sw", "staff.nav.broadcast")).click()
    page.check('input[name="role"][value="social_welfare"]')
    page.select_option("#regions", ["TZ-02", PWANI])
    page.fill("#text_sw", "Mafunzo ya utaratibu wa rufaa, Dodoma 12-14 Januari.")
    page.fill("#text_en", "Referral procedure training, Dodoma 12-14 January.")
    page.get_by_role("button", name=broadcast_texts.get("sw", "page.preview_button")).click()
    page.locator('[data-recipients="2"]').wait_for()
    assert page.locator('[data-segments="2"]').count() == 1
    assert db.session.scalar(sa.select(sa.func.count(Broadcast.id))) == 0
    page.screenshot(path=str(shots / "aftercare-broadcast-preview.png"), full_page=True)
    page.get_by_role("button", name=broadcast_texts.get("sw", "page.confirm", n=2)).click()
    page.locator("ul.delivery").wait_for()
    assert [m.body for m in sms_to(en.phone, "broadcast")] == [
        "Referral procedure training, Dodoma 12-14 January."]
    assert len(sms_to(sw.phone, "broadcast")) == 1

    # Centres: occupancy at a glance.
    page.get_by_role("link", name=staff_texts.get("sw", "staff.nav.centres")).click()
    page.get_by_role("heading", name=centre_texts.get("sw", "page.title")).wait_for()
    row = page.locator("tr[data-centre]").first
    assert row.inner_text().split("\t")[-3:] == ["6", "2", "4"]
    page.screenshot(path=str(shots / "aftercare-centres.png"), full_page=True)
    page.get_by_role("link", name=staff_texts.get("sw", "staff.nav.followup")).click()
    page.locator("ul.counts").wait_for()
