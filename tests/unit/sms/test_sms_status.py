import pytest

from app.sms.status import (
    BACKOFF_SECONDS,
    DELIVERY_STATUS,
    SEND_STATUS,
    SendDecision,
    SmsStatus,
    UnknownDeliveryStatusError,
    backoff_seconds,
    can_move,
    decide_http,
    decide_send,
    map_delivery_status,
)

# Every per-recipient statusCode AT documents (africastalking.md §2.3), code and name.
DOCUMENTED = [
    (100, "Processed", SendDecision.ACCEPTED),
    (101, "Sent", SendDecision.ACCEPTED),
    (102, "Queued", SendDecision.ACCEPTED),
    (401, "RiskHold", SendDecision.FAIL),
    (402, "InvalidSenderId", SendDecision.FAIL),
    (403, "InvalidPhoneNumber", SendDecision.FAIL),
    (404, "UnsupportedNumberType", SendDecision.FAIL),
    (405, "InsufficientBalance", SendDecision.RETRY),
    (406, "UserInBlacklist", SendDecision.FAIL),
    (407, "CouldNotRoute", SendDecision.RETRY),
    (409, "DoNotDisturbRejection", SendDecision.FAIL),
    (500, "InternalServerError", SendDecision.RETRY),
    (501, "GatewayError", SendDecision.RETRY),
    (502, "RejectedByGateway", SendDecision.RETRY),
]


@pytest.mark.parametrize(("code", "name", "decision"), DOCUMENTED)
def test_decide_send_knows_every_documented_status_by_code_and_by_name(code, name, decision):
    assert decide_send(code, None) is decision
    assert decide_send(str(code), None) is decision
    assert decide_send(None, name) is decision


def test_send_status_table_has_nothing_undocumented():
    documented = {str(c) for c, _, _ in DOCUMENTED} | {n for _, n, _ in DOCUMENTED}
    extra = set(SEND_STATUS) - documented - {"Success", "UserInBlackList"}
    assert extra == set()


def test_decide_send_trusts_the_code_over_the_name():
    # AT pairs statusCode 100/101 with status "Success"; a refusal's code must win too.
    assert decide_send(101, "Success") is SendDecision.ACCEPTED
    assert decide_send(403, "Success") is SendDecision.FAIL


def test_decide_send_fails_an_unknown_status_instead_of_retrying_for_ever():
    assert decide_send(999, "Whatever") is SendDecision.FAIL
    assert decide_send(None, None) is SendDecision.FAIL


@pytest.mark.parametrize(("status", "decision"), [
    (401, SendDecision.FAIL), (400, SendDecision.FAIL), (403, SendDecision.FAIL),
    (404, SendDecision.FAIL), (408, SendDecision.RETRY), (429, SendDecision.RETRY),
    (500, SendDecision.RETRY), (502, SendDecision.RETRY), (503, SendDecision.RETRY),
])
def test_decide_http(status, decision):
    assert decide_http(status) is decision


def test_backoff_grows_then_stays_at_the_cap():
    assert [backoff_seconds(n) for n in range(1, 7)] == [30, 120, 600, 1800, 1800, 1800]
    assert backoff_seconds(0) == BACKOFF_SECONDS[0]


def test_delivery_reports_only_move_forward():
    assert can_move(SmsStatus.SUBMITTED, SmsStatus.SENT)
    assert can_move(SmsStatus.SENT, SmsStatus.DELIVERED)
    assert can_move(SmsStatus.SUBMITTED, SmsStatus.DELIVERED)
    assert not can_move(SmsStatus.DELIVERED, SmsStatus.SENT)  # a late "Sent" after "Success"
    assert not can_move(SmsStatus.DELIVERED, SmsStatus.FAILED)
    assert not can_move(SmsStatus.FAILED, SmsStatus.DELIVERED)
    assert not can_move(SmsStatus.SENT, SmsStatus.SENT)


def test_every_final_status_is_a_dead_end():
    for final in (SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED):
        assert not any(can_move(final, other) for other in SmsStatus)


@pytest.mark.parametrize(("raw", "status"), sorted(DELIVERY_STATUS.items()))
def test_map_delivery_status(raw, status):
    assert map_delivery_status(raw) is status


def test_map_delivery_status_names_the_unknown_value_and_the_known_ones():
    with pytest.raises(UnknownDeliveryStatusError) as err:
        map_delivery_status("Delivered")
    assert "'Delivered'" in str(err.value)
    assert "Success" in str(err.value)
