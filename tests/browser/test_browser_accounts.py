"""An admin makes a staff account in a real browser, and the new agent signs in with it.

The admin signs in for the first time (one-time password, new password, TOTP), follows the
navigation to the accounts page, creates an agent for one region, reads the one-time password
shown once; the agent then signs in with it in another browser and must choose a new one.
Pages fit a 360 px phone; nothing is loaded from another host.
"""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.staff.models import AuditEntry
from app.staff.services import create_staff, find_staff
from app.staff.texts import messages
from tests.browser.test_browser_dashboard import fits_360, sign_in_first_time

ADMIN = "admin@example.org"
AGENT = "wakala.arusha@example.org"


def first_sign_in(page: Any, url: str, email: str, one_time: str, _: Any) -> None:
    page.goto(url + "/staff/signin")
    sign_in_first_time(page, email, one_time, _)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["sw", "en"])
def test_an_admin_creates_an_account_and_the_agent_signs_in_with_it(
        live_app, chromium, lang: str) -> None:  # type: ignore[no-untyped-def]
    _app, server = live_app

    def _(key: str, **params: str) -> str:
        return messages.get(lang, key, **params)

    _user, one_time = create_staff(ADMIN, "admin")
    db.session.commit()
    context = chromium.new_context(viewport={"width": 1100, "height": 900},
                                   locale="en-GB" if lang == "en" else "sw-TZ")
    page = context.new_page()
    page.set_default_timeout(30_000)
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    if lang == "en":
        page.goto(server.url + "/staff/signin")
        page.select_option("#lang-pick", "en")
        page.wait_for_function("document.documentElement.lang === 'en'")
    first_sign_in(page, server.url, ADMIN, one_time, _)
    page.get_by_role("heading", name=_("staff.totp.enrol_title")).wait_for()
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name=_("staff.totp.submit")).click()

    page.get_by_role("link", name=_("staff.nav.accounts")).click()
    page.get_by_role("heading", name=_("staff.accounts.title"), exact=True).wait_for()
    assert page.locator(f'tr[data-email="{ADMIN}"]').count() == 1
    fits_360(page)

    page.fill("#new-email", AGENT)
    page.select_option("#new-role", "agent")
    page.select_option("#new-regions", ["Arusha"])
    page.get_by_role("button", name=_("staff.accounts.create_submit")).click()
    page.get_by_role("heading", name=_("staff.accounts.one_time_title")).wait_for()
    password = page.locator("#one-time-password").inner_text().strip()
    assert len(password) >= 12
    fits_360(page)

    page.get_by_role("link", name=_("staff.accounts.back")).click()
    row = page.locator(f'tr[data-email="{AGENT}"]')
    row.wait_for()
    assert "Arusha" in row.inner_text() and _("staff.role.agent") in row.inner_text()
    assert password not in page.content()  # shown once only

    # The agent, on another browser, signs in with it and must choose a password of their own.
    agent_page = chromium.new_page(viewport={"width": 360, "height": 740})
    agent_page.set_default_timeout(30_000)
    first_sign_in(agent_page, server.url, AGENT, password, lambda k: messages.get("sw", k))
    agent_page.wait_for_url("**/staff/")
    assert agent_page.locator("header nav").get_by_text(
        messages.get("sw", "staff.nav.accounts")).count() == 0  # not for an agent

    db.session.expire_all()
    agent = find_staff(AGENT)
    assert agent is not None and not agent.must_change_password
    assert [r.name for r in agent.regions] == ["Arusha"]
    created = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "staff.create", AuditEntry.target_id == str(agent.id))).one()
    assert created.actor == f"staff:{find_staff(ADMIN).id}"  # type: ignore[union-attr]
    db.session.commit()
    page.reload()
    assert _("staff.accounts.never") not in page.locator(f'tr[data-email="{AGENT}"]').inner_text()
    assert hosts == {f"127.0.0.1:{server.port}"}, hosts
    context.close()
