"""The sandbox page in headless Chromium, used as a developer would: read, reply, dial."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from africastalking.SMS import SMSService

PHONE = "+255712000001"
#: Refreshed only on request (LINDA_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "screenshots" / "sandbox.png"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser():
    """Debian's chromium driven by Playwright; skipped when it is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.browser
def test_page_shows_sms_takes_a_reply_and_dials_ussd(live_app, receiver, browser,
                                                     tmp_path: Path) -> None:
    app, server = live_app
    app.config["SANDBOX_BASE_URL"] = receiver.url  # stands in for Linda's webhooks
    sms = SMSService("sandbox", "sandbox-key")
    sms._baseUrl = app.config["AT_API_URL"]
    sms.send("Kesi 1234567: mtoto 1, Kariakoo, Ilala. Jibu KUBALI 1234567", [PHONE])

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(8000)
    page.goto(server.url + "/sandbox/")
    card = page.locator(f'article.phone[data-number="{PHONE}"]')
    card.get_by_text("Kesi 1234567: mtoto 1").wait_for()

    card.locator("textarea").fill("KUBALI 1234567")
    card.get_by_role("button", name="Send SMS").click()
    card.get_by_text("Delivered to Linda: HTTP 200").wait_for()
    (inbound,) = receiver.forms("/sms/inbound")
    assert inbound["from"] == PHONE and inbound["text"] == "KUBALI 1234567"
    card.locator("li.from_phone").get_by_text("KUBALI 1234567").wait_for()  # via the poll

    receiver.answers["/ussd"] = (200, "CON Karibu Linda\n1. Ripoti tukio\n2. Angalia kesi",
                                 {"at-ussd-hop-metadata": "main"})
    page.fill("#ussd-phone", PHONE)
    page.click("#ussd-send")
    page.locator("#ussd-screen").get_by_text("Karibu Linda").wait_for()
    page.fill("#ussd-input", "1")
    shot = DOCS_SCREENSHOT if os.environ.get("LINDA_UPDATE_SCREENSHOTS") else tmp_path / "s.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    receiver.answers["/ussd"] = (200, "END Asante. Kesi 7654321",
                                 {"at-ussd-hop-metadata": "done"})
    page.click("#ussd-send")
    page.locator("#ussd-screen").get_by_text("Asante. Kesi 7654321").wait_for()
    page.get_by_text("Session success; end notice → Linda HTTP 200").wait_for()
    hops = receiver.forms("/ussd")
    assert [h["text"] for h in hops] == ["", "1"]
    assert hops[0]["sessionId"] == hops[1]["sessionId"] and hops[0]["phoneNumber"] == PHONE
    (event,) = receiver.forms("/ussd/events")
    assert event["status"] == "Success" and event["hopsCount"] == "2"
    assert event["input"] == "1" and event["hopsMetadata"] == "main|done"
    assert event["lastAppResponse"] == "END Asante. Kesi 7654321"

    page.set_viewport_size({"width": 360, "height": 740})  # a small phone screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
