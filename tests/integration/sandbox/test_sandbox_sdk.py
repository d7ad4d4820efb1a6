"""The real ``africastalking`` SDK against the sandbox over HTTP, and the delivery reports."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests
import sqlalchemy as sa
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService
from flask import Flask

from app.extensions import db
from app.sandbox.at import PhoneMode
from app.sandbox.models import SandboxMessage
from app.sandbox.services import describe, set_mode
from app.sandbox.tasks import post_delivery_report, sweep_delivery_reports

PHONE = "+255712000001"
OTHER = "+255712000002"


def sdk(app: Flask) -> SMSService:
    """The SDK's SMS service pointed at the live app's sandbox, as the gateway does."""
    service = SMSService("sandbox", "sandbox-key")
    service._baseUrl = app.config["AT_API_URL"]
    return service


def mode(number: str, value: PhoneMode) -> None:
    set_mode(number, value)
    db.session.commit()


def test_sdk_send_returns_the_parsed_dict(live_app) -> None:
    app, _ = live_app
    result = sdk(app).send("Kesi 1234567: mtoto Kariakoo", [PHONE, OTHER], sender_id="LINDA")
    assert isinstance(result, dict)
    data = result["SMSMessageData"]
    assert data["Message"] == "Sent to 2/2 Total Cost: TZS 60.0000"
    assert [r["number"] for r in data["Recipients"]] == [PHONE, OTHER]
    assert all(r["status"] == "Success" and r["statusCode"] == 101 for r in data["Recipients"])


def test_sdk_sees_bad_credentials_as_its_exception(live_app) -> None:
    app, _ = live_app
    service = sdk(app)
    service._headers = {**service._headers, "apiKey": ""}
    with pytest.raises(AfricasTalkingException, match="The supplied authentication is invalid"):
        service.send("x", [PHONE])


@pytest.mark.parametrize(("value", "code", "status"), [
    (PhoneMode.FAIL, 500, "InternalServerError"),
    (PhoneMode.REJECT, 403, "InvalidPhoneNumber"),
    (PhoneMode.BLACKLIST, 406, "UserInBlacklist"),
])
def test_sdk_sees_per_recipient_refusals(live_app, value: PhoneMode, code: int,
                                         status: str) -> None:
    app, _ = live_app
    mode(PHONE, value)
    data = sdk(app).send("x", [PHONE])["SMSMessageData"]
    assert data["Message"] == "Sent to 0/1 Total Cost: TZS 0.0000"
    assert data["Recipients"][0]["statusCode"] == code
    assert data["Recipients"][0]["status"] == status


def test_sdk_sees_throttle_as_an_http_error(live_app) -> None:
    app, _ = live_app
    mode(PHONE, PhoneMode.THROTTLE)
    with pytest.raises(AfricasTalkingException, match="Too Many Requests"):
        sdk(app).send("x", [PHONE])
    res = requests.post(f"{app.config['AT_API_URL']}/messaging", timeout=5,
                        data={"username": "sandbox", "to": PHONE, "message": "x"},
                        headers={"apiKey": "k"})
    assert res.status_code == 429


def test_sdk_times_out_then_the_late_message_still_arrives(live_app) -> None:
    app, _ = live_app
    app.config["SANDBOX_TIMEOUT_SECONDS"] = 0.6
    mode(PHONE, PhoneMode.TIMEOUT)
    with pytest.raises(requests.ReadTimeout):
        sdk(app).send("x", [PHONE], timeout=(1, 0.2))
    # Like a slow AT that did send: a retry after a timeout makes a duplicate.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.scalar(sa.select(sa.func.count()).select_from(SandboxMessage)):
            break
        time.sleep(0.05)
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert row.status == "Success"


def test_delivery_reports_reach_the_callback_url_with_ats_fields(
        live_app, receiver, run_jobs: Callable[[], int]) -> None:
    app, _ = live_app
    app.config["SANDBOX_BASE_URL"] = receiver.url  # stands in for Linda's webhook
    mode(OTHER, PhoneMode.UNDELIVERABLE)
    data = sdk(app).send("Kesi 1234567", [PHONE, OTHER])["SMSMessageData"]
    ids = [r["messageId"] for r in data["Recipients"]]
    run_jobs()
    reports = receiver.forms("/sms/delivery")
    token = app.config["LINDA_WEBHOOK_TOKEN"]
    assert [path for path, _ in receiver.calls] == [f"/at/{token}/sms/delivery"] * 2
    by_id = {r["id"]: r for r in reports}
    assert by_id[ids[0]] == {"id": ids[0], "status": "Success", "phoneNumber": PHONE,
                             "networkCode": "99999", "retryCount": "0"}
    assert by_id[ids[1]] == {"id": ids[1], "status": "Failed", "phoneNumber": OTHER,
                             "networkCode": "99999", "retryCount": "0",
                             "failureReason": "DeliveryFailure"}
    db.session.rollback()
    rows = db.session.scalars(sa.select(SandboxMessage)).all()
    assert all(r.callback_done_at is not None and r.callback_result == "HTTP 200" for r in rows)
    assert sorted(describe(r) for r in rows) == [
        "delivered; report → Linda HTTP 200",
        "not delivered (DeliveryFailure); report → Linda HTTP 200"]


def test_delivery_report_goes_to_the_configured_address_not_the_request_host(live_app) -> None:
    app, server = live_app  # the fixture configures SANDBOX_BASE_URL = the live server
    sdk(app).send("x", [PHONE])
    db.session.rollback()
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert row.callback_base_url == server.url


def test_delivery_report_is_posted_once_and_retried_after_a_5xx(
        live_app, receiver, run_jobs: Callable[[], int]) -> None:
    app, _ = live_app
    app.config["SANDBOX_BASE_URL"] = receiver.url
    receiver.answers["/sms/delivery"] = (503, "busy")
    sdk(app).send("x", [PHONE])
    run_jobs()
    db.session.rollback()
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert row.callback_done_at is None and row.callback_attempts == 1
    assert row.callback_result == "HTTP 503: busy"
    assert describe(row) == "delivered; report not taken yet: HTTP 503: busy"

    receiver.answers["/sms/delivery"] = (200, "")
    assert sweep_delivery_reports() == 1
    run_jobs()
    post_delivery_report(row.id)  # a second run changes nothing
    db.session.rollback()
    row = db.session.scalars(sa.select(SandboxMessage)).one()
    assert row.callback_done_at is not None and row.callback_attempts == 2
    assert len(receiver.forms("/sms/delivery")) == 2
    assert sweep_delivery_reports() == 0


def test_delivery_report_waits_for_its_delay(live_app, receiver,
                                             run_jobs: Callable[[], int]) -> None:
    app, _ = live_app
    app.config["SANDBOX_BASE_URL"] = receiver.url
    app.config["SANDBOX_DLR_DELAY_SECONDS"] = 60
    sdk(app).send("x", [PHONE])
    run_jobs()
    assert receiver.calls == []
    assert sweep_delivery_reports() == 0
