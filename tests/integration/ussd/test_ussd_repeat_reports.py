"""Many reports from one phone in a day go to staff review; none is ever dropped."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from flask.testing import FlaskClient

from app.cases.models import Case
from app.clock import utcnow
from app.extensions import db
from tests.integration.ussd.test_ussd_webhook import report_path
from tests.integration.ussd.ussd_helpers import PHONE, dial, find_place

OTHER_PHONE = "+255754000111"


def _report(client: FlaskClient, path: str, session: str, phone: str = PHONE) -> str:
    reply = dial(client, path, session=session, phone=phone)
    assert reply.text.startswith("END Asante."), reply.text
    return reply.text


def _by_session() -> dict[str, Case]:
    db.session.expire_all()
    return {c.ussd_session_id: c for c in db.session.scalars(sa.select(Case))}


def test_reports_past_the_daily_limit_are_kept_and_flagged(client: FlaskClient, app) -> None:
    limit = app.config["REPORTS_PER_PHONE_PER_DAY"]
    path = report_path(find_place().keys) + "*1"
    for n in range(limit + 2):
        _report(client, path, f"same-{n}")
    _report(client, path, "other-0", phone=OTHER_PHONE)

    cases = _by_session()
    assert len(cases) == limit + 3  # every report became a case
    assert [cases[f"same-{n}"].flagged_for_review for n in range(limit + 2)] == (
        [False] * limit + [True, True])
    assert cases[f"same-{limit}"].flag_reason == f"report {limit + 1} from this phone in 24 hours"
    assert not cases["other-0"].flagged_for_review
    assert PHONE not in (cases[f"same-{limit}"].flag_reason or "")


def test_the_count_starts_again_after_a_day(client: FlaskClient, app) -> None:
    limit = app.config["REPORTS_PER_PHONE_PER_DAY"]
    path = report_path(find_place().keys) + "*1"
    for n in range(limit):
        _report(client, path, f"day1-{n}")
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        _report(client, path, "day2-0")
    assert not _by_session()["day2-0"].flagged_for_review
