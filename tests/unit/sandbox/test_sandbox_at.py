import pytest

from app.sandbox import at
from app.sandbox.at import OUTCOMES, PhoneMode, SendRequestError, parse_send_form

FORM = {"username": "sandbox", "to": "+255712000001,+255712000002", "message": "Habari",
        "bulkSMSMode": "1"}


def test_parse_send_form_reads_what_the_sdk_posts() -> None:
    req = parse_send_form({**FORM, "from": "LINDA", "enqueue": "1"})
    assert req.recipients == ("+255712000001", "+255712000002")
    assert req.sender == "LINDA"
    assert req.enqueue is True
    assert req.bulk_mode == "1"


@pytest.mark.parametrize(("change", "reason"), [
    ({"username": ""}, "Missing field: username"),
    ({"to": "  "}, "Missing field: to"),
    ({"message": ""}, "Missing field: message"),
    ({"to": ", ,"}, "Invalid field: to lists no phone number"),
    ({"bulkSMSMode": "2"}, "Invalid field: bulkSMSMode"),
    ({"enqueue": "yes"}, "Invalid field: enqueue"),
])
def test_parse_send_form_names_the_bad_field(change: dict[str, str], reason: str) -> None:
    with pytest.raises(SendRequestError, match=reason):
        parse_send_form({**FORM, **change})


@pytest.mark.parametrize(("text", "parts"), [
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("[" * 80, 1),  # extension characters take two septets
    ("[" * 81, 2),
    ("ü" * 70, 1),  # ü is GSM-7
    ("ŝ" * 70, 1),  # not GSM-7: UCS-2 limits
    ("ŝ" * 71, 2),
    ("ŝ" * 135, 3),
])
def test_message_parts_counts_like_the_network(text: str, parts: int) -> None:
    assert at.message_parts(text) == parts


def test_every_mode_but_throttle_has_a_recipient_outcome() -> None:
    assert set(OUTCOMES) == set(PhoneMode) - {PhoneMode.THROTTLE}
    assert set(at.MODE_HELP) == set(PhoneMode)


@pytest.mark.parametrize(("mode", "code", "status", "accepted"), [
    (PhoneMode.NORMAL, 101, "Success", True),
    (PhoneMode.TIMEOUT, 101, "Success", True),
    (PhoneMode.UNDELIVERABLE, 101, "Success", True),
    (PhoneMode.SILENT, 101, "Success", True),
    (PhoneMode.FAIL, 500, "InternalServerError", False),
    (PhoneMode.REJECT, 403, "InvalidPhoneNumber", False),
    (PhoneMode.BLACKLIST, 406, "UserInBlacklist", False),
])
def test_outcomes_use_at_status_codes(mode: PhoneMode, code: int, status: str,
                                      accepted: bool) -> None:
    outcome = OUTCOMES[mode]
    assert (outcome.status_code, outcome.status, outcome.accepted) == (code, status, accepted)


def test_only_silent_mode_accepts_without_a_delivery_report() -> None:
    silent = [m for m, o in OUTCOMES.items() if o.accepted and o.delivery is None]
    assert silent == [PhoneMode.SILENT]


def test_send_response_sums_accepted_parts_only() -> None:
    entries = [
        at.recipient_entry("+255712000001", at.ACCEPTED, 2, "ATXid_a"),
        at.recipient_entry("+255712000002", OUTCOMES[PhoneMode.REJECT], 2, "ATXid_b"),
    ]
    data = at.send_response(entries)["SMSMessageData"]
    assert data["Message"] == "Sent to 1/2 Total Cost: TZS 60.0000"
    assert data["Recipients"][0] == {"statusCode": 101, "number": "+255712000001",
                                     "status": "Success", "cost": "TZS 60.0000",
                                     "messageId": "ATXid_a", "messageParts": 2}
    assert data["Recipients"][1]["messageId"] == "None"
    assert data["Recipients"][1]["cost"] == "0"


def test_delivery_report_form_has_failure_reason_only_when_failed() -> None:
    ok = at.delivery_report_form("ATXid_a", "+255712000001", "Success", None)
    assert ok == {"id": "ATXid_a", "status": "Success", "phoneNumber": "+255712000001",
                  "networkCode": "99999", "retryCount": "0"}
    failed = at.delivery_report_form("ATXid_a", "+255712000001", "Failed", "DeliveryFailure")
    assert failed["failureReason"] == "DeliveryFailure"
