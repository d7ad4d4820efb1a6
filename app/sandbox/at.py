"""What Africa's Talking answers, as data: failure modes, recipient entries, parts and cost.

Pure: no Flask, no database. The views and services turn these values into HTTP answers and rows.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from app.gsm import gsm7_length, is_gsm7

#: The sandbox network, as AT's own sandbox reports it ("Athena").
NETWORK_CODE: Final = "99999"
#: What the sandbox charges per SMS part; AT's price list is per account, so this is only a
#: plausible figure that makes the "Total Cost" line look like the real one.
PRICE_PER_PART: Final = Decimal("30.0000")
CURRENCY: Final = "TZS"
DEFAULT_SHORTCODE: Final = "15000"
AUTH_ERROR: Final = "The supplied authentication is invalid"


class PhoneMode(enum.StrEnum):
    """How a virtual phone's network treats messages sent to it."""

    NORMAL = "normal"  # accepted, then delivered
    FAIL = "fail"  # 500 InternalServerError for this recipient: the sender should retry
    REJECT = "reject"  # 403 InvalidPhoneNumber: permanent
    BLACKLIST = "blacklist"  # 406 UserInBlacklist: the person opted out; permanent
    THROTTLE = "throttle"  # HTTP 429 for the whole request
    TIMEOUT = "timeout"  # the answer comes after the client's read timeout
    UNDELIVERABLE = "undeliverable"  # accepted, then the delivery report says Failed
    SILENT = "silent"  # accepted, and no delivery report ever comes


MODE_HELP: Final[Mapping[PhoneMode, str]] = {
    PhoneMode.NORMAL: "accepted and delivered",
    PhoneMode.FAIL: "recipient status 500 InternalServerError (retryable)",
    PhoneMode.REJECT: "recipient status 403 InvalidPhoneNumber",
    PhoneMode.BLACKLIST: "recipient status 406 UserInBlacklist",
    PhoneMode.THROTTLE: "HTTP 429 for the whole request",
    PhoneMode.TIMEOUT: "answers only after SANDBOX_TIMEOUT_SECONDS, then accepts",
    PhoneMode.UNDELIVERABLE: "accepted, then delivery report Failed (DeliveryFailure)",
    PhoneMode.SILENT: "accepted, then no delivery report ever",
}


#: AT's per-recipient codes for a message it took.
ACCEPTED_CODES: Final = frozenset({100, 101, 102})


@dataclass(frozen=True)
class Outcome:
    """What AT says about one recipient, and (when accepted) what its delivery report will say."""

    status_code: int
    status: str
    delivery: str | None = None  # delivery report status; None: no report will ever come
    failure_reason: str | None = None

    @property
    def accepted(self) -> bool:
        """AT took the message (100 Processed, 101 Sent, 102 Queued): it has a message id and
        costs money, whether or not a delivery report follows."""
        return self.status_code in ACCEPTED_CODES


ACCEPTED: Final = Outcome(101, "Success", delivery="Success")
INVALID_NUMBER: Final = Outcome(403, "InvalidPhoneNumber")

OUTCOMES: Final[Mapping[PhoneMode, Outcome]] = {
    PhoneMode.NORMAL: ACCEPTED,
    PhoneMode.TIMEOUT: ACCEPTED,  # a slow AT that did send: a retry makes a duplicate
    PhoneMode.FAIL: Outcome(500, "InternalServerError"),
    PhoneMode.REJECT: INVALID_NUMBER,
    PhoneMode.BLACKLIST: Outcome(406, "UserInBlacklist"),
    PhoneMode.UNDELIVERABLE: Outcome(101, "Success", delivery="Failed",
                                      failure_reason="DeliveryFailure"),
    # A network that took the message and never reports on it (a report lost upstream, a
    # handset that stays off past the report's validity): the sender must keep tracking it.
    PhoneMode.SILENT: Outcome(101, "Success"),
}


class SendRequestError(ValueError):
    """A messaging request is malformed; the message names the field."""


@dataclass(frozen=True)
class SendRequest:
    """The form the SDK posts to ``/version1/messaging``, checked."""

    username: str
    recipients: tuple[str, ...]
    message: str
    sender: str | None
    bulk_mode: str
    enqueue: bool


def parse_send_form(form: Mapping[str, str]) -> SendRequest:
    """Check the fields of a send request as AT does.

    Raises:
        SendRequestError: a required field is missing or a flag is not 0 or 1.
    """
    for name in ("username", "to", "message"):
        if not (form.get(name) or "").strip():
            raise SendRequestError(f"Missing field: {name}")
    recipients = tuple(n.strip() for n in form["to"].split(",") if n.strip())
    if not recipients:
        raise SendRequestError("Invalid field: to lists no phone number")
    bulk_mode = (form.get("bulkSMSMode") or "1").strip()
    if bulk_mode not in {"0", "1"}:
        raise SendRequestError("Invalid field: bulkSMSMode must be 1 (bulk) or 0 (premium)")
    enqueue = (form.get("enqueue") or "0").strip()
    if enqueue not in {"0", "1"}:
        raise SendRequestError("Invalid field: enqueue must be 0 or 1")
    sender = (form.get("from") or "").strip() or None
    return SendRequest(form["username"].strip(), recipients, form["message"], sender,
                       bulk_mode, enqueue == "1")


def message_parts(text: str) -> int:
    """Billed SMS parts: 160/153 septets in GSM-7, 70/67 characters in UCS-2."""
    if is_gsm7(text):
        length, single, multi = gsm7_length(text), 160, 153
    else:
        length, single, multi = len(text), 70, 67
    if length <= single:
        return 1
    return math.ceil(length / multi)


def money(amount: Decimal) -> str:
    """AT's way of writing an amount: ``TZS 30.0000``."""
    return f"{CURRENCY} {amount.quantize(Decimal('0.0001'))}"


def recipient_entry(number: str, outcome: Outcome, parts: int, message_id: str | None
                    ) -> dict[str, object]:
    """One ``Recipients`` item exactly as AT writes it (a refused one costs 0, id "None")."""
    if not outcome.accepted:
        return {"statusCode": outcome.status_code, "number": number, "status": outcome.status,
                "cost": "0", "messageId": "None", "messageParts": 0}
    return {"statusCode": outcome.status_code, "number": number, "status": outcome.status,
            "cost": money(PRICE_PER_PART * parts), "messageId": message_id,
            "messageParts": parts}


def send_response(entries: list[dict[str, object]]) -> dict[str, object]:
    """The whole ``SMSMessageData`` answer with its "Sent to n/m Total Cost" line."""
    accepted = [e for e in entries if e["messageId"] != "None"]
    total = sum((PRICE_PER_PART * int(str(e["messageParts"])) for e in accepted), Decimal(0))
    return {"SMSMessageData": {
        "Message": f"Sent to {len(accepted)}/{len(entries)} Total Cost: {money(total)}",
        "Recipients": entries,
    }}


def delivery_report_form(message_id: str, phone: str, delivery: str,
                         failure_reason: str | None) -> dict[str, str]:
    """The form AT posts to the delivery-report callback."""
    form = {"id": message_id, "status": delivery, "phoneNumber": phone,
            "networkCode": NETWORK_CODE, "retryCount": "0"}
    if failure_reason:
        form["failureReason"] = failure_reason
    return form
