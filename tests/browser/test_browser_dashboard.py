"""A supervisor's shift in a real browser, in Swahili and in English.

Sign in for the first time (one-time password, new password, TOTP enrolment); a USSD report
arrives and shows in the queue without a reload; open it, hand it to a responder of our
choice, watch that responder's KUBALI (typed on the sandbox phone) arrive on the open case
page, close it; every step is in the timeline and the audit log. ``LINDA_UPDATE_SCREENSHOTS=1``
refreshes docs/screenshots/staff-*.png, shown in the README.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.status import CaseStatus
from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import create_staff
from app.staff.texts import messages
from app.worker.runner import EmbeddedRunner
from tests.browser.test_browser_journey import Sandbox
from tests.e2e.e2e_helpers import Product
from tests.integration.referral.referral_helpers import DSM_CC, KARIAKOO, responder
from tests.integration.staff.helpers import NEW_PASSWORD

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EMAIL = "msimamizi@example.org"


@pytest.fixture
def runner(live_app: tuple[Any, Any]) -> Iterator[EmbeddedRunner]:
    app, _ = live_app
    worker = EmbeddedRunner(app, poll_seconds=0.1)
    worker.start()
    yield worker
    worker.stop()
    worker.join(timeout=10)


def sign_in_first_time(page: Any, email: str, one_time: str, _: Any) -> None:
    """The sign-in form with a one-time password, then the new password it forces."""
    page.fill("#email", email)
    page.fill("#password", one_time)
    page.get_by_role("button", name=_("staff.signin.submit")).click()
    page.get_by_role("heading", name=_("staff.password.title")).wait_for()
    page.fill("#new_password", NEW_PASSWORD)
    page.fill("#repeat_password", NEW_PASSWORD)
    page.get_by_role("button", name=_("staff.password.submit")).click()


def fits_360(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    page.set_viewport_size({"width": 1100, "height": 900})


def case_row(ref: str) -> Case:
    db.session.expire_all()
    case = db.session.scalars(sa.select(Case).where(Case.reference == ref)).one()
    db.session.commit()
    return case


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sw", "en"])
def test_a_supervisor_handles_a_new_report_from_the_queue_to_closing_it(
        live_app, runner, chromium, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    app, server = live_app
    app.config["STAFF_QUEUE_REFRESH_SECONDS"] = 1
    shots = DOCS if os.environ.get("LINDA_UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)

    def _(key: str, **params: str) -> str:
        return messages.get(lang, key, **params)

    responder("police_gcd", name="Insp. Neema Mushi", ward=KARIAKOO)
    responder("social_welfare", name="Bi. Rehema Said", council=DSM_CC)
    baraka = responder("ward_executive", name="Bw. Baraka Lema", ward=KARIAKOO)
    _user, one_time = create_staff(EMAIL, "supervisor")
    db.session.commit()

    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(40_000)

    # First sign-in: the dashboard sends a stranger to the sign-in page.
    page.goto(server.url + "/staff/")
    assert page.url.startswith(server.url + "/staff/signin")
    if lang == "en":
        page.select_option("#lang-pick", "en")  # submits itself (staff.js)
        page.get_by_role("heading", name=_("staff.signin.title")).wait_for()
        page.wait_for_function("document.documentElement.lang === 'en'")
    sign_in_first_time(page, EMAIL, one_time, _)
    page.get_by_role("heading", name=_("staff.totp.enrol_title")).wait_for()
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name=_("staff.totp.submit")).click()
    page.get_by_role("heading", name=_("staff.queue.title")).wait_for()

    # A report comes in by USSD while the queue is open; it appears without a reload.
    page.evaluate("window.stillTheSamePage = true")
    ref = Product(app, server.url).report(consent=True)
    row = page.locator(f'tr[data-case="{ref}"]').first
    row.wait_for()
    assert page.evaluate("window.stillTheSamePage === true")
    page.screenshot(path=str(shots / f"staff-queue-{lang}.png"), full_page=True)
    fits_360(page)

    # Open it and hand it to the ward executive, who was not in the first wave.
    row.get_by_role("link", name=ref).click()
    page.get_by_role("heading", name=_("staff.case.title", reference=ref)).wait_for()
    page.get_by_text(_("staff.action.alert")).click()
    page.select_option("#responder", str(baraka.id))
    page.get_by_role("button", name=_("staff.action.send_alert")).click()
    page.get_by_text(_("staff.action.done.alert")).wait_for()

    # On the sandbox, the ward executive's phone gets the alert and answers KUBALI.
    phones = chromium.new_page(viewport={"width": 1100, "height": 900})
    phones.set_default_timeout(40_000)
    phones.goto(server.url + "/sandbox/")
    box = Sandbox(phones, tmp_path)
    box.wait_sms(baraka.phone, f"Linda kesi {ref}:")  # the alert (Baraka reads Swahili)
    box.reply(baraka.phone, f"KUBALI {ref}")

    # The open case page shows the accept by itself.
    page.bring_to_front()
    page.locator("#lead").get_by_text("Bw. Baraka Lema").wait_for()
    page.locator('#timeline li[data-kind="accept"]').wait_for()
    page.screenshot(path=str(shots / f"staff-case-{lang}.png"), full_page=True)
    fits_360(page)

    # Close it with an outcome.
    page.get_by_text(_("staff.action.close"), exact=True).first.click()
    page.select_option("#outcome", "returned_family")
    page.locator("form[action$='/close'] button[type=submit]").click()
    page.get_by_text(_("staff.action.done.close")).wait_for()
    assert case_row(ref).status is CaseStatus.CLOSED

    kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
    for kind in ("created", "refer", "staff_alert", "accept", "close"):
        assert kind in kinds, kinds
    assert page.locator('#timeline li[data-kind="close"]').inner_text().count(
        _("staff.outcome.returned_family")) == 1

    db.session.expire_all()
    audit = [(a.action, a.target_id) for a in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.actor.like("staff:%")).order_by(AuditEntry.id))]
    db.session.commit()
    for step in [("staff.signin", None), ("queue.view", None), ("case.view", ref),
                 ("case.alert", ref), ("case.close", ref)]:
        assert any(a == step[0] and (step[1] is None or t == step[1]) for a, t in audit), step
    if "audit.index" in app.view_functions:
        # The audit log is an admin's page: a supervisor is refused, not shown the log.
        refused = page.goto(server.url + "/staff/audit/")
        assert refused is not None and refused.status == 403
