"""The fake AT messaging API, the virtual-phones page and its small JSON API."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from decimal import Decimal

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from app.clock import utcnow
from app.extensions import db
from app.gsm import BASIC, EXTENDED
from app.phone import InvalidPhoneError
from app.sandbox import at, services
from app.sandbox.at import MODE_HELP, PhoneMode, SendRequestError
from app.sandbox.callbacks import post_form
from app.sandbox.models import SandboxMessage

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox", template_folder="templates",
               static_folder="static")

USSD_EVENT_FIELDS = ("sessionId", "phoneNumber", "status", "input", "hopsCount",
                     "hopsMetadata", "durationInMillis", "lastAppResponse", "errorMessage")
#: The response header in which an app labels its screen; AT joins the labels of a session
#: with "|" into the end notice's ``hopsMetadata``.
HOP_METADATA_HEADER = "at-ussd-hop-metadata"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@bp.before_request
def only_without_an_at_account() -> None:
    if not services.is_enabled(current_app):
        abort(404)


def _text(body: str, status: int) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _fields() -> Mapping[str, str]:
    """Form fields, or the JSON object a script sent instead."""
    data = request.get_json(silent=True) if request.is_json else None
    if isinstance(data, dict):
        return {k: str(v) for k, v in data.items() if v is not None}
    return request.form


def _at_json(payload: object, status: int = 200) -> Response:
    """JSON in AT's own key order, with ``Content-Type: application/json`` exactly (the SDK
    parses nothing else)."""
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _callback_base() -> str:
    """Where this process reaches its own webhooks: configuration only (set by `linda serve`),
    never the request's Host header, which would send the token wherever a caller says."""
    return str(current_app.config.get("SANDBOX_BASE_URL") or DEFAULT_BASE_URL)


# --- the AT messaging API -------------------------------------------------------------------


@bp.post("/version1/messaging")
def send_messages() -> ResponseReturnValue:
    """What the SDK's ``SMS.send`` posts; answers like AT, ``Content-Type: application/json``."""
    if not services.check_credentials(request.form.get("username"), request.headers.get("apiKey")):
        return _text(at.AUTH_ERROR, 401)
    try:
        req = at.parse_send_form(request.form)
    except SendRequestError as exc:
        return _text(str(exc), 400)
    throttled = services.throttled_numbers(req)
    if throttled:
        services.record_throttled(req, throttled)
        db.session.commit()
        return _text("Too Many Requests: the sandbox phone is set to throttle", 429)
    if services.wants_timeout(req):
        db.session.rollback()  # hold no transaction while the client gives up on us
        time.sleep(current_app.config["SANDBOX_TIMEOUT_SECONDS"])
    payload = services.accept_send(req, _callback_base())
    db.session.commit()
    return _at_json(payload, 201)


@bp.get("/version1/messaging")
def fetch_messages() -> ResponseReturnValue:
    """What the SDK's ``SMS.fetch_messages`` reads: replies typed on the page."""
    if not services.check_credentials(request.args.get("username"), request.headers.get("apiKey")):
        return _text(at.AUTH_ERROR, 401)
    raw = request.args.get("lastReceivedId") or "0"
    if not raw.isdigit():
        return _text("Invalid field: lastReceivedId must be a whole number", 400)
    return _at_json({"SMSMessageData": {"Messages": services.inbox(int(raw))}})


# --- the page and its JSON API --------------------------------------------------------------


@bp.get("/")
def page() -> ResponseReturnValue:
    return render_template(
        "sandbox/index.html", service_code=current_app.config["USSD_SERVICE_CODE"],
        shortcode=_shortcode(), modes=[(m.value, MODE_HELP[m]) for m in PhoneMode],
        gsm_basic="".join(sorted(BASIC)), gsm_extended="".join(sorted(EXTENDED)))


def _shortcode() -> str:
    return str(current_app.config.get("AT_SHORTCODE") or at.DEFAULT_SHORTCODE)


def _phone_or_400(raw: str) -> str:
    try:
        return services.parse_phone(raw)
    except InvalidPhoneError as exc:
        abort(Response(f"Invalid phone number {raw!r}: {exc}", 400, mimetype="text/plain"))


@bp.get("/api/phones")
def list_phones() -> ResponseReturnValue:
    return jsonify(phones=services.phones_view())


@bp.post("/api/phones")
def add_phone() -> ResponseReturnValue:
    number = _phone_or_400(_fields().get("phone", ""))
    services.ensure_phone(number)
    db.session.commit()
    return jsonify(phone=number), 201


@bp.post("/api/phones/<phone>/mode")
def set_mode(phone: str) -> ResponseReturnValue:
    number = _phone_or_400(phone)
    raw = _fields().get("mode", "")
    try:
        mode = PhoneMode(raw)
    except ValueError:
        known = ", ".join(m.value for m in PhoneMode)
        return _text(f"Invalid field: mode {raw!r} is not one of {known}", 400)
    services.set_mode(number, mode)
    db.session.commit()
    return jsonify(phone=number, mode=mode.value)


@bp.post("/api/phones/<phone>/reply")
def reply(phone: str) -> ResponseReturnValue:
    """Send an SMS from a virtual phone: posted to Linda's inbound webhook like AT does."""
    number = _phone_or_400(phone)
    text = _fields().get("text", "")
    if not text.strip():
        return _text("Missing field: text", 400)
    msg = services.record_reply(number, text, _shortcode())
    form = services.inbound_form(msg)
    message_id = msg.id
    db.session.commit()  # committed before the call: Linda's webhook writes in another thread

    result = post_form(_callback_base(), "sms/inbound", form)

    msg = db.session.get(SandboxMessage, message_id)
    if msg is not None:
        msg.callback_attempts += 1
        msg.callback_result = result.summary()[:300]
        msg.callback_done_at = utcnow()
        msg.status = "Sent" if result.ok else "NotTaken"
        db.session.commit()
    return jsonify(id=form["id"], ok=result.ok, status=result.status, answer=result.summary())


@bp.post("/api/ussd")
def ussd_hop() -> ResponseReturnValue:
    """One dial-pad hop, posted to ``/at/<token>/ussd`` as AT posts it."""
    fields = _fields()
    number = _phone_or_400(fields.get("phoneNumber", ""))
    session_id = fields.get("sessionId", "").strip()
    if not session_id:
        return _text("Missing field: sessionId", 400)
    form = {"sessionId": session_id, "serviceCode": current_app.config["USSD_SERVICE_CODE"],
            "phoneNumber": number, "networkCode": at.NETWORK_CODE,
            "text": fields.get("text", "")}
    if not form["text"]:  # a new dial: the phone joins the list, to see the SMS it will get
        services.ensure_phone(number)
        db.session.commit()
    result = post_form(_callback_base(), "ussd", form)
    body = result.body.strip()
    kind = body[:3] if result.ok and body[:4] in {"CON ", "END "} else None
    if kind is None and result.ok and body in {"CON", "END"}:
        kind = body
    error = None
    if kind is None:
        error = (result.error or f"Linda answered HTTP {result.status} and not CON/END: "
                 f"{body[:200] or '(empty body)'}")
    hop_metadata = next((v for k, v in result.headers.items()
                         if k.lower() == HOP_METADATA_HEADER), None)
    return jsonify(kind=kind, screen=body[4:] if kind else "", error=error,
                   status=result.status, hopMetadata=hop_metadata)


@bp.post("/api/ussd/end")
def ussd_end() -> ResponseReturnValue:
    """The end-of-session notification, posted to ``/at/<token>/ussd/events``."""
    fields = _fields()
    number = _phone_or_400(fields.get("phoneNumber", ""))
    status = fields.get("status", "")
    if status not in {"Success", "Incomplete", "Failed"}:
        return _text("Invalid field: status must be Success, Incomplete or Failed", 400)
    form = {k: fields.get(k, "") for k in USSD_EVENT_FIELDS if fields.get(k) is not None}
    form.update(phoneNumber=number, serviceCode=current_app.config["USSD_SERVICE_CODE"],
                networkCode=at.NETWORK_CODE, cost=at.money(Decimal(0)),
                date=utcnow().strftime("%Y-%m-%d %H:%M:%S"))
    for optional in ("errorMessage", "hopsMetadata"):
        if not form.get(optional):
            form.pop(optional, None)
    result = post_form(_callback_base(), "ussd/events", form)
    return jsonify(ok=result.ok, status=result.status, answer=result.summary())
