"""The fake AT messaging API through the Flask client: auth, validation, storage, modes."""

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.privacy import phone_hash
from app.sandbox.at import PhoneMode
from app.sandbox.models import Direction, SandboxMessage, SandboxPhone
from app.sandbox.services import set_mode

URL = "/sandbox/version1/messaging"
HEADERS = {"apiKey": "any-key", "Accept": "application/json"}
PHONE = "+255712000001"


def send(client, to: str = PHONE, message: str = "Kesi 1234567: mtoto Kariakoo",
         headers: dict[str, str] | None = None, **extra: str):
    form = {"username": "sandbox", "to": to, "message": message, "bulkSMSMode": "1", **extra}
    return client.post(URL, data=form, headers=HEADERS if headers is None else headers)


def test_missing_api_key_is_401_with_ats_text(client) -> None:
    res = send(client, headers={})
    assert res.status_code == 401
    assert res.get_data(as_text=True) == "The supplied authentication is invalid"


@pytest.mark.parametrize(("form", "reason"), [
    ({"to": PHONE, "message": "x"}, "Missing field: username"),
    ({"username": "sandbox", "message": "x"}, "Missing field: to"),
    ({"username": "sandbox", "to": PHONE}, "Missing field: message"),
    ({"username": "sandbox", "to": PHONE, "message": "x", "enqueue": "2"},
     "Invalid field: enqueue must be 0 or 1"),
])
def test_bad_fields_are_400_with_the_reason(client, form: dict[str, str], reason: str) -> None:
    res = client.post(URL, data=form, headers=HEADERS)
    assert res.status_code == 400
    assert res.get_data(as_text=True) == reason


def test_send_answers_like_at_and_stores_one_sealed_row_per_recipient(app: Flask, client) -> None:
    res = send(client, to=f"{PHONE},+255712000002", message="Habari " * 30)
    assert res.status_code == 201
    assert res.headers["Content-Type"] == "application/json"
    data = res.get_json()["SMSMessageData"]
    assert data["Message"] == "Sent to 2/2 Total Cost: TZS 120.0000"
    first = data["Recipients"][0]
    assert list(first) == ["statusCode", "number", "status", "cost", "messageId", "messageParts"]
    assert first["statusCode"] == 101 and first["status"] == "Success"
    assert first["number"] == PHONE and first["messageParts"] == 2
    assert first["messageId"].startswith("ATXid_")

    rows = db.session.scalars(sa.select(SandboxMessage).order_by(SandboxMessage.id)).all()
    assert [r.phone for r in rows] == [PHONE, "+255712000002"]
    assert rows[0].text == "Habari " * 30
    assert rows[0].direction is Direction.TO_PHONE
    assert rows[0].provider_id == first["messageId"]
    assert rows[0].phone_hash == phone_hash(PHONE)
    raw = db.session.execute(sa.text("SELECT phone_enc, text_enc FROM sandbox_messages")).all()
    assert all(PHONE not in col and "Habari" not in col for row in raw for col in row)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SandboxPhone)) == 2


def test_an_invalid_number_is_refused_per_recipient_like_at(client) -> None:
    res = send(client, to=f"+2551,{PHONE}")
    data = res.get_json()["SMSMessageData"]
    assert res.status_code == 201
    assert data["Message"] == "Sent to 1/2 Total Cost: TZS 30.0000"
    assert data["Recipients"][0] == {"statusCode": 403, "number": "+2551",
                                     "status": "InvalidPhoneNumber", "cost": "0",
                                     "messageId": "None", "messageParts": 0}


@pytest.mark.parametrize(("mode", "code", "status"), [
    (PhoneMode.FAIL, 500, "InternalServerError"),
    (PhoneMode.REJECT, 403, "InvalidPhoneNumber"),
    (PhoneMode.BLACKLIST, 406, "UserInBlacklist"),
])
def test_refusing_modes_apply_only_to_their_phone(app: Flask, client, mode: PhoneMode,
                                                  code: int, status: str) -> None:
    set_mode(PHONE, mode)
    db.session.commit()
    data = send(client, to=f"{PHONE},+255712000002").get_json()["SMSMessageData"]
    assert [(r["statusCode"], r["status"]) for r in data["Recipients"]] == [
        (code, status), (101, "Success")]
    refused = db.session.scalar(sa.select(SandboxMessage).where(
        SandboxMessage.phone_hash == phone_hash(PHONE)))
    assert refused is not None and refused.callback_due_at is None


def test_throttle_refuses_the_whole_request_with_429(app: Flask, client) -> None:
    set_mode(PHONE, PhoneMode.THROTTLE)
    db.session.commit()
    res = send(client, to=f"{PHONE},+255712000002")
    assert res.status_code == 429
    rows = db.session.scalars(sa.select(SandboxMessage)).all()
    assert [(r.phone, r.status_code) for r in rows] == [(PHONE, 429)]


def test_sandbox_is_404_when_an_at_account_is_configured(make_app: Callable[..., Flask]) -> None:
    app = make_app(env={"LINDA_ENV": "development", "AT_USERNAME": "linda",
                        "AT_API_KEY": "live-key"})
    client = app.test_client()
    for path in ("/sandbox/", "/sandbox/api/phones", "/sandbox/static/sandbox.js"):
        assert client.get(path).status_code == 404, path
    assert send(client).status_code == 404


def test_sandbox_serves_in_development_without_an_account(
        make_app: Callable[..., Flask]) -> None:
    app = make_app(env={"LINDA_ENV": "development"})
    assert app.test_client().get("/sandbox/").status_code == 200


@pytest.mark.parametrize("account", [{"AT_USERNAME": "linda"}, {"AT_API_KEY": "key"}])
def test_half_an_account_refuses_to_start(make_app: Callable[..., Flask],
                                          account: dict[str, str]) -> None:
    from app.config import ConfigError

    with pytest.raises(ConfigError, match="set both"):
        make_app(env={"LINDA_ENV": "development", **account})


def test_sandbox_is_404_in_tests_too_with_an_account(make_app: Callable[..., Flask]) -> None:
    app = make_app(env={"AT_USERNAME": "linda", "AT_API_KEY": "key"})
    assert app.test_client().get("/sandbox/").status_code == 404


def test_fetch_messages_needs_the_key_and_a_numeric_last_id(client) -> None:
    assert client.get(URL + "?username=sandbox").status_code == 401
    bad = client.get(URL + "?username=sandbox&lastReceivedId=x", headers=HEADERS)
    assert bad.status_code == 400
    ok = client.get(URL + "?username=sandbox&lastReceivedId=0", headers=HEADERS)
    assert ok.get_json() == {"SMSMessageData": {"Messages": []}}
