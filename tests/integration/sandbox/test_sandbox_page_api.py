"""The page's JSON API: phones, modes, replies to Linda's inbound webhook, the USSD dial pad."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.sandbox.models import Direction, SandboxMessage

PHONE = "+255712000001"


@pytest.fixture
def sandbox(make_app: Callable[..., Flask], receiver):
    """A test client whose sandbox calls go to the receiver instead of Linda's webhooks."""
    app = make_app(SANDBOX_BASE_URL=receiver.url, env={"AT_SHORTCODE": "15522"})
    with app.app_context():
        yield app.test_client()


def test_page_renders_with_the_service_code_and_modes(client) -> None:
    res = client.get("/sandbox/")
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "*149*46#" in html and "USSD dial pad" in html
    assert 'value="undeliverable"' in html and 'value="throttle"' in html
    with client.get("/sandbox/static/sandbox.js") as script:
        assert script.status_code == 200


def test_phones_appear_when_messaged_or_added_newest_first(client) -> None:
    client.post("/sandbox/version1/messaging", headers={"apiKey": "k"},
                data={"username": "sandbox", "to": PHONE, "message": "Kesi 1234567"})
    assert client.post("/sandbox/api/phones", data={"phone": "0712 000 002"}).status_code == 201
    phones = client.get("/sandbox/api/phones").get_json()["phones"]
    assert [p["number"] for p in phones] == ["+255712000002", PHONE]
    msg = phones[1]["messages"][0]
    assert msg["text"] == "Kesi 1234567" and msg["direction"] == "to_phone"
    assert msg["state"] == "accepted; delivery report (Success) pending"
    assert phones[0]["messages"] == [] and phones[0]["mode"] == "normal"


def test_add_phone_rejects_a_non_number(client) -> None:
    res = client.post("/sandbox/api/phones", data={"phone": "hello"})
    assert res.status_code == 400
    assert "Invalid phone number 'hello'" in res.get_data(as_text=True)


def test_mode_is_set_by_api_and_checked(client) -> None:
    ok = client.post(f"/sandbox/api/phones/{PHONE}/mode", data={"mode": "blacklist"})
    assert ok.get_json() == {"phone": PHONE, "mode": "blacklist"}
    assert client.get("/sandbox/api/phones").get_json()["phones"][0]["mode"] == "blacklist"
    bad = client.post(f"/sandbox/api/phones/{PHONE}/mode", json={"mode": "broken"})
    assert bad.status_code == 400
    assert "mode 'broken' is not one of normal, fail" in bad.get_data(as_text=True)
    assert client.post("/sandbox/api/phones/12/mode", data={"mode": "fail"}).status_code == 400


def test_reply_posts_to_the_inbound_webhook_exactly_like_at(sandbox, receiver) -> None:
    res = sandbox.post("/sandbox/api/phones/%2B255712000001/reply", data={"text": "KUBALI 1234567"})
    assert res.get_json()["ok"] is True
    assert res.get_json()["answer"] == "HTTP 200"
    (path, form), = receiver.calls
    assert path.endswith("/sms/inbound") and "/at/" in path
    assert form["from"] == PHONE and form["to"] == "15522" and form["text"] == "KUBALI 1234567"
    assert form["networkCode"] == "99999" and form["id"].startswith("ATXid_") and form["linkId"]
    assert len(form["date"]) == len("2026-01-01 10:00:00")

    again = sandbox.post(f"/sandbox/api/phones/{PHONE}/reply", data={"text": "KUBALI 1234567"})
    assert again.get_json()["id"] != form["id"]  # every SMS has its own id
    row = db.session.scalars(sa.select(SandboxMessage).order_by(SandboxMessage.id)).first()
    assert row is not None and row.direction is Direction.FROM_PHONE and row.status == "Sent"
    state = sandbox.get("/sandbox/api/phones").get_json()["phones"][0]["messages"][0]["state"]
    assert state == "sent to Linda, answer HTTP 200"


def test_reply_shows_linda_refusing_it(sandbox, receiver) -> None:
    receiver.answers["/sms/inbound"] = (400, "Missing field: text")
    res = sandbox.post(f"/sandbox/api/phones/{PHONE}/reply", data={"text": "x"})
    assert res.get_json() == {"id": res.get_json()["id"], "ok": False, "status": 400,
                              "answer": "HTTP 400: Missing field: text"}
    assert sandbox.post(f"/sandbox/api/phones/{PHONE}/reply", data={"text": " "}
                        ).status_code == 400


def test_reply_when_linda_is_unreachable_says_so(make_app: Callable[..., Flask]) -> None:
    app = make_app(SANDBOX_BASE_URL="http://127.0.0.1:9")  # discard port: nothing listens
    with app.app_context():
        res = app.test_client().post(f"/sandbox/api/phones/{PHONE}/reply", data={"text": "x"})
    assert res.get_json()["ok"] is False
    assert res.get_json()["answer"].startswith("cannot reach Linda at http://127.0.0.1:9")


def test_fetch_messages_lists_replies(sandbox, receiver) -> None:
    sandbox.post(f"/sandbox/api/phones/{PHONE}/reply", data={"text": "HELP"})
    res = sandbox.get("/sandbox/version1/messaging?username=sandbox&lastReceivedId=0",
                      headers={"apiKey": "k"})
    (msg,) = res.get_json()["SMSMessageData"]["Messages"]
    assert (msg["from"], msg["to"], msg["text"]) == (PHONE, "15522", "HELP")
    later = sandbox.get(f"/sandbox/version1/messaging?username=sandbox&lastReceivedId={msg['id']}",
                        headers={"apiKey": "k"})
    assert later.get_json()["SMSMessageData"]["Messages"] == []


def test_ussd_hop_posts_like_at_and_splits_con_and_end(sandbox, receiver) -> None:
    receiver.answers["/ussd"] = (200, "CON Karibu Linda\n1. Ripoti",
                                 {"at-ussd-hop-metadata": "main"})
    res = sandbox.post("/sandbox/api/ussd", data={"sessionId": "ATUid_1", "phoneNumber": PHONE,
                                                  "text": ""})
    assert res.get_json() == {"kind": "CON", "screen": "Karibu Linda\n1. Ripoti",
                              "error": None, "status": 200, "hopMetadata": "main"}
    receiver.answers["/ussd"] = (200, "END Asante")
    res = sandbox.post("/sandbox/api/ussd", data={"sessionId": "ATUid_1", "phoneNumber": PHONE,
                                                  "text": "1*2"})
    assert res.get_json()["kind"] == "END" and res.get_json()["screen"] == "Asante"
    forms = receiver.forms("/ussd")
    assert [p["number"] for p in sandbox.get("/sandbox/api/phones").get_json()["phones"]] == [
        PHONE]  # dialling adds the phone to the list
    assert forms[1] == {"sessionId": "ATUid_1", "serviceCode": "*149*46#", "phoneNumber": PHONE,
                        "networkCode": "99999", "text": "1*2"}


def test_ussd_hop_shows_a_missing_webhook_clearly(sandbox, receiver) -> None:
    receiver.answers["/ussd"] = (404, "Not Found")
    res = sandbox.post("/sandbox/api/ussd", data={"sessionId": "s", "phoneNumber": PHONE})
    assert res.get_json()["kind"] is None
    assert res.get_json()["error"] == "Linda answered HTTP 404 and not CON/END: Not Found"
    missing = sandbox.post("/sandbox/api/ussd", data={"phoneNumber": PHONE})
    assert missing.status_code == 400


def test_ussd_end_posts_the_session_notification(sandbox, receiver) -> None:
    res = sandbox.post("/sandbox/api/ussd/end", data={
        "sessionId": "ATUid_1", "phoneNumber": PHONE, "status": "Incomplete", "input": "1*2",
        "hopsCount": "3", "durationInMillis": "5400", "lastAppResponse": "CON Umri?",
        "hopsMetadata": "main|report.age"})
    assert res.get_json()["ok"] is True
    (form,) = receiver.forms("/ussd/events")
    assert form["status"] == "Incomplete" and form["input"] == "1*2"
    assert form["hopsCount"] == "3" and form["durationInMillis"] == "5400"
    assert form["serviceCode"] == "*149*46#" and form["networkCode"] == "99999"
    assert form["lastAppResponse"] == "CON Umri?" and form["date"] and form["cost"]
    assert form["hopsMetadata"] == "main|report.age"
    assert "errorMessage" not in form
    bad = sandbox.post("/sandbox/api/ussd/end", data={"phoneNumber": PHONE, "status": "Maybe"})
    assert bad.status_code == 400
