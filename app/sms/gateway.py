"""Sending one SMS through Africa's Talking: the only module that imports ``africastalking``.

The SDK's quirks are contained here (africastalking.md §5): it keeps no HTTP status on errors,
returns a str when the content type carries a charset, lets timeouts escape as ``requests``
exceptions, and reads its host from instance attributes. Callers get a ``SendResult`` whose
``decision`` says what to do with the row, and never an exception for anything AT or the
network can cause.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from africastalking.Service import DEFAULT_TIMEOUT_S, AfricasTalkingException
from africastalking.SMS import SMSService
from flask import Flask, current_app
from requests.adapters import HTTPAdapter

from app.sms.status import SendDecision, decide_http, decide_send

log = logging.getLogger(__name__)

SANDBOX_USERNAME = "sandbox"
#: Recipients of one messaging request with one text. AT takes a comma-separated ``to``;
#: a request stays well under its size limits and its answer time at this many.
MAX_RECIPIENTS = 100

_http = threading.local()


def http_session() -> requests.Session:
    """This thread's HTTP session: connections to AT are kept alive and reused.

    The SDK calls ``requests.post`` for every message, which opens a new TCP (and TLS)
    connection each time. One session per thread, because a ``requests.Session`` is not
    documented as safe to share between threads.
    """
    session: requests.Session | None = getattr(_http, "session", None)
    if session is None:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=4)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _http.session = session
    return session


@dataclass(frozen=True)
class SendResult:
    """What happened to one send request.

    Attributes:
        decision: accepted (the row is submitted), retry (try again later) or fail (final).
        provider_id: AT's ``messageId`` when accepted; delivery reports carry it as ``id``.
        status: AT's per-recipient status or the HTTP status, for staff and logs.
        reason: a short human explanation when not accepted (stored as ``failure_reason``).
        maybe_sent: the answer was lost after the request went out: AT may have sent it.
    """

    decision: SendDecision
    provider_id: str | None = None
    status: str | None = None
    reason: str | None = None
    maybe_sent: bool = False


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> SendResult: ...


def send_many(gw: SmsGateway, recipients: Sequence[str], text: str) -> list[SendResult]:
    """Send one text to several numbers: one request where the gateway can, else one each."""
    batch = getattr(gw, "send_many", None)
    if batch is not None and len(recipients) > 1:
        return list(batch(recipients, text))
    return [gw.send(to, text) for to in recipients]


class HttpStatusError(AfricasTalkingException):
    """A non-2xx answer, with the HTTP status the SDK would otherwise throw away."""

    def __init__(self, status_code: int, text: str) -> None:
        super().__init__(text)
        self.status_code = status_code
        self.text = text


class _SmsService(SMSService):  # type: ignore[misc]  # the SDK ships no type hints
    """The SDK's SMS service with our base URL and HTTP statuses kept on errors."""

    def __init__(self, username: str, api_key: str, base_url: str | None) -> None:
        self._linda_base_url = base_url
        super().__init__(username, api_key)

    def _init_service(self) -> None:
        super()._init_service()
        if self._linda_base_url:
            # Service.__init__ sets these as instance attributes (§5.5), so they are set here,
            # after the SDK computed its own, and survive for the life of this instance.
            self._baseUrl = self._linda_base_url
            self._contentUrl = self._linda_base_url

    # The SDK calls ``self.__make_post_request`` (name-mangled to this name) and then raises
    # AfricasTalkingException(res.text), losing res.status_code. Raising here keeps it, so a
    # 429 or 503 can be retried and a 401 failed. Pinned SDK <2.1; a test covers each status.
    @staticmethod
    def _Service__make_post_request(  # noqa: N802 - the SDK's mangled private name
            url: str, headers: Mapping[str, str], data: Any, params: Any,
            callback: Any = None, timeout: Any = DEFAULT_TIMEOUT_S) -> requests.Response:
        res = http_session().post(url=url, headers=headers, params=params, data=data,
                                  timeout=timeout)
        if not 200 <= res.status_code < 300:
            raise HttpStatusError(res.status_code, res.text)
        return res


class AfricasTalkingGateway:
    """Sends SMS with the real ``africastalking`` SDK.

    Args:
        username, api_key: the AT account; ``sandbox``/``sandbox`` for the built-in sandbox.
        api_url: base URL ending in ``/version1`` (e.g. ``http://127.0.0.1:5000/sandbox/version1``),
            a callable returning it (resolved at the first send, inside the app), or None for
            AT's own host chosen by the SDK from the username.
        sender_id: the ``from`` of every message (shortcode or registered alphanumeric).
        timeout: read timeout in seconds; connecting gets at most 3.05 s.
    """

    def __init__(self, username: str, api_key: str,
                 api_url: str | Callable[[], str | None] | None = None,
                 sender_id: str | None = None, timeout: float = 10) -> None:
        self.username = username
        self._api_key = api_key
        self._api_url = api_url
        self.sender_id = sender_id or None
        self.timeout = (min(3.05, timeout), float(timeout))
        self._service: _SmsService | None = None
        self._lock = threading.Lock()

    @property
    def service(self) -> _SmsService:
        """The SDK service, built once at the first send (the URL may need the app)."""
        with self._lock:
            if self._service is None:
                url = self._api_url() if callable(self._api_url) else self._api_url
                self._service = _SmsService(self.username, self._api_key,
                                            url.rstrip("/") if url else None)
                log.info("Africa's Talking gateway: user %s at %s", self.username,
                         self._service._baseUrl)
            return self._service

    def prepare(self) -> None:
        """Build the SDK service now, in the app's thread (its URL may need the app)."""
        _ = self.service

    def send(self, to: str, text: str) -> SendResult:
        """Send ``text`` to one E.164 number; never raises for AT or network trouble."""
        raw = self._post([to], text)
        if isinstance(raw, SendResult):
            return raw
        return parse_send_response(raw)

    def send_many(self, recipients: Sequence[str], text: str) -> list[SendResult]:
        """Send ``text`` to distinct numbers in one request (AT's comma-separated ``to``).

        One result per recipient, in order, read from AT's per-recipient entries; a number
        AT's answer leaves out is retried. A failure of the whole request (HTTP 429, timeout)
        is every recipient's result. Never raises for AT or network trouble.
        """
        if len(set(recipients)) != len(recipients) or len(recipients) > MAX_RECIPIENTS:
            raise ValueError("send_many takes at most MAX_RECIPIENTS distinct numbers")
        raw = self._post(list(recipients), text)
        if isinstance(raw, SendResult):
            if raw.status == "InvalidPhoneNumber":  # the SDK refused one number: ask singly
                return [self.send(to, text) for to in recipients]
            return [raw] * len(recipients)
        return parse_batch_response(raw, recipients)

    def _post(self, recipients: list[str], text: str) -> object:
        """The SDK's answer, or the ``SendResult`` of a request that failed as a whole."""
        try:
            return self.service.send(text, recipients, sender_id=self.sender_id,
                                     timeout=self.timeout)
        except HttpStatusError as exc:
            return _http_error(exc.status_code, exc.text)
        except requests.ConnectionError as exc:
            if isinstance(exc, requests.ConnectTimeout):
                return SendResult(SendDecision.RETRY, status="timeout",
                                  reason="could not connect to Africa's Talking in time")
            return SendResult(SendDecision.RETRY, status="connection-error",
                              reason=f"could not reach Africa's Talking ({type(exc).__name__})")
        except requests.Timeout:
            # AT may have accepted the message before the answer was lost: retrying may send it
            # twice. A duplicate alert is better than none (at-least-once, see tasks.send_sms).
            return SendResult(SendDecision.RETRY, status="timeout",
                              reason="no answer from Africa's Talking in time; may be sent twice",
                              maybe_sent=True)
        except requests.RequestException as exc:
            return SendResult(SendDecision.RETRY, status="request-error",
                              reason=f"request to Africa's Talking failed ({type(exc).__name__})")
        except AfricasTalkingException as exc:  # raised by the SDK itself, without a status
            return SendResult(SendDecision.RETRY, status="error", reason=_short(str(exc)))
        except ValueError as exc:  # the SDK's own check: "Invalid phone number: …"
            reason = str(exc)
            for number in recipients:
                reason = reason.replace(number, "number")
            return SendResult(SendDecision.FAIL, status="InvalidPhoneNumber",
                              reason=_short(reason))


def _http_error(status_code: int, text: str) -> SendResult:
    decision = decide_http(status_code)
    body = _short(text.strip()) or "no explanation"
    if status_code == 401:
        log.error("Africa's Talking refused our credentials (HTTP 401): check AT_USERNAME and "
                  "AT_API_KEY; a new key can take 20 minutes to work")
        reason = f"Africa's Talking refused the credentials (HTTP 401): {body}"
    else:
        reason = f"Africa's Talking answered HTTP {status_code}: {body}"
    return SendResult(decision, status=str(status_code), reason=_short(reason))


def parse_send_response(raw: object) -> SendResult:
    """Read the one recipient entry of a 2xx send response (a dict, or JSON text).

    An unreadable 2xx body is retried rather than failed: AT said yes to something, and a
    duplicate alert is better than a lost one.
    """
    recipients = _recipients(raw)
    if isinstance(recipients, SendResult):
        return recipients
    return _entry_result(recipients[0])


def parse_batch_response(raw: object, numbers: Sequence[str]) -> list[SendResult]:
    """Read the entries of a request to several numbers, matched to them by ``number``."""
    recipients = _recipients(raw)
    if isinstance(recipients, SendResult):
        return [recipients] * len(numbers)
    by_number: dict[str, object] = {}
    for entry in recipients:
        if isinstance(entry, dict):
            by_number.setdefault(_digits(str(entry.get("number") or "")), entry)
    missing = SendResult(SendDecision.RETRY, status="unreadable",
                         reason="Africa's Talking answer has no entry for this number")
    return [_entry_result(by_number[_digits(n)]) if _digits(n) in by_number else missing
            for n in numbers]


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def _recipients(raw: object) -> list[object] | SendResult:
    data: Any = raw
    if isinstance(raw, str | bytes):
        try:
            data = json.loads(raw)
        except ValueError:
            return SendResult(SendDecision.RETRY, status="unreadable",
                              reason="Africa's Talking sent an answer that is not JSON")
    try:
        message_data = data["SMSMessageData"]
        recipients = message_data.get("Recipients") or []
    except (KeyError, TypeError, AttributeError):
        return SendResult(SendDecision.RETRY, status="unreadable",
                          reason="Africa's Talking answer has no SMSMessageData")
    if not recipients:
        # e.g. {"Message": "InvalidSenderId", "Recipients": []}: a refusal of the whole request.
        message = str(message_data.get("Message") or "no recipients in the answer")
        return SendResult(SendDecision.FAIL, status="rejected",
                          reason=_short(f"Africa's Talking sent to nobody: {message}"))
    return list(recipients)


def _entry_result(entry: object) -> SendResult:
    if not isinstance(entry, dict):
        return SendResult(SendDecision.RETRY, status="unreadable",
                          reason="Africa's Talking recipient entry is not an object")
    code, status = entry.get("statusCode"), entry.get("status")
    decision = decide_send(code, status)
    label = str(status or code)
    provider_id = entry.get("messageId") or None
    if decision is SendDecision.ACCEPTED:
        if not provider_id or provider_id == "None":
            return SendResult(SendDecision.RETRY, status=label,
                              reason="Africa's Talking accepted but gave no messageId")
        return SendResult(decision, provider_id=str(provider_id), status=label)
    return SendResult(decision, status=label,
                      reason=_short(f"Africa's Talking: {status or 'unknown status'} ({code})"))


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gateway_from_config(config: Mapping[str, Any]) -> SmsGateway:
    """The gateway the settings ask for: an injected one, AT's, or the built-in sandbox."""
    injected = config.get("SMS_GATEWAY")
    if injected is not None:
        return injected  # type: ignore[no-any-return]
    username, api_key = config.get("AT_USERNAME"), config.get("AT_API_KEY")
    timeout = float(config.get("AT_TIMEOUT_SECONDS") or 10)
    sender = config.get("AT_SENDER_ID") or config.get("AT_SHORTCODE")
    if username and api_key:
        return AfricasTalkingGateway(username, api_key, config.get("AT_API_URL"), sender, timeout)
    return AfricasTalkingGateway(SANDBOX_USERNAME, SANDBOX_USERNAME, _sandbox_url, sender, timeout)


def _sandbox_url() -> str:
    """``AT_API_URL`` or this process's own sandbox; read when the first SMS goes out."""
    config = current_app.config
    if config.get("AT_API_URL"):
        return str(config["AT_API_URL"])
    base = config.get("SANDBOX_BASE_URL") or "http://127.0.0.1:5000"
    return f"{str(base).rstrip('/')}/sandbox/version1"


def init_gateway(app: Flask) -> None:
    """Choose the app's gateway once; ``gateway()`` returns it."""
    app.extensions["linda_sms_gateway"] = gateway_from_config(app.config)


def gateway() -> SmsGateway:
    """The SMS gateway of the current app."""
    return current_app.extensions["linda_sms_gateway"]  # type: ignore[no-any-return]
