"""A tiny stand-in for Linda's webhooks: records every form posted to it and answers as told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest


class Receiver:
    """Records ``(path, form)`` of each POST.

    ``answers`` maps a path suffix to ``(status, body)`` or ``(status, body, headers)``.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.answers: dict[str, tuple[Any, ...]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                receiver.calls.append((self.path, form))
                status, body, *more = next((a for suffix, a in receiver.answers.items()
                                            if self.path.endswith(suffix)), (200, ""))
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                for name, value in (more[0] if more else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def forms(self, suffix: str) -> list[dict[str, str]]:
        return [form for path, form in self.calls if path.endswith(suffix)]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free port, stopped after the test."""
    rec = Receiver()
    thread = threading.Thread(target=rec.server.serve_forever, args=(0.05,),
                              daemon=True)
    thread.start()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()
    thread.join(timeout=5)
