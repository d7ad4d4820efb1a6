"""What guards every Africa's Talking callback: the secret path segment, a cap on the body,
and fields free of control characters (PostgreSQL refuses NUL; terminals obey escapes)."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable, Mapping

from flask import abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue

log = logging.getLogger(__name__)

#: Fields where line breaks and tabs belong: an SMS a person typed, and the USSD screen AT
#: echoes back in the end-of-session notice.
MULTILINE_FIELDS = frozenset({"text", "lastAppResponse"})
#: Unicode's control characters (category Cc) are exactly C0, DEL and C1: one regex scan per
#: value instead of a category lookup per character (every USSD hop checks its fields).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_NOT_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadCallbackFieldError(ValueError):
    """A callback field holds what no AT callback ever sends; the message names the field."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def verify_webhook_token(token: str, *, check_fields: bool = True) -> None:
    """Answer 404 unless ``token`` is ours (logged without the token), cap the body (413),
    and, unless the caller checks them itself, refuse control characters (400)."""
    expected = current_app.config["LINDA_WEBHOOK_TOKEN"]
    if not hmac.compare_digest(token.encode(), expected.encode()):
        log.warning("callback with a wrong token (prefix %s…)", token[:2])
        abort(404)
    request.max_content_length = current_app.config["CALLBACK_MAX_BYTES"]
    if check_fields:
        field = bad_field(request.form)
        if field is not None:
            raise BadCallbackFieldError(field, "contains a control character (e.g. NUL)")


def has_control(value: str, *, multiline: bool = False) -> bool:
    """True when ``value`` holds a control character (C0, DEL, C1); line breaks and tabs are
    allowed where a person typed several lines."""
    return (_CONTROL_NOT_LINE if multiline else _CONTROL).search(value) is not None


def bad_field(form: Mapping[str, str], multiline: Iterable[str] = MULTILINE_FIELDS
              ) -> str | None:
    """The name of the first field (or field name) with a control character, else None."""
    lines = frozenset(multiline)
    for name in form:
        if has_control(name):
            return name.encode("unicode_escape").decode()[:40]
        values = form.getlist(name) if hasattr(form, "getlist") else [form[name]]
        if any(has_control(v, multiline=name in lines) for v in values):
            return name
    return None


def bad_field_response(exc: BadCallbackFieldError) -> ResponseReturnValue:
    log.info("rejected %s callback: %s", request.endpoint, exc)
    return jsonify(error=str(exc), field=exc.field), 400
