"""Outbound SMS statuses, provider status mapping, and the rule that nothing moves backwards."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final


class SmsStatus(enum.StrEnum):
    QUEUED = "queued"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker
    SUBMITTED = "submitted"  # accepted by the provider; has a provider id
    SENT = "sent"  # the provider handed it to the network (Sent/Submitted/Buffered)
    DELIVERED = "delivered"  # reached the handset
    FAILED = "failed"  # final: the provider or network refused or lost it
    EXPIRED = "expired"  # final: too old to matter, never sent


FINAL: Final = frozenset({SmsStatus.DELIVERED, SmsStatus.FAILED, SmsStatus.EXPIRED})
#: How the reason of an SMS withdrawn before any try begins: it became pointless (another SMS
#: said the same), so it ends ``expired`` yet is no sending error and is never shown as one.
WITHDRAWN: Final = "withdrawn: "

# Progress order: a report may only move a message forward. Finals share the top rank, so a
# late "Success" after "Failed" (or the reverse) changes nothing.
RANK: Final[Mapping[SmsStatus, int]] = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.SUBMITTED: 2,
    SmsStatus.SENT: 3,
    SmsStatus.DELIVERED: 9,
    SmsStatus.FAILED: 9,
    SmsStatus.EXPIRED: 9,
}

#: Every delivery-report status Africa's Talking documents.
DELIVERY_STATUS: Final[Mapping[str, SmsStatus]] = {
    "Sent": SmsStatus.SENT,
    "Submitted": SmsStatus.SENT,
    "Buffered": SmsStatus.SENT,
    "Success": SmsStatus.DELIVERED,
    "Failed": SmsStatus.FAILED,
    "Rejected": SmsStatus.FAILED,
    "AbsentSubscriber": SmsStatus.FAILED,
    "Expired": SmsStatus.FAILED,
}


class UnknownDeliveryStatusError(ValueError):
    """A delivery report named a status Africa's Talking does not document."""


def map_delivery_status(raw: str) -> SmsStatus:
    """Translate a delivery report's ``status`` field.

    Raises:
        UnknownDeliveryStatusError: not one of the documented values.
    """
    try:
        return DELIVERY_STATUS[raw]
    except KeyError:
        known = ", ".join(sorted(DELIVERY_STATUS))
        raise UnknownDeliveryStatusError(
            f"unknown status {raw!r}; expected one of {known}") from None


def can_move(current: SmsStatus, new: SmsStatus) -> bool:
    """True when ``new`` is progress from ``current`` (never backwards, never off a final)."""
    if current in FINAL:
        return False
    return RANK[new] > RANK[current]


class SendDecision(enum.StrEnum):
    ACCEPTED = "accepted"
    RETRY = "retry"
    FAIL = "fail"


#: Per-recipient ``statusCode``/``status`` of the send response → what to do. Codes and names
#: are both listed because AT sends both and older gateways only one. 4xx are the recipient's or
#: the account's problem and fail at once; 405 (no credit) and the 5xx are retried, because an
#: operator can top up and AT's own faults pass.
SEND_STATUS: Final[Mapping[str, SendDecision]] = {
    "100": SendDecision.ACCEPTED,  # Processed
    "101": SendDecision.ACCEPTED,  # Sent
    "102": SendDecision.ACCEPTED,  # Queued
    "401": SendDecision.FAIL,  # RiskHold
    "402": SendDecision.FAIL,  # InvalidSenderId
    "403": SendDecision.FAIL,  # InvalidPhoneNumber
    "404": SendDecision.FAIL,  # UnsupportedNumberType
    "405": SendDecision.RETRY,  # InsufficientBalance: an operator tops up; keep trying
    "406": SendDecision.FAIL,  # UserInBlacklist
    "407": SendDecision.RETRY,  # CouldNotRoute: often transient
    "409": SendDecision.FAIL,  # DoNotDisturbRejection
    "500": SendDecision.RETRY,  # InternalServerError
    "501": SendDecision.RETRY,  # GatewayError
    "502": SendDecision.RETRY,  # RejectedByGateway
    "Success": SendDecision.ACCEPTED,
    "Sent": SendDecision.ACCEPTED,
    "Queued": SendDecision.ACCEPTED,
    "Processed": SendDecision.ACCEPTED,
    "RiskHold": SendDecision.FAIL,
    "InvalidSenderId": SendDecision.FAIL,
    "InvalidPhoneNumber": SendDecision.FAIL,
    "UnsupportedNumberType": SendDecision.FAIL,
    "InsufficientBalance": SendDecision.RETRY,
    "UserInBlacklist": SendDecision.FAIL,
    "UserInBlackList": SendDecision.FAIL,
    "CouldNotRoute": SendDecision.RETRY,
    "DoNotDisturbRejection": SendDecision.FAIL,
    "InternalServerError": SendDecision.RETRY,
    "GatewayError": SendDecision.RETRY,
    "RejectedByGateway": SendDecision.RETRY,
}


def decide_send(status_code: str | int | None, status: str | None) -> SendDecision:
    """Decide from one recipient entry; an unknown code fails rather than loops forever.

    The numeric code wins when both are known: AT pairs 100 with "Success", so the name alone
    is not trusted over the code.
    """
    for key in (str(status_code) if status_code is not None else None, status):
        if key is not None and key in SEND_STATUS:
            return SEND_STATUS[key]
    return SendDecision.FAIL


def decide_http(status_code: int) -> SendDecision:
    """What a non-2xx answer to the send request means for the message.

    408, 429 and every 5xx are AT or the network being busy: retry. Any other 4xx (401 bad
    credentials, 400 a request AT will never accept) would fail the same way again: fail now
    with the reason, so that referral moves on to another responder instead of waiting.
    """
    if status_code in (408, 429) or status_code >= 500:
        return SendDecision.RETRY
    return SendDecision.FAIL


#: Seconds to wait before the next try after the n-th failed one (n = 1, 2, …); the last
#: value repeats. A responder alert expires after ALERT_MAX_AGE_SECONDS anyway.
BACKOFF_SECONDS: Final = (30, 120, 600, 1800)
#: Tries before a message that keeps hitting retryable errors is failed for good.
MAX_ATTEMPTS: Final = 8


def backoff_seconds(attempts: int) -> int:
    """The delay after ``attempts`` failed tries (``attempts`` ≥ 1)."""
    index = min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1
    return BACKOFF_SECONDS[index]
