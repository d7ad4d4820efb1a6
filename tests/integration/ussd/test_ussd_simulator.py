"""``linda ussd``: the terminal phone, posting to the real webhook over HTTP."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.cases.models import Case
from app.extensions import db
from app.ussd.models import UssdSessionEvent
from tests.integration.ussd.ussd_helpers import find_place


def test_simulator_files_a_report_over_http(live_app: tuple[Flask, Any]) -> None:
    app, server = live_app
    answers = ["2", "1", *find_place().keys, "2", "1", "1", "1", "1", "1"]
    result = app.test_cli_runner().invoke(
        args=["ussd", "--phone", "0712345678", "--url", server.url],
        input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Linda: ulinzi wa watoto\n1.Mtoto yuko hatarini SASA\n2.Toa taarifa" in result.output
    db.session.expire_all()
    [case] = db.session.scalars(sa.select(Case)).all()
    assert f"Namba ya kumbukumbu:\n{case.reference}\n" in result.output
    assert case.ussd_session_id is not None and case.ussd_session_id.startswith("sim-")
    event = db.session.scalar(sa.select(UssdSessionEvent))
    assert event is not None and (event.status, event.last_screen) == ("Success", "report.done")


def test_simulator_hang_up_sends_an_incomplete_notification(live_app: tuple[Flask, Any]) -> None:
    app, server = live_app
    result = app.test_cli_runner().invoke(
        args=["ussd", "--phone", "+255712345678", "--url", server.url], input="2\n")
    assert result.exit_code == 0 and "(hung up)" in result.output
    db.session.expire_all()
    event = db.session.scalar(sa.select(UssdSessionEvent))
    assert event is not None and (event.status, event.last_screen) == (
        "Incomplete", "report.category")


def test_simulator_explains_a_bad_phone_or_url(live_app: tuple[Flask, Any]) -> None:
    app, _ = live_app
    bad_phone = app.test_cli_runner().invoke(args=["ussd", "--phone", "12"])
    assert bad_phone.exit_code != 0 and "not a phone number" in bad_phone.output
    nobody = app.test_cli_runner().invoke(
        args=["ussd", "--phone", "+255712345678", "--url", "http://127.0.0.1:9"])
    assert nobody.exit_code != 0 and "is `linda serve` running" in nobody.output
