"""Reading AT's send response (pure: no app, no HTTP)."""

import json

from app.sms.gateway import parse_send_response
from app.sms.status import SendDecision


def response(*entries, message="Sent to 1/1 Total Cost: TZS 30.0000"):
    return {"SMSMessageData": {"Message": message, "Recipients": list(entries)}}


def entry(code=101, status="Success", message_id="ATXid_1"):
    return {"statusCode": code, "number": "+255712345678", "status": status,
            "cost": "TZS 30.0000", "messageId": message_id}


def test_accepted_entry_gives_the_provider_id():
    result = parse_send_response(response(entry()))
    assert result.decision is SendDecision.ACCEPTED
    assert result.provider_id == "ATXid_1"
    assert result.reason is None


def test_a_json_string_body_is_parsed():
    # The SDK returns text when the content type carries a charset (africastalking.md §5.3).
    result = parse_send_response(json.dumps(response(entry())))
    assert (result.decision, result.provider_id) == (SendDecision.ACCEPTED, "ATXid_1")


def test_a_refused_recipient_fails_with_its_status_as_reason():
    result = parse_send_response(response(entry(406, "UserInBlacklist", "None")))
    assert result.decision is SendDecision.FAIL
    assert result.provider_id is None
    assert "UserInBlacklist" in (result.reason or "")


def test_a_2xx_with_no_recipients_fails_with_ats_message():
    result = parse_send_response(response(message="InvalidSenderId"))
    assert result.decision is SendDecision.FAIL
    assert "InvalidSenderId" in (result.reason or "")


def test_an_unreadable_body_is_retried_not_dropped():
    for body in ("<xml/>", "null", json.dumps({"x": 1}), json.dumps(response("oops"))):
        assert parse_send_response(body).decision is SendDecision.RETRY


def test_accepted_without_a_message_id_is_retried():
    result = parse_send_response(response(entry(message_id="None")))
    assert result.decision is SendDecision.RETRY
