"""A new user in the sandbox, in English: the dial pad, a dropped session resumed, a consenting
reporter told once, and a responder accepting with no case number (one open alert)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.cases.services import find_by_reference
from app.cases.status import CaseStatus
from app.extensions import db
from app.gsm import sms_segments
from app.ussd.models import UssdSessionEvent
from tests.e2e.e2e_helpers import (
    ASHA,
    LANDMARK,
    REPORTER,
    RESPONDERS_CSV,
    Product,
    inbox,
    kariakoo_keys,
)

CSV = RESPONDERS_CSV.replace("Kariakoo,sw,yes", "Kariakoo,en,yes")  # Asha reads English


def pad(linda: Product, session: str, *inputs: str) -> dict[str, Any]:
    """One hop on the sandbox page's dial pad (its JSON API), the answers so far joined."""
    res = linda.http.post(f"{linda.url}/sandbox/api/ussd", timeout=10, data={
        "sessionId": session, "phoneNumber": REPORTER, "text": "*".join(inputs)})
    assert res.status_code == 200, res.text
    hop = res.json()
    assert hop["error"] is None and hop["kind"] in {"CON", "END"}, hop
    return dict(hop)


def hang_up(linda: Product, session: str, inputs: list[str], status: str) -> None:
    res = linda.http.post(f"{linda.url}/sandbox/api/ussd/end", timeout=10, data={
        "sessionId": session, "phoneNumber": REPORTER, "status": status,
        "input": "*".join(inputs), "hopsCount": str(len(inputs) + 1),
        "durationInMillis": "30000", "lastAppResponse": ""})
    assert res.status_code == 200 and res.json()["ok"] is True, res.text


def test_an_english_report_from_the_dial_pad_resumed_after_a_drop(live_app, tmp_path) -> None:
    app, server = live_app
    linda = Product(app, server.url)
    linda.set_up_directory(tmp_path, CSV)

    assert pad(linda, "pad-1", "5", "2")["screen"].startswith("Linda: child protection")
    hang_up(linda, "pad-1", ["5", "2"], "Success")

    started = ["1", "1", "2", *kariakoo_keys(), "2", "3", "2", "2"]
    for n in range(len(started) + 1):
        last = pad(linda, "pad-2", *started[:n])
    assert last["kind"] == "CON" and last["hopMetadata"] == "report.landmark"
    hang_up(linda, "pad-2", started, "Incomplete")  # the network dropped the call

    assert pad(linda, "pad-3")["screen"] == (
        "You have an unfinished report.\n1.Continue\n2.Start again")
    rest = ["1", LANDMARK, "1"]  # continue, landmark, call me back: yes
    for n in range(1, len(rest) + 1):
        assert pad(linda, "pad-3", *rest[:n])["kind"] == "CON"
    done = pad(linda, "pad-3", *rest, "1")
    assert done["kind"] == "END" and done["screen"].startswith("Thank you. Report received.")
    reference = done["screen"].split("Reference number:\n")[1][:7]
    hang_up(linda, "pad-3", [*rest, "1"], "Success")
    case = find_by_reference(reference)
    assert case is not None and case.language == "en" and case.callback_consent
    assert case.landmark == LANDMARK and case.ussd_session_id == "pad-3"

    linda.run_jobs()
    alert = inbox(ASHA)[-1]
    assert alert.startswith(f"Linda case {reference}: ") and f"Reply ACCEPT {reference}" in alert
    assert f"Call the reporter: {REPORTER}." in alert and sms_segments(alert) <= 2

    linda.reply_from_phone(ASHA, "ack")  # her only open alert: no number needed
    linda.run_jobs()
    assert find_by_reference(reference).status is CaseStatus.ACCEPTED
    assert inbox(REPORTER) == [  # consent given: the case number, then "taken up"
        f"Linda: the reference number of your report is {reference}. An officer will call you."
        " Danger now? Call 112. Help: 116 (free).",
        f"Linda: an officer has taken up report {reference} and may call you. Danger now? "
        "Call 112."]

    hops = [pad(linda, "pad-4", *answers) for answers in ([], ["3"], ["3", reference])]
    assert hops[-1]["screen"] == (f"An officer has taken report {reference} and is acting on "
                                  "it. Help: 116, Police: 112.")
    events = {e.session_id: (e.status, e.last_screen)
              for e in db.session.scalars(sa.select(UssdSessionEvent))}
    assert events == {"pad-1": ("Success", "main"), "pad-2": ("Incomplete", "report.landmark"),
                      "pad-3": ("Success", "report.done")}
