"""A fake Africa's Talking messaging API on a free port, answering like AT (africastalking.md §2.3).

The real SDK posts to it over HTTP, so these tests exercise the gateway exactly as production
does. Each phone can be given a mode: a per-recipient refusal, an HTTP error, or a slow answer.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from flask import Flask

#: mode → (HTTP status, per-recipient statusCode, status) for refusals.
RECIPIENT_REFUSALS = {
    "status403": (403, "InvalidPhoneNumber"),
    "status406": (406, "UserInBlacklist"),
    "status500": (500, "InternalServerError"),
    "status405": (405, "InsufficientBalance"),
}
HTTP_ERRORS = {
    "http401": (401, "The supplied authentication is invalid"),
    "http429": (429, "Too Many Requests"),
    "http500": (500, "Internal Server Error"),
    "http503": (503, "Service Unavailable"),
}


class FakeAT:
    """State of the fake: modes per phone, and what it accepted (``accepted``) in order."""

    def __init__(self) -> None:
        self.default_mode = "ok"
        self.modes: dict[str, str] = {}
        self.accepted: list[dict[str, str]] = []
        self.requests: list[dict[str, str]] = []
        self.api_keys: list[str | None] = []
        self.next_ids: list[str] = []
        #: message text -> the id AT gives it: sends that run in parallel (a job sends every
        #: due row) take their ids in any order, so a test that must know which row got which
        #: id names it by text instead of by turn.
        self.ids_by_text: dict[str, str] = {}
        self.slow_seconds = 1.0
        self.connections: list[tuple[str, int]] = []  # the client's (host, port) per request
        self.in_flight = self.max_in_flight = 0
        self.release = threading.Event()  # ends a "hang"
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.url = ""

    def answer(self, form: dict[str, str], api_key: str | None) -> tuple[int, str, str]:
        """Return (HTTP status, content type, body) for one messaging request."""
        with self._lock:
            self.requests.append(form)
            self.api_keys.append(api_key)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._answer(form)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, form: dict[str, str]) -> tuple[int, str, str]:
        numbers = [n for n in form.get("to", "").split(",") if n]
        mode = self.modes.get(numbers[0] if numbers else "", self.default_mode)
        if mode == "hang":
            self.release.wait(30)
            return 500, "text/plain", "released"
        if mode == "slow":
            time.sleep(self.slow_seconds)
        if mode in HTTP_ERRORS:
            status, text = HTTP_ERRORS[mode]
            return status, "text/plain", text
        entries = [self._entry(form, n, self.modes.get(n, self.default_mode)) for n in numbers]
        sent = sum(1 for e in entries if e["messageId"] != "None")
        ctype = "application/json; charset=utf-8" if mode == "charset" else "application/json"
        return 201, ctype, _body(entries, sent=sent)

    def _entry(self, form: dict[str, str], to: str, mode: str) -> dict[str, Any]:
        """One recipient's entry (AT answers each number of a comma-separated ``to``)."""
        if mode in RECIPIENT_REFUSALS:
            code, name = RECIPIENT_REFUSALS[mode]
            return {"statusCode": code, "number": to, "status": name, "cost": "0",
                    "messageId": "None"}
        with self._lock:
            if form.get("message") in self.ids_by_text:
                message_id = self.ids_by_text[form["message"]]
            else:
                message_id = (self.next_ids.pop(0) if self.next_ids
                              else f"ATXid_{next(self._ids)}")
            self.accepted.append({**form, "to": to, "messageId": message_id})
        return {"statusCode": 101, "number": to, "status": "Success", "cost": "TZS 30.0000",
                "messageId": message_id, "messageParts": 1}


def _body(entries: list[dict[str, Any]], sent: int) -> str:
    return json.dumps({"SMSMessageData": {
        "Message": f"Sent to {sent}/{len(entries)} Total Cost: TZS 0", "Recipients": entries}})


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as AT's API servers do

    def do_POST(self) -> None:
        self.server.fake.connections.append(self.client_address)
        length = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        form = {k: v[0] for k, v in fields.items()}
        if not self.path.endswith("/version1/messaging"):
            status, ctype, body = 404, "text/plain", "no such path"
        else:
            status, ctype, body = self.server.fake.answer(form, self.headers.get("apiKey"))
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: FakeAT


@pytest.fixture
def fake_at() -> Iterator[FakeAT]:
    """A running fake AT API; ``fake_at.url`` is the base URL ending in ``/version1``."""
    fake = FakeAT()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/version1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def app(make_app: Callable[..., Flask], fake_at: FakeAT) -> Iterator[Flask]:
    """The test app (context pushed), whose SMS go through the real SDK to ``fake_at``.

    It replaces the root ``app`` fixture here, so ``run_jobs`` and ``reconcile`` use it too.
    """
    app = make_app(env={"AT_API_URL": fake_at.url})
    with app.app_context():
        yield app


@pytest.fixture
def closed_url() -> str:
    """A base URL where nothing listens: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/version1"
