"""Linda as a new user meets it: the sandbox page in a real browser, end to end.

Responders are imported and confirm with ANZA from their virtual phones; a reporter dials the
USSD code, reports an urgent case in Swahili (essentials first, the place by name, then the
details) and reads the case number; the nearest responder gets the alert, replies KUBALI and
the case is accepted; the reporter checks the status; a second report is hung up mid-way and
resumed; somebody without USSD reports by plain SMS. docs/walkthrough.md shows these screens:
``LINDA_UPDATE_SCREENSHOTS=1`` refreshes them in docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.status import CaseStatus
from app.extensions import db
from app.referral import texts
from app.ussd import menu
from app.worker.runner import EmbeddedRunner
from tests.integration.referral.referral_helpers import KARIAKOO

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RESPONDERS = """name,phone,role,region,council,ward,languages,on_duty
Insp. Neema Mushi,0713 100 001,police_gcd,Dar es Salaam,Ilala,Kariakoo,sw;en,yes
Bi. Rehema Said,0713100002,social_welfare,Dar es Salaam,Ilala,Kariakoo,sw,yes
Bw. Juma Ally,+255713100003,ward_executive,Dar es Salaam,Ilala,,sw,yes
Dkt. Asha Mwinyi,255713100004,hotline_supervisor,Dar es Salaam,,,sw;en,yes
"""
POLICE, WELFARE, WEO, SUPERVISOR = (f"+2557131000{n:02d}" for n in range(1, 5))
REPORTER = "+255754321000"
TEXTER = "+255765000111"


def ussd(key: str, **params: str) -> str:
    return menu.MESSAGES.get("sw", key, **params)


def sms(key: str, **params: str) -> str:
    return texts.messages.get("sw", key, **params)


@pytest.fixture
def runner(live_app: tuple[Any, Any]) -> Iterator[EmbeddedRunner]:
    """The in-process worker of `linda serve`, polling fast; stopped before tables empty."""
    app, _ = live_app
    worker = EmbeddedRunner(app, poll_seconds=0.1)
    worker.start()
    yield worker
    worker.stop()
    worker.join(timeout=10)


class Sandbox:
    """The /sandbox/ page, used through its visible controls only."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page, self.shots, self.taken = page, shots, 0

    def shot(self, name: str, target: Any = None) -> None:
        """Save walk-<n>-<name>.png of ``target`` (a locator; the whole page when None)."""
        self.taken += 1
        path = self.shots / f"walk-{self.taken}-{name}.png"
        if target is None:
            self.page.screenshot(path=str(path), full_page=True)
        else:
            target.screenshot(path=str(path))
        assert path.stat().st_size > 5_000  # something was drawn

    def phone(self, number: str) -> Any:
        return self.page.locator(f'article.phone[data-number="{number}"]')

    def wait_sms(self, number: str, text: str) -> None:
        self.phone(number).locator("li.to_phone").get_by_text(text).wait_for()

    def reply(self, number: str, text: str) -> None:
        card = self.phone(number)
        card.locator("textarea").fill(text)
        card.get_by_role("button", name="Send SMS").click()
        # The sent SMS shows Linda's answer (the line under the box may already be cleared).
        card.locator("li.from_phone").filter(has_text=text).filter(
            has_text="answer HTTP 200").first.wait_for()

    @property
    def screen(self) -> Any:
        return self.page.locator("#ussd-screen")

    def dial(self, phone: str, expect: str) -> None:
        self.page.fill("#ussd-phone", phone)
        self.page.fill("#ussd-input", menu_code(self.page))
        self.page.click("#ussd-send")
        self.screen.get_by_text(expect, exact=False).wait_for()

    def answer(self, text: str, expect: str) -> None:
        self.page.fill("#ussd-input", text)
        self.page.click("#ussd-send")
        self.screen.get_by_text(expect, exact=False).wait_for()

    def hang_up(self) -> None:
        self.page.click("#ussd-hangup")
        self.page.get_by_text("Session incomplete; end notice → Linda HTTP 200").wait_for()


def menu_code(page: Any) -> str:
    return str(page.evaluate("document.body.dataset.serviceCode"))


def case_by_reference(ref: str) -> Case:
    db.session.expire_all()
    case = db.session.scalars(sa.select(Case).where(Case.reference == ref)).one()
    db.session.commit()  # end the read: the server's threads write meanwhile
    return case


@pytest.mark.browser
def test_a_new_user_reports_a_case_and_a_responder_accepts_it(
        live_app, runner, chromium, tmp_path: Path) -> None:
    app, server = live_app
    shots = DOCS if os.environ.get("LINDA_UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(10_000)
    box = Sandbox(page, shots)

    # The programme officer imports the directory; each new responder is asked to confirm.
    csv = tmp_path / "responders.csv"
    csv.write_text(RESPONDERS, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["responders", "import", str(csv)])
    assert result.exit_code == 0, result.output
    page.goto(server.url + "/sandbox/")
    for number in (POLICE, WELFARE, WEO, SUPERVISOR):
        box.wait_sms(number, "ANZA")
    box.shot("responders-asked")
    for number in (POLICE, WELFARE, WEO, SUPERVISOR):
        box.reply(number, "ANZA")
    for number in (POLICE, WELFARE, WEO, SUPERVISOR):
        box.wait_sms(number, sms("reply.confirmed"))
    box.shot("responders-confirmed", box.phone(POLICE))

    # A reporter dials and reports an urgent case of forced domestic work in Kariakoo: the
    # essentials first, the place by name, then the details.
    box.dial(REPORTER, ussd("ussd.main"))
    box.shot("dial", page.locator("#dialpad"))
    box.answer("1", "Ukiweza, piga sasa 112")  # "danger now" on the main menu
    box.shot("call-112", page.locator("#dialpad"))
    for answer, next_screen in [
        ("1", ussd("ussd.category")), ("2", ussd("ussd.place")),
        ("kariakoo", "Kariakoo (Ilala, Dar es Salaam)"),
    ]:
        box.answer(answer, next_screen)
    box.shot("place-by-name", page.locator("#dialpad"))
    box.answer("1", ussd("ussd.confirm.details"))
    assert "\nKariakoo (Ilala, Dar es Salaam)\n" in box.screen.inner_text()
    box.shot("send-or-details", page.locator("#dialpad"))
    for answer, next_screen in [
        ("2", ussd("ussd.labour")), ("1", ussd("ussd.children")), ("2", ussd("ussd.when")),
        ("1", "Mahali hasa"), ("Soko kuu", ussd("ussd.callback")),
        ("2", ussd("ussd.confirm.urgent").strip()),
    ]:
        box.answer(answer, next_screen)
    assert "watoto 2-5, leo, Soko kuu" in box.screen.inner_text()
    box.shot("confirm", page.locator("#dialpad"))
    box.answer("1", "Namba ya kumbukumbu")
    page.get_by_text("Session success; end notice → Linda HTTP 200").wait_for()
    box.shot("case-number", page.locator("#dialpad"))
    ref = re.search(r"\b(\d{7})\b", box.screen.inner_text()).group(1)  # type: ignore[union-attr]
    assert box.screen.inner_text() == ussd("ussd.done", ref=ref)
    case = case_by_reference(ref)
    assert case.urgent and case.ward_id == KARIAKOO

    # The ward's police desk gets the alert and accepts it; the other responder is told.
    box.wait_sms(POLICE, f"Linda kesi {ref}:")
    box.shot("alert", box.phone(POLICE))
    box.reply(POLICE, f"KUBALI {ref}")
    box.wait_sms(POLICE, sms("reply.accepted", ref=ref))
    box.wait_sms(WELFARE, sms("notice.taken", ref=ref))
    box.shot("accepted", box.phone(POLICE))
    # The "Delivered to Linda" line of the reply went away when Linda's answer arrived.
    assert box.phone(POLICE).locator("form.reply .status").inner_text() == ""
    assert case_by_reference(ref).status is CaseStatus.ACCEPTED

    # The reporter checks the case with its number.
    box.dial(REPORTER, ussd("ussd.main"))
    box.answer("3", ussd("ussd.status.ask"))
    box.answer(ref, ussd("ussd.status.accepted", ref=ref))
    box.shot("status", page.locator("#dialpad"))

    # A second report, hung up at the place question, resumes there on the next dial.
    box.dial(REPORTER, ussd("ussd.main"))
    for answer, next_screen in [("2", ussd("ussd.category")), ("4", ussd("ussd.place"))]:
        box.answer(answer, next_screen)
    box.hang_up()
    box.dial(REPORTER, ussd("ussd.resume"))
    box.shot("resume", page.locator("#dialpad"))
    box.answer("1", ussd("ussd.place"))
    # Typing nothing: the place question shows the regions' index; a long ward list too.
    assert "3.Mwanza-Tanga" in box.screen.inner_text()
    box.shot("place-index", page.locator("#dialpad"))
    for answer, next_screen in [("3", "1.Mwanza"), ("1", "Nyamagana (Mwanza CC)"),
                                ("6", "1.Buhongwa-Mabatini")]:
        box.answer(answer, next_screen)
    box.shot("ward-index", page.locator("#dialpad"))
    box.answer("1", "3.Igogo")

    # Somebody without USSD texts the shortcode and is led through the same questions.
    page.fill("#add-phone input[name=phone]", TEXTER)
    page.click("#add-phone button")
    box.phone(TEXTER).wait_for()
    for message, expect in [
        ("Kuna mtoto anaombaomba sokoni Igogo kila siku", ussd("ussd.urgent")),
        ("hapana", ussd("ussd.category")), ("4", "Ni wapi?"),
        ("igogo", "Igogo (Nyamagana, Mwanza)"), ("1", ussd("ussd.confirm.send")),
    ]:
        box.reply(TEXTER, message)
        box.wait_sms(TEXTER, expect)
    box.reply(TEXTER, "tuma")
    box.wait_sms(TEXTER, "Namba ya kumbukumbu:")
    box.shot("sms-report", box.phone(TEXTER))

    page.set_viewport_size({"width": 360, "height": 740})  # a small phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
