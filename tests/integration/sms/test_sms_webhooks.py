"""The AT callbacks: inbound SMS and delivery reports (docs/interface.md, "Callback URLs")."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from blinker import Signal

from app.clock import utcnow
from app.extensions import db
from app.sms.models import DeliveryReport, InboundSms, OutboundSms
from app.sms.services import queue_sms
from app.sms.signals import inbound_sms_received, sms_status_changed
from app.sms.status import SmsStatus
from app.worker.queue import state

TOKEN = "test-token-0123456789abcdef"
INBOUND = f"/at/{TOKEN}/sms/inbound"
DELIVERY = f"/at/{TOKEN}/sms/delivery"
PHONE = "+255712345678"


def inbound_form(**changes: str) -> dict[str, str]:
    form = {"from": PHONE, "to": "15000", "text": "KUBALI 1234567", "date": "2026-11-29 20:00:00",
            "id": "inbound-abc-1", "linkId": "link-1"}
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def submitted_sms(provider_id: str = "ATXid_9") -> OutboundSms:
    msg = queue_sms(PHONE, "habari")
    msg.status, msg.provider_message_id = SmsStatus.SUBMITTED, provider_id
    db.session.commit()
    return msg


@pytest.mark.parametrize("path", ["sms/inbound", "sms/delivery"])
def test_a_wrong_token_is_404_and_never_logged(client, caplog, path):
    secret = "wrong-token-that-must-not-leak"
    with caplog.at_level(logging.DEBUG):
        response = client.post(f"/at/{secret}/{path}", data=inbound_form(status="Success"))
    assert response.status_code == 404
    assert secret not in caplog.text
    assert secret[4:] not in caplog.text


@pytest.mark.parametrize("field", ["id", "from", "text"])
def test_inbound_missing_field_is_400_naming_it(client, field):
    response = client.post(INBOUND, data=inbound_form(**{field: None}))
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert field in response.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundSms)) == 0


def test_inbound_empty_text_is_stored(client):
    assert client.post(INBOUND, data=inbound_form(text="")).status_code == 200


@pytest.mark.parametrize("bad", ["", "not-a-number", "12"])
def test_inbound_bad_sender_is_400_naming_from(client, bad):
    response = client.post(INBOUND, data=inbound_form(**{"from": bad}))
    assert response.status_code == 400
    assert response.get_json()["field"] == "from"


def test_inbound_too_long_id_is_400(client):
    response = client.post(INBOUND, data=inbound_form(id="x" * 101))
    assert (response.status_code, response.get_json()["field"]) == (400, "id")


@pytest.fixture
def sms_layer_only(monkeypatch):
    """These tests are about the SMS layer alone: other features' receivers (the referral
    command handler) are swapped out for a fresh signal the test connects to."""
    fresh = Signal("inbound-sms-received (test)")
    monkeypatch.setattr("app.sms.tasks.inbound_sms_received", fresh)
    monkeypatch.setitem(globals(), "inbound_sms_received", fresh)
    return fresh


def test_inbound_is_stored_once_per_id_and_processed_once(client, run_jobs, sms_layer_only):
    handled: list[int] = []

    def handler(msg):
        handled.append(msg.id)
        msg.handled_at, msg.outcome = utcnow(), "command:ack"
        queue_sms(msg.sender, f"Umekubali: {msg.text}", purpose="reply")

    first = client.post(INBOUND, data=inbound_form(**{"from": "0712345678"}))
    again = client.post(INBOUND, data=inbound_form())
    assert (first.status_code, first.get_json()["status"]) == (200, "stored")
    assert (again.status_code, again.get_json()["status"]) == (200, "duplicate")

    with inbound_sms_received.connected_to(handler):
        run_jobs()
        run_jobs()
    msg = db.session.scalars(sa.select(InboundSms)).one()
    assert handled == [msg.id]
    assert (msg.sender, msg.text, msg.to, msg.link_id) == (PHONE, "KUBALI 1234567", "15000",
                                                           "link-1")
    assert msg.outcome == "command:ack"
    reply = db.session.scalars(sa.select(OutboundSms)).one()
    assert (reply.to, reply.body) == (PHONE, "Umekubali: KUBALI 1234567")


def test_inbound_no_receiver_took_is_marked_unhandled(client, run_jobs, caplog, sms_layer_only):
    client.post(INBOUND, data=inbound_form())
    run_jobs()
    msg = db.session.scalars(sa.select(InboundSms)).one()
    assert msg.handled_at is not None
    assert msg.outcome == "unhandled"
    assert "no receiver handled it" in caplog.text
    assert PHONE not in caplog.text
    assert PHONE.lstrip("+") not in caplog.text


def test_inbound_lost_from_redis_is_processed_by_the_reconciler(
    client, run_jobs, reconcile, sms_layer_only
):
    client.post(INBOUND, data=inbound_form())
    state().connection.flushdb()
    assert run_jobs() == 0
    assert reconcile()["sms"] == 1
    run_jobs()
    assert db.session.scalars(sa.select(InboundSms)).one().outcome == "unhandled"


def test_a_failing_receiver_leaves_the_message_for_the_next_try(
    client, run_jobs, reconcile, sms_layer_only
):
    def broken(msg):
        raise RuntimeError("handler bug")

    client.post(INBOUND, data=inbound_form())
    with inbound_sms_received.connected_to(broken):
        run_jobs()
    db.session.expire_all()
    assert db.session.scalars(sa.select(InboundSms)).one().handled_at is None
    reconcile()
    run_jobs()
    db.session.expire_all()
    assert db.session.scalars(sa.select(InboundSms)).one().outcome == "unhandled"


@pytest.mark.parametrize("field", ["id", "status"])
def test_delivery_missing_field_is_400_naming_it(client, field):
    form = {"id": "ATXid_9", "status": "Success", "phoneNumber": PHONE}
    del form[field]
    response = client.post(DELIVERY, data=form)
    assert response.status_code == 400
    assert response.get_json()["field"] == field


def test_delivery_unknown_status_is_400_with_the_reason(client):
    msg = submitted_sms()
    response = client.post(DELIVERY, data={"id": "ATXid_9", "status": "Delivered",
                                           "phoneNumber": PHONE})
    assert response.status_code == 400
    assert "unknown status 'Delivered'" in response.get_json()["error"]
    db.session.expire_all()
    assert db.session.get_one(OutboundSms, msg.id).status is SmsStatus.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryReport)) == 0


def test_delivery_for_an_unknown_id_is_200_and_kept(client):
    response = client.post(DELIVERY, data={"id": "ATXid_other_app", "status": "Success"})
    assert (response.status_code, response.get_json()["status"]) == (200, "unknown message")
    report = db.session.scalars(sa.select(DeliveryReport)).one()
    assert (report.provider_id, report.applied_at) == ("ATXid_other_app", None)


def test_delivery_failed_stores_the_reason_and_tells_once(client):
    msg = submitted_sms()
    changes: list[tuple[SmsStatus, SmsStatus]] = []

    def receiver(sender, old, new):
        changes.append((old, new))

    form = {"id": "ATXid_9", "status": "Failed", "phoneNumber": PHONE,
            "failureReason": "DeliveryFailure", "networkCode": "64004", "retryCount": "0"}
    with sms_status_changed.connected_to(receiver):
        assert client.post(DELIVERY, data=form).status_code == 200
        assert client.post(DELIVERY, data=form).status_code == 200
        assert client.post(DELIVERY, data={**form, "status": "Success"}).status_code == 200
    db.session.expire_all()
    msg = db.session.get_one(OutboundSms, msg.id)
    assert msg.status is SmsStatus.FAILED
    assert msg.failure_reason == "Failed: DeliveryFailure"
    assert changes == [(SmsStatus.SUBMITTED, SmsStatus.FAILED)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeliveryReport)) == 2


def test_delivery_intermediate_statuses_move_forward(client):
    msg = submitted_sms()
    for status, expected in [("Buffered", SmsStatus.SENT), ("Sent", SmsStatus.SENT),
                             ("Success", SmsStatus.DELIVERED), ("Submitted", SmsStatus.DELIVERED)]:
        assert client.post(DELIVERY, data={"id": "ATXid_9", "status": status}).status_code == 200
        db.session.expire_all()
        assert db.session.get_one(OutboundSms, msg.id).status is expected
