"""JSON logs on request: one object a line, with the request id, and nothing personal."""

from __future__ import annotations

import io
import json
import logging

from app.ops.logs import JsonFormatter, RequestIdFilter
from tests.conftest import WEBHOOK_TOKEN

PHONE = "+255754123987"


def test_json_lines_carry_the_request_id_and_no_phone_number(client) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("app")
    logger.addHandler(handler)
    try:
        res = client.post(f"/at/{WEBHOOK_TOKEN}/ussd", data={
            "sessionId": "json-log-1", "serviceCode": "*000#", "phoneNumber": PHONE,
            "networkCode": "63902", "text": ""},  # an unknown code: logged, answered END
            headers={"X-Request-ID": "req-from-the-proxy-1"})
        again = client.post(f"/at/{WEBHOOK_TOKEN}/ussd", data={
            "sessionId": "json-log-2", "serviceCode": "*000#", "phoneNumber": PHONE,
            "networkCode": "63902", "text": ""}, headers={"X-Request-ID": "bad id!"})
    finally:
        logger.removeHandler(handler)
    assert res.headers["X-Request-ID"] == "req-from-the-proxy-1"
    generated = again.headers["X-Request-ID"]
    assert generated != "bad id!" and len(generated) == 32
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines, "the refused hops are logged"
    assert {line["request_id"] for line in lines} == {"req-from-the-proxy-1", generated}
    assert all(set(line) <= {"time", "level", "logger", "message", "request_id", "exception",
                             "trace"} for line in lines)
    text = out.getvalue()
    assert PHONE not in text and PHONE[4:] not in text and WEBHOOK_TOKEN not in text


def test_a_setting_chooses_json(make_app) -> None:
    from app.ops.logs import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(make_app(env={"LOG_FORMAT": "json"}))
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
