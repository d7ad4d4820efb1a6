"""Finding 3: bad bytes in any callback field are a 400 naming the field, never a 500.

PostgreSQL refuses NUL in text; other control characters have no business in AT's fields and
end up on staff terminals. Bodies are capped. The Hypothesis runs post anything to every
callback; run this file on both databases (embedded and DATABASE_URL/REDIS_URL).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.sms.models import DeliveryReport, InboundSms
from app.ussd.models import UssdSessionEvent
from tests.conftest import WEBHOOK_TOKEN

INBOUND = {"id": "ATXid_in1", "from": "+255712000001", "to": "15000", "text": "KUBALI 1234567",
           "date": "2026-11-30 10:00:00", "linkId": "link-1"}
DELIVERY = {"id": "ATXid_out1", "status": "Success", "phoneNumber": "+255712000001",
            "failureReason": "", "retryCount": "0", "networkCode": "64002"}
EVENTS = {"sessionId": "sess-1", "serviceCode": "*149*46#", "phoneNumber": "+255712000001",
          "status": "Incomplete", "hopsCount": "2", "durationInMillis": "5000",
          "networkCode": "64002", "errorMessage": "", "hopsMetadata": "menu|place"}
CALLBACKS = {"sms/inbound": INBOUND, "sms/delivery": DELIVERY, "ussd/events": EVENTS}


def post(client: FlaskClient, path: str, data: dict[str, str]):
    return client.post(f"/at/{WEBHOOK_TOKEN}/{path}", data=data)


@pytest.mark.parametrize(("path", "field"), [
    *[("sms/inbound", f) for f in INBOUND],
    *[("sms/delivery", f) for f in DELIVERY],
    *[("ussd/events", f) for f in EVENTS],
])
@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x7f", "\x85"])
def test_a_control_character_in_any_field_is_a_400_naming_it(client, path, field, bad) -> None:
    data = dict(CALLBACKS[path])
    data[field] = (data[field] or "x") + bad
    res = post(client, path, data)
    assert res.status_code == 400, res.get_data(as_text=True)
    assert res.get_json()["field"] == field
    assert field in res.get_json()["error"]
    db.session.rollback()
    for model in (InboundSms, DeliveryReport, UssdSessionEvent):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0


def test_newline_and_tab_are_fine_in_sms_text(client) -> None:
    res = post(client, "sms/inbound", {**INBOUND, "text": "KATAA 1234567\nniko\tmbali\r\n"})
    assert res.status_code == 200 and res.get_json()["status"] == "stored"
    res = post(client, "sms/inbound", {**INBOUND, "id": "ATXid_in2", "linkId": "a\nb"})
    assert res.status_code == 400 and res.get_json()["field"] == "linkId"


def test_a_ussd_hop_with_a_control_character_reads_the_help_screen(client) -> None:
    res = post(client, "ussd", {"sessionId": "s\x00", "serviceCode": "*149*46#",
                                "phoneNumber": "+255712000001", "text": ""})
    assert res.status_code == 200 and res.text.startswith("END ") and "116" in res.text


@pytest.mark.parametrize("path", [*CALLBACKS, "ussd"])
def test_a_body_beyond_the_cap_is_a_413(client, path) -> None:
    data = dict(CALLBACKS.get(path, {"sessionId": "s", "serviceCode": "*149*46#",
                                     "phoneNumber": "+255712000001"}))
    data["text"] = "a" * 20_000
    assert post(client, path, data).status_code == 413


FIELD_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def _fuzz(client: FlaskClient, path: str, base: dict[str, str], fields: dict[str, str]) -> None:
    data = {**base, **fields}
    res = post(client, path, data)
    assert res.status_code in (200, 400), (res.status_code, data)
    if res.status_code == 400:
        body = res.get_json()
        assert body["field"] and body["error"]
    db.session.rollback()


FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(sorted(INBOUND)), FIELD_TEXT, max_size=6))
def test_fuzz_inbound_sms_never_fails(client, fields) -> None:
    _fuzz(client, "sms/inbound", INBOUND, fields)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(sorted(DELIVERY)), FIELD_TEXT, max_size=6))
def test_fuzz_delivery_reports_never_fail(client, fields) -> None:
    _fuzz(client, "sms/delivery", DELIVERY, fields)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(sorted(EVENTS)), FIELD_TEXT, max_size=9))
def test_fuzz_ussd_events_never_fail(client, fields) -> None:
    _fuzz(client, "ussd/events", EVENTS, fields)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["sessionId", "serviceCode", "phoneNumber",
                                               "text", "networkCode"]), FIELD_TEXT, max_size=5))
def test_fuzz_ussd_hops_always_answer_a_screen(client, fields) -> None:
    base = {"sessionId": "fz", "serviceCode": "*149*46#", "phoneNumber": "+255712000001",
            "text": ""}
    res = post(client, "ussd", {**base, **fields})
    assert res.status_code == 200 and res.text.startswith(("CON ", "END "))
    db.session.rollback()
