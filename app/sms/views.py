"""Africa's Talking SMS callbacks: incoming messages and delivery reports (docs/interface.md).

Both are idempotent: AT re-posts until it gets a 200 (incoming SMS every minute for hours), so
a repeat answers 200 and changes nothing. A malformed body is a 400 naming the field, in JSON
``{"error": …}``; a wrong token is a 404 that never logs the token.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.phone import InvalidPhoneError, normalise_phone
from app.sms.services import receive_inbound, record_delivery_report
from app.sms.status import UnknownDeliveryStatusError
from app.web.security import verify_webhook_token

log = logging.getLogger(__name__)

bp = Blueprint("sms", __name__)

MAX_TEXT = 4000  # far beyond a long concatenated SMS; a bigger body is not from AT


class BadFieldError(ValueError):
    """A callback field is missing or malformed; the message names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


@bp.errorhandler(BadFieldError)
def _bad_field(exc: BadFieldError) -> ResponseReturnValue:
    log.info("rejected %s callback: %s", request.endpoint, exc)
    return jsonify(error=str(exc), field=exc.field), 400


def _required(form: MultiDict[str, str], name: str, *, max_len: int = 100,
              allow_empty: bool = False) -> str:
    value = _optional(form, name, max_len=max_len, allow_empty=allow_empty)
    if value is None:
        raise BadFieldError(name, "missing")
    return value


def _optional(form: MultiDict[str, str], name: str, *, max_len: int = 100,
              allow_empty: bool = False) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not allow_empty:
        value = value.strip()
        if not value:
            return None
    if len(value) > max_len:
        raise BadFieldError(name, f"longer than {max_len} characters")
    return value


@bp.post("/at/<token>/sms/inbound")
def inbound(token: str) -> ResponseReturnValue:
    """An SMS sent to our shortcode: store it once per ``id``, then process it in a job."""
    verify_webhook_token(token)
    form = request.form
    provider_id = _required(form, "id")
    raw_from = _required(form, "from", max_len=32)
    text = _required(form, "text", max_len=MAX_TEXT, allow_empty=True)
    try:
        sender = normalise_phone(raw_from)
    except InvalidPhoneError as exc:
        raise BadFieldError("from", str(exc)) from None
    stored = receive_inbound(
        provider_id, sender, text,
        to=_optional(form, "to", max_len=32),
        date=_optional(form, "date", max_len=40),
        link_id=_optional(form, "linkId"),
    )
    try:
        db.session.commit()
    except IntegrityError:  # the same id, posted twice at once: the other request stored it
        db.session.rollback()
        stored = None
    return jsonify(status="stored" if stored is not None else "duplicate"), 200


@bp.post("/at/<token>/sms/delivery")
def delivery(token: str) -> ResponseReturnValue:
    """A delivery report: move the message forward (never back) and keep the report.

    A report for an id we do not know yet answers 200: it is kept and applied when the send
    job commits that id (AT can report faster than we commit). A 4xx would make AT repeat
    reports for messages of other apps on the account for ever, and tell us nothing new.
    """
    verify_webhook_token(token)
    form = request.form
    provider_id = _required(form, "id")
    status = _required(form, "status", max_len=40)
    reason = _optional(form, "failureReason", max_len=1000)
    network = _optional(form, "networkCode", max_len=10)
    try:
        msg = record_delivery_report(provider_id, status,
                                     failure_reason=reason[:200] if reason else None,
                                     network_code=network)
    except UnknownDeliveryStatusError as exc:
        raise BadFieldError("status", str(exc)) from None
    try:
        db.session.commit()
    except IntegrityError:  # the same report twice at once: the other request applied it
        db.session.rollback()
        return jsonify(status="duplicate"), 200
    return jsonify(status="recorded" if msg is not None else "unknown message"), 200
