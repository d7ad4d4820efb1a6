"""Linda's own outbox through the sandbox and back: the flow a developer sees on the page."""

from __future__ import annotations

import importlib.util

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.sandbox.at import PhoneMode
from app.sandbox.models import SandboxMessage
from app.sandbox.services import set_mode
from app.worker.runner import drain

PHONE = "+255712000001"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("app.sms.views") is None,
                                reason="needs the SMS gateway and webhooks (sms feature)")


def run_jobs(app) -> None:
    """Run due jobs in the served app (the ``run_jobs`` fixture drives a different app)."""
    db.session.commit()
    drain(app)
    db.session.expire_all()


def test_queued_sms_shows_on_the_phone_and_its_report_marks_it_delivered(
        live_app) -> None:
    from app.sms.services import queue_sms
    from app.sms.status import SmsStatus

    msg = queue_sms(PHONE, "Kesi 1234567: jibu KUBALI 1234567", purpose="alert")
    run_jobs(live_app[0])
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert row.phone == PHONE and row.text == "Kesi 1234567: jibu KUBALI 1234567"
    assert msg.provider_message_id == row.provider_id
    assert row.callback_result is not None and row.callback_result.startswith("HTTP 200")
    assert msg.status is SmsStatus.DELIVERED


def test_undeliverable_phone_fails_the_outbox_row_with_the_reason(
        live_app) -> None:
    from app.sms.services import queue_sms
    from app.sms.status import SmsStatus

    set_mode(PHONE, PhoneMode.UNDELIVERABLE)
    msg = queue_sms(PHONE, "Kesi 1234567", purpose="alert")
    run_jobs(live_app[0])
    assert msg.status is SmsStatus.FAILED
    assert "DeliveryFailure" in (msg.failure_reason or "")


def test_silent_phone_leaves_the_outbox_row_submitted_and_tracked(live_app) -> None:
    """AT took the message and no report ever comes: Linda keeps the row as sent, with its
    provider id, never delivered, never failed, never sent again."""
    from app.sandbox.services import phones_view
    from app.sms.services import queue_sms
    from app.sms.status import SmsStatus

    set_mode(PHONE, PhoneMode.SILENT)
    msg = queue_sms(PHONE, "Kesi 1234567", purpose="alert")
    run_jobs(live_app[0])
    run_jobs(live_app[0])  # a later round: still nothing to post, nothing sent again (one row)
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert (row.status_code, row.delivery, row.callback_due_at) == (101, None, None)
    assert msg.status is SmsStatus.SUBMITTED and msg.provider_message_id == row.provider_id
    shown = phones_view()[0]["messages"][0]["state"]
    assert shown == "accepted; no delivery report will come (silent mode)"


def test_reply_from_the_page_is_stored_as_inbound_sms(live_app) -> None:
    import requests

    from app.sms.models import InboundSms

    _, server = live_app
    res = requests.post(f"{server.url}/sandbox/api/phones/{PHONE}/reply",
                        data={"text": "KUBALI 1234567"}, timeout=10)
    assert res.json()["ok"] is True
    db.session.expire_all()
    inbound = db.session.scalars(sa.select(InboundSms)).one()
    assert inbound.sender == PHONE and inbound.text == "KUBALI 1234567"
    assert inbound.provider_id == res.json()["id"]
